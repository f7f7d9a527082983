// One optimisation step of the loop: batch, learning rate, gradients (engine/step.ts), the finite
// check, then the stage's running totals and the step record.

import { learningRateAt } from '../optim/lr-schedule';
import { fault } from './fault';
import { base, currentStage, stageInfo, totals, type LoopState } from './loop-state';
import type { Run } from './run-context';
import { optimizationStep } from './step';

export function step<B>(run: Run<B>, s: LoopState): void {
  const { cfg, problem, optimizer, log } = run;
  const stage = stageInfo(run, s);
  const t0 = performance.now();
  const batch = problem.nextBatch(s.step);
  const lr = learningRateAt(cfg.lrSchedule, optimizer.config.lr, s.step, cfg.totalSteps);
  const { loss, gradNorm, applied } = optimizationStep(
    { problem, variables: run.variables, optimizer, clipNorm: cfg.clipNorm, microBatches: cfg.microBatches },
    batch,
    stage,
    lr,
  );
  if (!applied) fault(run, s, stage, loss, gradNorm);
  const flops = problem.flops ? problem.flops(batch, stage) : 0;
  const info = problem.stepInfo ? problem.stepInfo(batch, s.step) : undefined;
  s.step += 1;
  const summary = currentStage(s);
  summary.trainMs += performance.now() - t0;
  summary.flops += flops;
  summary.steps += 1;
  summary.endStep = s.step;
  s.gradWindow.sum += gradNorm;
  s.gradWindow.count += 1;
  if (s.step % cfg.logEvery === 0 || s.step === cfg.totalSteps) {
    log.write({ type: 'step', ...base(run, s), loss, gradNorm, lr, ...totals(s), ...(info ? { info } : {}) });
  }
}
