import type { Experiment } from '../experiment';
import {
  hessianExperiment,
  lengthGenExperiment,
  markovExperiment,
  shiftExperiment,
  theoryExperiment,
} from './markov/index';
import { perfExperiment } from './perf';
import { algorithmicExperiment } from './algorithmic/index';
import { createReproduceExperiment } from './reproduce';

/**
 * Every `loop-bench <name>` experiment, in `--help` order. To add one: write
 * src/experiments/<name>.ts (or <name>/index.ts) exporting an `Experiment` (see EXPERIMENTS.md), import it here and append
 * it to this list. Nothing else needs to change: the CLI, config validation, run folder, report and
 * summary are shared.
 */
const STUDIES: Experiment[] = [
  markovExperiment,
  hessianExperiment,
  lengthGenExperiment,
  shiftExperiment,
  theoryExperiment,
  perfExperiment,
  algorithmicExperiment,
];

/** The studies, then `reproduce`, which runs them. */
export const EXPERIMENTS: Experiment[] = [...STUDIES, createReproduceExperiment(STUDIES)];

export function findExperiment(name: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}
