// Expected cost of an algorithmic sweep, printed before it starts: a few timed training steps per
// task at the final training shape (Single-Attn: one loop; Looped-Attn: T(n) loops), times the steps.

import { getTask } from '@loop/tasks';
import { createLoopedGPT } from '@loop/models';
import { algorithmicProblem, loopedSchedule, singleSchedule, train } from '@loop/shift';
import { unitModelConfig, type AlgorithmicConfig, type Method, type TaskSettings } from './config';

export interface CostEstimate {
  /** Seconds per training step at the final training shape, per task and loop kind. */
  perStepS: Record<string, { single: number; looped: number }>;
  /** Expected training seconds of each planned unit (key -> s). */
  unitS: Map<string, number>;
}

async function timeSteps(
  config: AlgorithmicConfig,
  s: TaskSettings,
  looped: boolean,
  steps: number,
): Promise<number> {
  const task = getTask(s.task);
  const model = createLoopedGPT(unitModelConfig(config, s, looped ? 'looped' : 'single'), { seed: 0 });
  try {
    const problem = algorithmicProblem({
      task,
      model,
      batchSize: config.batchSize,
      seed: 0,
      curriculum: { fixed: s.maxTrainLength },
      trainEvalSize: 0,
    });
    // One warm-up step (kernel compilation, allocation), then the timed ones.
    let afterWarmUp: number | null = null;
    const r = await train({
      problem,
      schedule: looped ? loopedSchedule() : singleSchedule(),
      optimizer: { type: 'adamw', lr: s.lr, weightDecay: config.weightDecay, clipNorm: config.clipNorm },
      steps: steps + 1,
      evalEvery: steps + 2,
      handleSigint: false,
      onMetrics: (m) => {
        if (m.type === 'step' && afterWarmUp === null) afterWarmUp = m.trainMs;
      },
    });
    return (r.trainMs - (afterWarmUp ?? 0)) / 1000 / steps;
  } finally {
    model.dispose();
  }
}

/**
 * Times `probeSteps` steps of each task at its longest training length (an upper bound per step:
 * curriculum steps are shorter) and multiplies by the unit's steps. SHIFT is counted as Looped-Attn
 * (it switches at an unknown step); evaluation time is not included.
 */
export async function estimateCost(
  config: AlgorithmicConfig,
  settings: readonly TaskSettings[],
  units: readonly { key: string; task: string; method: Method }[],
  probeSteps = 3,
): Promise<CostEstimate> {
  const perStepS: CostEstimate['perStepS'] = {};
  for (const s of settings) {
    if (!units.some((u) => u.task === s.task)) continue;
    perStepS[s.task] = {
      single: await timeSteps(config, s, false, probeSteps),
      looped: await timeSteps(config, s, true, probeSteps),
    };
  }
  const unitS = new Map<string, number>();
  for (const u of units) {
    const s = settings.find((x) => x.task === u.task)!;
    const p = perStepS[u.task]!;
    unitS.set(u.key, s.steps * (u.method === 'single' ? p.single : p.looped));
  }
  return { perStepS, unitS };
}

const human = (s: number): string =>
  s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;

/** One line for the log: total core time of the units to run, and the probe behind it. */
export function costLine(c: CostEstimate, runs: readonly string[], shards: number): string {
  const total = runs.reduce((a, k) => a + (c.unitS.get(k) ?? 0), 0);
  const probes = Object.entries(c.perStepS)
    .map(([t, p]) => `${t} ${p.single.toFixed(3)} / ${p.looped.toFixed(3)} s`)
    .join(', ');
  return `expected cost: about ${human(total)} of training on one core for ${runs.length} unit(s)${shards > 1 ? ' (this shard)' : ''} (per step, Single / Looped at the longest training length: ${probes}; SHIFT counted as Looped, evaluation not included)`;
}
