// Per-run measurements of Observation 1: accuracy curves, budgets, when a run reaches the Bayes
// predictor, when it stalls and how much it rises afterwards. Pure functions of the recorded epochs.

import type { Datum } from '../../../charts/specs';
import { bandOf, meanCI } from '../../../verdict-rules';
import type { EpochPoint, TrainRunResult } from '../train-run';

export const MODEL_NAME = { single: 'Single-Attn', looped: 'Looped-Attn' } as const;
export type Field = 'acc' | 'accLow' | 'accHigh';
export type Group = { field: Field; bayes: 'all' | 'low' | 'high'; label: string };
export const GROUPS: Group[] = [
  { field: 'accLow', bayes: 'low', label: 'low-IC' },
  { field: 'accHigh', bayes: 'high', label: 'high-IC' },
  { field: 'acc', bayes: 'all', label: 'all' },
];
/** "Reaches Bayes" = within this much of the Bayes predictor's accuracy on the group. */
export const REACH_TOLERANCE = 0.01;
/** Single-Attn "stalls" at the first epoch from which it never gains more than this on high-IC. */
export const STALL_TOLERANCE = 0.01;

/** Mean and 95% interval over runs of `field` at each evaluated epoch (bands clipped to [0, 1]). */
export function curve(
  runs: readonly TrainRunResult[],
  model: string,
  field: 'acc' | 'accLow' | 'accHigh' | 'valLoss' | 'trainLoss' | 'gradNorm' | 'alignment',
  clip = true,
): Datum[] {
  const epochs = runs[0]?.epochs.map((e) => e.epoch) ?? [];
  return epochs.map((epoch, i) => {
    const c = meanCI(runs.map((r) => r.epochs[i]?.[field] ?? NaN));
    return { epoch, model, ...bandOf(c, clip ? [0, 1] : undefined) };
  });
}

/** Budgets at which accuracy is reported: E/8, E/4, E/2, E (400 epochs: 50, 100, 200, 400). */
export function budgetsOf(epochs: number): number[] {
  return [...new Set([epochs / 8, epochs / 4, epochs / 2, epochs].map((e) => Math.max(1, Math.round(e))))];
}

/** The last evaluated point at or before `epoch` (runs are evaluated every few epochs only). */
export function at(run: TrainRunResult, epoch: number): EpochPoint | undefined {
  let best: EpochPoint | undefined;
  for (const e of run.epochs) if (e.epoch <= epoch) best = e;
  return best;
}

/** First evaluated epoch at which `field` is within REACH_TOLERANCE of `target`; null if never. */
export function firstReach(run: TrainRunResult, field: Field, target: number): number | null {
  const hit = run.epochs.find((e) => e.epoch > 0 && e[field] >= target - REACH_TOLERANCE);
  return hit ? hit.epoch : null;
}

/**
 * The epoch at which a run stalls on `field`: the first evaluated epoch whose value is within
 * STALL_TOLERANCE of the run's maximum over the rest of training (after it, it gains at most that).
 */
export function stallEpoch(run: TrainRunResult, field: Field): number {
  const ep = run.epochs;
  const suffixMax = new Array<number>(ep.length).fill(-Infinity);
  for (let i = ep.length - 1; i >= 0; i--)
    suffixMax[i] = Math.max(ep[i]![field], suffixMax[i + 1] ?? -Infinity);
  const i = ep.findIndex((e, k) => k > 0 && e[field] >= suffixMax[k]! - STALL_TOLERANCE);
  return ep[i < 0 ? ep.length - 1 : i]!.epoch;
}

/** Looped-Attn's high-IC gain after Single-Attn stalls, minus Single-Attn's own gain over that span. */
export function lateRise(
  single: TrainRunResult,
  looped: TrainRunResult,
): { stall: number; single: number; looped: number; singleAtStall: number; loopedAtStall: number } {
  const stall = stallEpoch(single, 'accHigh');
  const level = (r: TrainRunResult) => at(r, stall)?.accHigh ?? NaN;
  return {
    stall,
    single: single.final.accHigh - level(single),
    looped: looped.final.accHigh - level(looped),
    singleAtStall: level(single),
    loopedAtStall: level(looped),
  };
}
