// What a run is, decided before anything is written: the resolved configuration, the output
// folder and how it is opened, and (on resume) that the folder's config.json matches.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { resolveConfig, type CliOptions, type ResolvedConfig } from './config/resolve';
import type { Experiment } from './experiment';
import { checkRunDir, readJsonFile, RunDirError, type OpenMode, type RunDir } from './io/run-dir';
import type { Logger } from './log';
import type { RunOptions } from './runner';
import { gitCommit, VERSION } from './version';

export interface RunPlan<C> {
  resolved: ResolvedConfig<C>;
  outPath: string;
  mode: OpenMode;
  /** The part of config.json a resume must match. */
  configRecord: { experiment: string; profile: string; seed: number; seeds: number[]; config: C };
  /** The backend recorded in the folder's config.json (resume), else null. */
  previousBackend: unknown;
}

/** Everything a started run works with. */
export interface Session<C> {
  experiment: Experiment;
  run: RunOptions;
  plan: RunPlan<C>;
  backend: string;
  log: Logger;
  dir: RunDir;
}

function defaultOut(name: string, options: CliOptions): string {
  return join('runs', `${name}-${options.profile}`);
}

/** Resolves the configuration and checks the folder; a resume must match the folder's config.json. */
export function planRun<C>(experiment: Experiment, run: RunOptions): RunPlan<C> {
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

/** config.json: the resolved configuration plus where and with what it ran. */
export async function configJsonOf<C>(plan: RunPlan<C>, run: RunOptions, backend: string) {
  const wasm = backend === 'wasm' ? await import('@loop/models') : null;
  return {
    ...plan.configRecord,
    backendRequested: run.options.backend,
    backend,
    wasmThreads: wasm?.wasmThreads() ?? null,
    // products with fused multiply-adds differ from unfused ones by round-off (LOOP_NATIVE_FMA)
    fusedProducts: wasm?.nativeMatMulFused() ?? null,
    // GPU timings depend on the device: recorded only where there is one.
    ...(backend === 'webgpu' ? { adapter: (await import('@loop/models')).webgpuAdapter() } : {}),
    version: VERSION,
    commit: gitCommit(),
    tfjs: tf.version_core,
    node: process.version,
    command: run.command ?? null,
  };
}
