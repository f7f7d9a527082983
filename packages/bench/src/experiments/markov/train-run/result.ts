// What a finished run leaves: its result record (with the final model's accuracy at other lengths)
// and its final weights.

import { saveCheckpoint, snapshotVariables } from '@loop/models';
import { groupMean, markovScores, type TrainResult } from '@loop/shift';
import type { ExperimentContext } from '../../../experiment';
import type { RunState } from './state';
import type { TrainRunOptions, TrainRunResult } from './types';

/** Loops of the architecture training ended in. */
function finalLoops(st: RunState, result: TrainResult): number {
  return result.stage.name === 'single' ? 1 : st.K;
}

/** The run's record: per-epoch points, Hessians, shift, cost and length generalization of the final model. */
export function resultOf(o: TrainRunOptions, st: RunState, result: TrainResult, spe: number): TrainRunResult {
  const loops = finalLoops(st, result);
  const lengthGen = o.lengthSets?.map((s) => {
    const { correct } = markovScores(st.model, loops, s.batch);
    return {
      length: s.length,
      acc: groupMean(correct),
      simpleAcc: s.simple.length ? groupMean(correct, s.simple) : null,
      simpleCount: s.simple.length,
      size: s.batch.rows,
    };
  });
  const shift = result.shifts[0];
  return {
    label: o.label,
    language: o.language,
    seed: o.seed,
    epochs: st.epochs,
    hessian: st.hessian,
    parameterCount: st.model.parameters(loops).reduce((s, v) => s + v.size, 0),
    trainMs: result.trainMs,
    flops: result.flops,
    stepsPerEpoch: spe,
    shift: shift
      ? {
          epoch: shift.step / spe,
          plateauEpoch: shift.plateauStep !== undefined ? shift.plateauStep / spe : null,
          reason: shift.reason,
        }
      : null,
    final: st.epochs[st.epochs.length - 1]!,
    ...(lengthGen ? { lengthGen } : {}),
  };
}

/** Final weights: every variable lives in the looped model (Single-Attn runs on its first four). */
export async function saveFinalWeights(
  ctx: ExperimentContext<unknown>,
  o: TrainRunOptions,
  st: RunState,
  result: TrainResult,
): Promise<void> {
  await saveCheckpoint(ctx.out.file('weights', st.runName.replaceAll('/', '-')), {
    weights: snapshotVariables(st.model.variables, st.model.variableNames),
    config: { ...st.model.config },
    step: result.steps,
    extra: {
      label: o.label,
      language: o.language,
      seed: o.seed,
      finalLoops: finalLoops(st, result),
    },
  });
}
