import type { z } from 'zod';
import type { VegaLiteSpec } from './charts/render';
import type { ExperimentProfiles, ProfileName } from './config/profiles';
import type { RunDir } from './io/run-dir';
import type { Logger } from './log';
import type { Progress } from './progress';
import type { ReportSection } from './report/types';
import type { Table } from './summary-table';

/** One line of metrics.jsonl (and, with --tensorboard, scalars `series/key` in TensorBoard run `run`). */
export interface MetricRecord {
  /** What is measured, e.g. 'train', 'hessian', 'val'. */
  series: string;
  /** Which model/seed/setting, e.g. 'looped/seed0'; becomes a TensorBoard run folder. */
  run: string;
  /** Epoch or step (x axis). */
  step: number;
  values: Record<string, number | null>;
}

/** A set of values to histogram (metrics.jsonl keeps them; TensorBoard shows a histogram). */
export interface HistogramRecord {
  series: string;
  run: string;
  step: number;
  name: string;
  values: number[];
}

/** What an experiment's `run` receives. */
export interface ExperimentContext<C> {
  readonly name: string;
  readonly profile: ProfileName;
  /** The resolved, validated configuration (profile <- --config <- flags). */
  readonly config: C;
  /** First seed and all seeds (seed, seed+1, ..., seed+K-1 for --seeds K). */
  readonly seed: number;
  readonly seeds: readonly number[];
  /** The tfjs backend actually in use (from initBackend), e.g. 'wasm'. */
  readonly backend: string;
  readonly out: RunDir;
  readonly log: Logger;
  readonly progress: Progress;
  /** True when continuing an earlier run (--resume): `unit` reuses finished units. */
  readonly resume: boolean;
  /** Appends to metrics.jsonl (and TensorBoard with --tensorboard). */
  metric(record: MetricRecord): void;
  histogram(record: HistogramRecord): void;
  /** Renders a Vega-Lite spec to figures/<name>.svg and .png; failures are logged, not fatal. */
  figure(name: string, spec: VegaLiteSpec): Promise<void>;
  /**
   * A resumable unit of work (one model x seed training run, one sweep cell): its result (JSON)
   * and the metrics it emitted are stored in units/<key>.json; with --resume a finished unit is
   * loaded and its metrics replayed instead of recomputed.
   */
  unit<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

/** What `run` returns; the runner writes results.json, report.md/html and prints `summary`. */
export interface ExperimentOutput {
  /** JSON-serialisable results (results.json, key `results`). */
  results: Record<string, unknown>;
  /** Report sections, in order (tables, figures by name, verdicts, text). */
  sections: ReportSection[];
  /** Tables printed on stdout at the end. */
  summary: Table[];
  /** The seeds that ran, where they differ from the run's own (e.g. reproduce: per sub-experiment). */
  seedsRun?: string;
}

/**
 * A command-line flag of one experiment, e.g. perf's `--peer torch`: a shortcut for one field of its
 * configuration (it overrides the profile and --config; the schema validates the value).
 */
export interface ExperimentFlag {
  /** Commander syntax, e.g. '--peer <name>'. */
  readonly flags: string;
  readonly description: string;
  /** The top-level config field it sets. */
  readonly field: string;
  /** From the command-line string to the config value (default: the string itself). */
  readonly parse?: (value: string) => unknown;
}

/**
 * An experiment of `loop-bench <name>`. `schema` must be a strict zod object (unknown keys are
 * errors); `profiles` gives its defaults per profile. Register it in src/experiments/registry.ts.
 */
export interface Experiment<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  /** One line for `loop-bench --help`. */
  readonly summary: string;
  /** Extra text for `loop-bench <name> --help`. */
  readonly help?: string;
  readonly schema: S;
  readonly profiles: ExperimentProfiles<z.input<S>>;
  /** False for experiments that use no tfjs (the backend is then not initialised). Default true. */
  readonly needsBackend?: boolean;
  /** Experiment-specific flags (each sets one config field). */
  readonly flags?: readonly ExperimentFlag[];
  run(ctx: ExperimentContext<z.output<S>>): Promise<ExperimentOutput>;
}

/** Identity helper that infers the schema type parameter. */
export function defineExperiment<S extends z.ZodType>(experiment: Experiment<S>): Experiment<S> {
  return experiment;
}
