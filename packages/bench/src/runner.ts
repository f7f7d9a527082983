import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { svgToPng, vegaLiteToSvg, type VegaLiteSpec } from './charts/render';
import type { BackendName } from './config/profiles';
import { ConfigError, resolveConfig, type CliOptions, type ResolvedConfig } from './config/resolve';
import type {
  Experiment,
  ExperimentContext,
  ExperimentOutput,
  HistogramRecord,
  MetricRecord,
} from './experiment';
import { checkRunDir, readJsonFile, RunDir, RunDirError, type OpenMode } from './io/run-dir';
import { createLogger, type Logger } from './log';
import { createProgress, silentProgress, type Progress, type ProgressTask } from './progress';
import { renderHtml } from './report/html';
import { renderMarkdown, verdictLabel } from './report/markdown';
import type { ReportDocument, ReportSection } from './report/types';
import { renderTextTable } from './summary-table';
import { EventFileWriter } from './tensorboard/writer';
import { gitCommit, VERSION } from './version';

export interface RunOptions {
  options: CliOptions;
  /** Parsed --config file contents (already read). */
  file?: Record<string, unknown>;
  /** Backend initialiser; defaults to @loop/models' initBackend. Injected by tests. */
  initBackend?: (
    pref: BackendName,
    log: (line: string) => void,
    threads?: number | 'auto',
    verbose?: boolean,
  ) => Promise<string>;
  /** Where the final summary goes (default process.stdout). */
  stdout?: NodeJS.WritableStream;
  logger?: Logger;
  progress?: Progress;
  /** The command line, recorded in the report. */
  command?: string;
}

export interface RunResult {
  dir: string;
  backend: string;
  wallTimeS: number;
  output: ExperimentOutput;
}

function defaultOut(name: string, options: CliOptions): string {
  return join('runs', `${name}-${options.profile}`);
}

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

/** What a run is, decided before anything is written: configuration, folder, mode, earlier backend. */
interface RunPlan<C> {
  resolved: ResolvedConfig<C>;
  outPath: string;
  mode: OpenMode;
  /** The part of config.json a resume must match. */
  configRecord: { experiment: string; profile: string; seed: number; seeds: number[]; config: C };
  /** The backend recorded in the folder's config.json (resume), else null. */
  previousBackend: unknown;
}

/**
 * Runs one experiment end to end: resolve + validate the config (ConfigError, nothing written),
 * check the output folder (RunDirError, nothing written), initialise the backend, run, then write
 * results.json, report.md, report.html and print the summary tables.
 */
export async function runExperiment<C>(experiment: Experiment, run: RunOptions): Promise<RunResult> {
  const { options } = run;
  const log = run.logger ?? createLogger({ quiet: options.quiet });
  const plan = planRun<C>(experiment, run);
  const backend = await startBackend(experiment, run, log);
  if (
    plan.mode === 'resume' &&
    typeof plan.previousBackend === 'string' &&
    plan.previousBackend !== backend
  ) {
    throw new RunDirError(
      `--resume ${plan.outPath}: its finished units were computed on ${plan.previousBackend}, this run is on ${backend}; pass --backend ${plan.previousBackend} or start over with --force`,
    );
  }
  log.info(
    `loop-bench ${experiment.name}: profile ${options.profile}, backend ${backend}, seeds ${plan.resolved.seeds.join(',')}`,
  );
  const dir = RunDir.open(plan.outPath, plan.mode);
  try {
    return await runInFolder({ experiment, run, plan, backend, log, dir });
  } catch (err) {
    dir.release();
    throw err;
  }
}

