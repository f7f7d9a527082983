// Evaluation in the loop: the problem's metrics, the SCP criterion fed with validation loss and the
// mean gradient norm since the last evaluation, and the caller's early-stopping test.

import { base, currentStage, stageInfo, totals, type LoopState } from './loop-state';
import type { TrainProblem } from './problem';
import type { EvalRecord } from './records';
import type { Run } from './run-context';

/** Runs the problem's evaluation, feeds SCP (not on the final one) and records it. */
export async function evaluate<B>(run: Run<B>, s: LoopState, final: boolean): Promise<EvalRecord> {
  const t0 = performance.now();
  const metrics = await (run.problem.evaluate as NonNullable<TrainProblem<B>['evaluate']>)({
    step: s.step,
    stage: stageInfo(run, s),
    final,
  });
  currentStage(s).evalMs += performance.now() - t0;
  const gradNorm = s.gradWindow.count > 0 ? s.gradWindow.sum / s.gradWindow.count : 0;
  s.gradWindow = { sum: 0, count: 0 };
  const record: EvalRecord = { type: 'eval', ...base(run, s), metrics, gradNorm, ...totals(s) };
  if (s.criterion && !final) {
    const valLoss = metrics[run.cfg.criterionMetric];
    if (typeof valLoss !== 'number') {
      throw new Error(
        `the SCP criterion reads metric '${run.cfg.criterionMetric}', but evaluate() returned only: ${Object.keys(metrics).join(', ')}`,
      );
    }
    record.criterion = s.criterion.update({ step: s.step, valLoss, gradNorm });
  }
  s.lastEvalStep = s.step;
  s.evals.push(record);
  run.log.write(record);
  return record;
}

/** `stopWhen`, asked in the last stage before the last step: a reason ends training here. */
export function stopsEarly<B>(run: Run<B>, s: LoopState): boolean {
  const { stopWhen } = run.options;
  if (!stopWhen || s.stageIndex !== run.schedule.length - 1 || s.step >= run.cfg.totalSteps) return false;
  const reason = stopWhen(s.evals);
  if (!reason) return false;
  s.stoppedEarly = { step: s.step, reason };
  run.log.write({ type: 'stopped', ...base(run, s), reason });
  return true;
}
