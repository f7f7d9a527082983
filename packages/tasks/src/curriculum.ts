/**
 * Length curriculum of the reference implementation: the bound `current` starts at `start` (2),
 * grows by one every `interval` steps up to `end`, and training lengths are 1..current-1.
 * `curriculum` returns that maximum training length, current - 1.
 */
import type { AlgorithmicTask } from './types';
import { TaskArgumentError, checkInt } from './validation';

export interface CurriculumSpec {
  /** Initial bound (default 2, so step 0 trains on length 1 only). */
  start?: number;
  end: number;
  interval: number;
}

function specOf(source: AlgorithmicTask | CurriculumSpec): Required<CurriculumSpec> {
  if (source === null || typeof source !== 'object') {
    throw new TaskArgumentError(
      'curriculum',
      'curriculum source must be a task or { start?, end, interval }',
    );
  }
  if ('reference' in source) {
    const r = source.reference;
    return { start: r.curriculumStart, end: r.curriculumEnd, interval: r.curriculumInterval };
  }
  const start = checkInt('start', source.start ?? 2, 2);
  return {
    start,
    end: checkInt('end', source.end, start),
    interval: checkInt('interval', source.interval, 1),
  };
}

/** Maximum training length (inclusive) at training step `step` (0-based). */
export function curriculum(source: AlgorithmicTask | CurriculumSpec, step: number): number {
  const { start, end, interval } = specOf(source);
  checkInt('step', step, 0);
  return Math.min(end, start + Math.floor(step / interval)) - 1;
}

/** First step at which the curriculum reaches its final length. */
export function curriculumRampSteps(source: AlgorithmicTask | CurriculumSpec): number {
  const { start, end, interval } = specOf(source);
  return (end - start) * interval;
}
