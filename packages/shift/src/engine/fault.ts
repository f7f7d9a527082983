// A NaN/Inf loss or gradient ends training: a fault record, then TrainingFaultError. The step's
// update is not applied, so the last good checkpoint is still the one to resume from.

import { base, type LoopState } from './loop-state';
import type { StageInfo } from './problem';
import type { Run } from './run-context';

/** Thrown when the loss or a gradient becomes NaN/Inf; the last good checkpoint is left in place. */
export class TrainingFaultError extends Error {
  constructor(
    message: string,
    readonly step: number,
    readonly lastCheckpoint: string | null,
  ) {
    super(message);
    this.name = 'TrainingFaultError';
  }
}

/** Logs the fault of step `s.step + 1` and throws. */
export function fault<B>(run: Run<B>, s: LoopState, stage: StageInfo, loss: number, gradNorm: number): never {
  const what = !Number.isFinite(loss) ? 'loss' : 'gradient';
  const value = what === 'loss' ? loss : gradNorm;
  const message =
    `non-finite ${what === 'loss' ? 'loss' : 'gradient norm'} (${value}) at step ${s.step + 1} in stage '${stage.name}'; ` +
    `no update applied. Last good checkpoint: ${s.lastCheckpoint ?? 'none (no checkpointDir or none written yet)'}`;
  run.log.write({
    type: 'fault',
    ...base(run, s),
    step: s.step + 1,
    what,
    value,
    message,
    lastCheckpoint: s.lastCheckpoint,
  });
  throw new TrainingFaultError(message, s.step + 1, s.lastCheckpoint);
}