/** Resolves the configuration and checks the folder; a resume must match the folder's config.json. */
function planRun<C>(experiment: Experiment, run: RunOptions): RunPlan<C> {
  const { options } = run;
  const resolved = resolveConfig({
    experiment: experiment.name,
    schema: experiment.schema,
    profiles: experiment.profiles,
    options,
    ...(run.file ? { file: run.file } : {}),
  }) as ResolvedConfig<C>;
  const outPath = options.out ?? defaultOut(experiment.name, options);
  const mode: OpenMode = options.force ? 'force' : options.resume ? 'resume' : 'fresh';
  checkRunDir(outPath, mode);
  const configRecord = {
    experiment: resolved.experiment,
    profile: resolved.profile,
    seed: resolved.seed,
    seeds: resolved.seeds,
    config: resolved.config,
  };
  let previousBackend: unknown = null;
  const previous = join(outPath, 'config.json');
  if (mode === 'resume' && existsSync(previous)) {
    const old = readJsonFile<Record<string, unknown>>(previous);
    previousBackend = old['backend'];
    const oldCore = {
      experiment: old['experiment'],
      profile: old['profile'],
      seed: old['seed'],
      seeds: old['seeds'],
      config: old['config'],
    };
    if (JSON.stringify(oldCore) !== JSON.stringify(configRecord)) {
      throw new RunDirError(
        `--resume ${outPath}: its config.json differs from this run's configuration; use the same options or --force`,
      );
    }
  }
  return { resolved, outPath, mode, configRecord, previousBackend };
}

/** Initialises the backend; an explicitly requested one that is not there is an input problem (exit 2). */
async function startBackend(experiment: Experiment, run: RunOptions, log: Logger): Promise<string> {
  const { options } = run;
  // tfjs' own warnings (e.g. its "install the node backend" banner) only under --verbose.
  if (!options.verbose) tf.env().set('PROD', true);
  if (experiment.needsBackend === false) return 'none';
  const init =
    run.initBackend ?? (async (p, l, t, v) => (await import('./backend')).selectBackend(p, l, t, v));
  try {
    return await init(
      options.backend,
      (l) => (options.verbose ? log.info(l) : undefined),
      options.threads,
      options.verbose,
    );
  } catch (err) {
    if (options.backend === 'auto') throw err;
    throw new ConfigError(`--backend ${options.backend}: ${(err as Error).message}`);
  }
}

/** config.json: the resolved configuration plus where and with what it ran. */
async function configJsonOf<C>(plan: RunPlan<C>, run: RunOptions, backend: string) {
  const wasm = backend === 'wasm' ? await import('@loop/models') : null;
  return {
    ...plan.configRecord,
    backendRequested: run.options.backend,
    backend,
    wasmThreads: wasm?.wasmThreads() ?? null,
    // products with fused multiply-adds differ from unfused ones by round-off (LOOP_NATIVE_FMA)
    fusedProducts: wasm?.nativeMatMulFused() ?? null,
    version: VERSION,
    commit: gitCommit(),
    tfjs: tf.version_core,
    node: process.version,
    command: run.command ?? null,
  };
}

/** Everything a started run works with. */
interface Session<C> {
  experiment: Experiment;
  run: RunOptions;
  plan: RunPlan<C>;
  backend: string;
  log: Logger;
  dir: RunDir;
}

async function runInFolder<C>(session: Session<C>): Promise<RunResult> {
  const { experiment, run, plan, backend, dir } = session;
  const configJson = await configJsonOf(plan, run, backend);
  // A resumed run keeps the folder's config.json until it has finished.
  if (plan.mode !== 'resume') dir.writeJson('config.json', configJson);
  const { ctx, figures, progress } = makeContext(session);
  const t0 = performance.now();
  let output: ExperimentOutput;
  try {
    output = await experiment.run(ctx);
  } finally {
    // A bar left open (the experiment threw) keeps its timer, and so the process, alive.
    progress.closeAll();
  }
  const wallTimeS = (performance.now() - t0) / 1000;
  if (plan.mode === 'resume') dir.writeJson('config.json', configJson);
  const meta = writeOutputs(session, {
    output,
    wallTimeS,
    commit: configJson.commit,
    figures,
  });
  const stdout = run.stdout ?? process.stdout;
  stdout.write(`\nbackend: ${backend}; wall time ${wallTimeS.toFixed(1)} s; output ${dir.path}\n`);
  for (const t of output.summary) stdout.write(`\n${renderTextTable(t)}`);
  stdout.write(closingLines(output, meta.seeds, dir.file('report.html')));
  dir.finish();
  return { dir: dir.path, backend, wallTimeS, output };
}

