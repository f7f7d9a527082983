// Metrics records: one JSON object per line (JSONL) plus an optional callback. The file is opened
// in append mode; on resume it is first cut back to the length it had at the checkpoint, so a
// resumed run's log equals an uninterrupted run's log (apart from wall-clock fields).

import { appendFileSync, existsSync, mkdirSync, statSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MetricsRecord } from './records';

export class MetricsLog {
  constructor(
    private readonly file: string | undefined,
    private readonly callback: ((record: MetricsRecord) => void) | undefined,
  ) {
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  /** Current byte length of the log file (stored in checkpoints). */
  offset(): number | null {
    if (!this.file) return null;
    return existsSync(this.file) ? statSync(this.file).size : 0;
  }

  /** Start a fresh log (new run) or cut it back to `offset` bytes (resume). */
  reset(offset: number | null): void {
    if (!this.file) return;
    if (offset === null || offset === 0) {
      if (existsSync(this.file)) truncateSync(this.file, 0);
      return;
    }
    if (!existsSync(this.file) || statSync(this.file).size < offset) {
      throw new Error(
        `metrics file ${this.file} is shorter than at the checkpoint (${offset} bytes); cannot resume its log`,
      );
    }
    truncateSync(this.file, offset);
  }

  write(record: MetricsRecord): void {
    if (this.file) appendFileSync(this.file, `${JSON.stringify(record, replacer)}\n`);
    this.callback?.(record);
  }
}

// JSON has no NaN/Infinity: write them as strings so a fault record still says what the value was.
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
