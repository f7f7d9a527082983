import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { encodeFileVersionEvent, encodeSummaryEvent, histogramOf } from './proto';
import { frameRecord } from './record';

/**
 * Minimal TensorBoard event-file writer (scalars and histograms). One writer per TensorBoard "run"
 * (a subfolder of the logdir). Records are appended whole, so a reader sees complete records only;
 * TensorBoard tolerates a file that is still growing.
 *
 * Open with: `pip install tensorboard && tensorboard --logdir <out>/tensorboard`.
 */
export class EventFileWriter {
  readonly file: string;
  private readonly clock: () => number;

  constructor(logdir: string, options: { clock?: () => number; suffix?: string } = {}) {
    this.clock = options.clock ?? (() => Date.now() / 1000);
    mkdirSync(logdir, { recursive: true });
    const t = Math.floor(this.clock());
    this.file = join(logdir, `events.out.tfevents.${t}.${options.suffix ?? hostname()}`);
    writeFileSync(this.file, frameRecord(encodeFileVersionEvent(this.clock())));
  }

  scalar(tag: string, value: number, step: number): void {
    if (!Number.isFinite(value)) return;
    appendFileSync(this.file, frameRecord(encodeSummaryEvent(this.clock(), step, [{ tag, scalar: value }])));
  }

  histogram(tag: string, values: ArrayLike<number>, step: number, bins = 30): void {
    const h = histogramOf(values, bins);
    appendFileSync(this.file, frameRecord(encodeSummaryEvent(this.clock(), step, [{ tag, histogram: h }])));
  }
}
