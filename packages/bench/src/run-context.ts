// The context an experiment runs in: its configuration and folder, metrics (metrics.jsonl and
// TensorBoard), figures, and resumable units that store their result with the metrics they emitted.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { svgToPng, vegaLiteToSvg, type VegaLiteSpec } from './charts/render';
import type { ExperimentContext, HistogramRecord, MetricRecord } from './experiment';
import type { RunDir } from './io/run-dir';
import type { Logger } from './log';
import { trackOpenTasks } from './open-tasks';
import { createProgress, silentProgress } from './progress';
import type { Session } from './run-plan';
import { EventFileWriter } from './tensorboard/writer';

/** A key as a file name: anything but letters, digits, '.', '_' and '-' becomes '_'. */
function sanitize(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** TensorBoard writers, one per run label, created lazily. */
class TensorBoardSink {
  private writers = new Map<string, EventFileWriter>();
  constructor(private readonly logdir: string) {}
  private writer(run: string): EventFileWriter {
    let w = this.writers.get(run);
    if (!w) {
      w = new EventFileWriter(join(this.logdir, ...run.split('/').map(sanitize)));
      this.writers.set(run, w);
    }
    return w;
  }
  metric(r: MetricRecord): void {
    for (const [k, v] of Object.entries(r.values))
      if (v !== null) this.writer(r.run).scalar(`${r.series}/${k}`, v, r.step);
  }
  histogram(r: HistogramRecord): void {
    this.writer(r.run).histogram(`${r.series}/${r.name}`, r.values, r.step);
  }
}

type Emitted = { kind: 'metric'; record: MetricRecord } | { kind: 'histogram'; record: HistogramRecord };

/** Writes metrics.jsonl (and TensorBoard); while units run, also keeps what each of them emitted. */
class MetricStream {
  private readonly open: Emitted[][] = [];
  constructor(
    private readonly dir: RunDir,
    private readonly tb: TensorBoardSink | null,
  ) {}

  emit(e: Emitted): void {
    if (e.kind === 'metric') {
      this.dir.appendMetric({ type: 'scalar', ...e.record });
      this.tb?.metric(e.record);
    } else {
      this.dir.appendMetric({ type: 'histogram', ...e.record });
      this.tb?.histogram(e.record);
    }
    for (const buf of this.open) buf.push(e);
  }

  /** Runs `compute` and returns its result with everything emitted meanwhile (nested units' too). */
  async record<T>(compute: () => Promise<T>): Promise<{ result: T; emitted: Emitted[] }> {
    const buf: Emitted[] = [];
    this.open.push(buf);
    try {
      return { result: await compute(), emitted: buf };
    } finally {
      this.open.splice(this.open.indexOf(buf), 1);
    }
  }
}

/** The context an experiment runs in: metrics (and TensorBoard), figures, resumable units. */
export function makeContext<C>(session: Session<C>): {
  ctx: ExperimentContext<C>;
  /** Each rendered figure's SVG by name, for report.html. */
  figures: Map<string, string>;
  progress: ReturnType<typeof trackOpenTasks>;
} {
  const { experiment, run, plan, backend, log, dir } = session;
  const { options } = run;
  const { resolved, mode } = plan;
  if (options.tensorboard) rmSync(dir.file('tensorboard'), { recursive: true, force: true });
  const tb = options.tensorboard ? new TensorBoardSink(dir.file('tensorboard')) : null;
  const progress = trackOpenTasks(run.progress ?? (options.quiet ? silentProgress : createProgress()));
  const figures = new Map<string, string>();
  const stream = new MetricStream(dir, tb);
  const ctx: ExperimentContext<C> = {
    name: experiment.name,
    profile: resolved.profile,
    config: resolved.config,
    seed: resolved.seed,
    seeds: resolved.seeds,
    backend,
    out: dir,
    log,
    progress,
    resume: mode === 'resume',
    metric: (record) => stream.emit({ kind: 'metric', record }),
    histogram: (record) => stream.emit({ kind: 'histogram', record }),
    figure: (name, spec) => renderFigure(dir, log, figures, name, spec),
    async unit<T>(key: string, compute: () => Promise<T>): Promise<T> {
      const rel = `units/${sanitize(key)}.json`;
      if (mode === 'resume') {
        const saved = dir.readJson<{ result: T; emitted: Emitted[] }>(rel);
        if (saved) {
          log.info(`resume: reusing finished unit ${key}`);
          for (const e of saved.emitted) stream.emit(e);
          return saved.result;
        }
      }
      const { result, emitted } = await stream.record(compute);
      dir.writeJson(rel, { key, result, emitted });
      return result;
    },
  };
  return { ctx, figures, progress };
}

/** figures/<name>.svg, .png and .vl.json; a figure that cannot be rendered is a warning, not an error. */
async function renderFigure(
  dir: RunDir,
  log: Logger,
  figures: Map<string, string>,
  name: string,
  spec: VegaLiteSpec,
): Promise<void> {
  const safe = sanitize(name);
  try {
    const svg = await vegaLiteToSvg(spec);
    dir.writeText(`figures/${safe}.svg`, svg);
    dir.writeText(`figures/${safe}.png`, await svgToPng(svg));
    dir.writeJson(`figures/${safe}.vl.json`, spec);
    figures.set(safe, svg);
  } catch (err) {
    log.warn(`figure ${safe} could not be rendered: ${(err as Error).message}`);
  }
}
