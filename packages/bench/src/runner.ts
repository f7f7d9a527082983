// Runs one experiment end to end: plan (configuration and folder), backend, the experiment in its
// context, then results.json, the reports and the summary on stdout.

import type { BackendName } from './config/profiles';
import { ConfigError, type CliOptions } from './config/resolve';
import type { Experiment, ExperimentOutput } from './experiment';
import { RunDir, RunDirError } from './io/run-dir';
import { createLogger, type Logger } from './log';
import type { Progress } from './progress';
import type { ReportSection } from './report/types';
import { describeBackend } from './backend';
import { checkResumedBackend, startBackend } from './run-backend';
import { makeContext } from './run-context';
import { closingLines, writeOutputs } from './run-outputs';
import { configJsonOf, planRun, type Session } from './run-plan';
import { renderTextTable } from './summary-table';

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
  checkResumedBackend(plan, backend);
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
  stdout.write(
    `\nbackend: ${describeBackend(backend)}; wall time ${wallTimeS.toFixed(1)} s; output ${dir.path}\n`,
  );
  for (const t of output.summary) stdout.write(`\n${renderTextTable(t)}`);
  stdout.write(closingLines(output, meta.seeds, dir.file('report.html')));
  dir.finish();
  return { dir: dir.path, backend, wallTimeS, output };
}

export { closingLines, writeReport } from './run-outputs';
export type { ReportSection };
export { ConfigError, RunDirError };
