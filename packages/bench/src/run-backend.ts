// The backend a run computes on: initialised before the folder is opened, and on resume the same
// one the folder's finished units were computed on.

import * as tf from '@tensorflow/tfjs';
import { ConfigError } from './config/resolve';
import type { Experiment } from './experiment';
import { RunDirError } from './io/run-dir';
import type { Logger } from './log';
import type { RunPlan } from './run-plan';
import type { RunOptions } from './runner';

/** Initialises the backend; an explicitly requested one that is not there is an input problem (exit 2). */
export async function startBackend(experiment: Experiment, run: RunOptions, log: Logger): Promise<string> {
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

/** A resumed run must compute on the backend its finished units were computed on. */
export function checkResumedBackend<C>(plan: RunPlan<C>, backend: string): void {
  if (
    plan.mode === 'resume' &&
    typeof plan.previousBackend === 'string' &&
    plan.previousBackend !== backend
  ) {
    throw new RunDirError(
      `--resume ${plan.outPath}: its finished units were computed on ${plan.previousBackend}, this run is on ${backend}; pass --backend ${plan.previousBackend} or start over with --force`,
    );
  }
}
