// Moving from one stage to the next: when the stage's `until` is met (SCP decision, global step,
// steps in the stage), the next stage starts on the same weights, optionally with reset moments.

import { describeLoops } from '../schedule/stages';
import { base, newSummary, type LoopState } from './loop-state';
import type { EvalRecord } from './records';
import { criterionFor, stageAt, type Run } from './run-context';

/** Enters the next stage when the current one's `until` is met; `decision` is this step's SCP answer. */
export function maybeShift<B>(run: Run<B>, s: LoopState, decision: EvalRecord['criterion']): void {
  if (s.stageIndex >= run.schedule.length - 1) return;
  const u = stageAt(run, s.stageIndex).until;
  if (u.kind === 'criterion' && decision?.shift)
    enterNextStage(run, s, decision.reason, decision.plateauStep, decision.shiftStep);
  else if (u.kind === 'atStep' && s.step >= u.step)
    enterNextStage(run, s, `fixed shift step ${u.step} reached`);
  else if (u.kind === 'afterSteps' && s.step - s.stageStartStep >= u.steps)
    enterNextStage(run, s, `${u.steps} steps in stage '${stageAt(run, s.stageIndex).name}' done`);
}

function enterNextStage<B>(
  run: Run<B>,
  s: LoopState,
  reason: string,
  plateauStep?: number,
  shiftStep?: number,
): void {
  const from = stageAt(run, s.stageIndex);
  s.stageIndex += 1;
  s.stageStartStep = s.step;
  const to = stageAt(run, s.stageIndex);
  const reset = to.resetOptimizer === true;
  if (reset) run.optimizer.reset();
  s.criterion = criterionFor(run, s.stageIndex);
  s.stages.push(newSummary(s.stageIndex, to, s.step));
  s.shifts.push({
    step: s.step,
    from: from.name,
    to: to.name,
    ...(plateauStep !== undefined ? { plateauStep } : {}),
    reason,
  });
  run.log.write({
    type: 'shift',
    ...base(run, s),
    from: from.name,
    to: to.name,
    fromLoops: describeLoops(from.loops),
    toLoops: describeLoops(to.loops),
    reason,
    ...(plateauStep !== undefined ? { plateauStep } : {}),
    ...(shiftStep !== undefined ? { shiftStep } : {}),
    optimizerReset: reset,
  });
}