/** The context an experiment runs in: metrics (and TensorBoard), figures, resumable units. */
function makeContext<C>(session: Session<C>): {
  ctx: ExperimentContext<C>;
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
  const unitStack: Emitted[][] = [];
  const emit = (e: Emitted): void => {
    if (e.kind === 'metric') {
      dir.appendMetric({ type: 'scalar', ...e.record });
      tb?.metric(e.record);
    } else {
      dir.appendMetric({ type: 'histogram', ...e.record });
      tb?.histogram(e.record);
    }
    for (const buf of unitStack) buf.push(e);
  };
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
    metric: (record) => emit({ kind: 'metric', record }),
    histogram: (record) => emit({ kind: 'histogram', record }),
    async figure(name: string, spec: VegaLiteSpec) {
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
    },
    async unit<T>(key: string, compute: () => Promise<T>): Promise<T> {
      const rel = `units/${sanitize(key)}.json`;
      if (mode === 'resume') {
        const saved = dir.readJson<{ result: T; emitted: Emitted[] }>(rel);
        if (saved) {
          log.info(`resume: reusing finished unit ${key}`);
          for (const e of saved.emitted) emit(e);
          return saved.result;
        }
      }
      const buf: Emitted[] = [];
      unitStack.push(buf);
      try {
        const result = await compute();
        dir.writeJson(rel, { key, result, emitted: buf });
        return result;
      } finally {
        unitStack.splice(unitStack.indexOf(buf), 1);
      }
    },
  };
  return { ctx, figures, progress };
}

/** results.json and the reports; returns the report's metadata. */
function writeOutputs<C>(
  { experiment, run, plan, backend, dir }: Session<C>,
  r: { output: ExperimentOutput; wallTimeS: number; commit: string | null; figures: Map<string, string> },
) {
  const { resolved } = plan;
  const meta = {
    experiment: experiment.name,
    profile: `${resolved.profile} (${experiment.profiles[resolved.profile]!.why})`,
    backend,
    seeds: r.output.seedsRun ?? resolved.seeds.join(', '),
    'wall time': `${r.wallTimeS.toFixed(1)} s`,
    versions: `loop-bench ${VERSION} (commit ${r.commit ?? 'unknown'}), tfjs ${tf.version_core}, node ${process.version}`,
    command: run.command ? `\`${run.command}\`` : '(programmatic)',
  };
  dir.writeJson('results.json', {
    experiment: experiment.name,
    profile: resolved.profile,
    backend,
    seeds: resolved.seeds,
    wallTimeS: r.wallTimeS,
    version: VERSION,
    tfjs: tf.version_core,
    results: r.output.results,
    report: { meta, sections: r.output.sections },
  });
  writeReport(
    dir,
    {
      title: `loop-bench ${experiment.name} — profile ${resolved.profile}`,
      meta,
      sections: r.output.sections,
    },
    r.figures,
  );
  return meta;
}

/** The end of a run on stdout: every claim's verdict (one line each), the seeds that ran, the report. */
export function closingLines(output: ExperimentOutput, seeds: string, reportPath: string): string {
  const seen = new Set<string>();
  const verdicts: string[] = [];
  for (const s of output.sections)
    for (const b of s.blocks) {
      if (b.kind !== 'verdict') continue;
      const line = `  ${verdictLabel(b.held).padEnd(12)} ${b.claim}`;
      if (!seen.has(line)) verdicts.push(line);
      seen.add(line);
    }
  return [
    '',
    ...(verdicts.length ? ['Verdicts (evidence in the report):', ...verdicts, ''] : []),
    `seeds: ${seeds}`,
    `report: ${reportPath}`,
    '',
  ].join('\n');
}

/** Writes report.md and report.html; figure SVGs come from `figures` or from figures/*.svg on disk. */
export function writeReport(
  dir: RunDir,
  doc: ReportDocument,
  figures: Map<string, string> = new Map(),
): void {
  const svgOf = (name: string): string | undefined => {
    const cached = figures.get(name);
    if (cached) return cached;
    const p = dir.file('figures', `${name}.svg`);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  };
  dir.writeText('report.md', renderMarkdown(doc));
  dir.writeText('report.html', renderHtml(doc, svgOf));
}

export type { ReportSection };
export { ConfigError, RunDirError };

/** Wraps a Progress so that every task still open can be closed at once. */
function trackOpenTasks(inner: Progress): Progress & { closeAll(): void } {
  const open = new Set<ProgressTask>();
  return {
    start(label, total) {
      const task = inner.start(label, total);
      open.add(task);
      return {
        tick: (n, info) => task.tick(n, info),
        done: () => {
          open.delete(task);
          task.done();
        },
      };
    },
    closeAll() {
      for (const task of open) task.done();
      open.clear();
    },
  };
}
