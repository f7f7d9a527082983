// The verdicts of the perf report: the targets of the performance work (issue 9).

import type { ReportBlock } from '../../report/types';
import type { StepResult } from './config';
import { f1, f2 } from './format';
import type { Measured } from './measure';
import { peerNote } from './report-tables';
import type { PerfResults } from './results';

/** The targets of the performance work, as verdicts: step at most 2x (n_embd 256: 3x) PyTorch, HVP at most 3x the gradient, flat tensors. */
export function perfVerdicts(measured: Measured, r: PerfResults): ReportBlock[] {
  const { peerStatus, steps, hvps } = measured;
  const tensorsStart = r.tensors.start;
  const tensorsEnd = r.tensors.end;
  const verdicts: ReportBlock[] = [];
  const target = (s: StepResult): number => (s.config.nEmbd >= 256 ? 3 : 2);
  for (const s of steps) {
    verdicts.push({
      kind: 'verdict',
      claim: `${s.config.name}: training step at most ${target(s)}x PyTorch`,
      held: s.ratio === null ? 'n/a' : s.ratio <= target(s),
      evidence:
        s.ratio === null
          ? peerNote(peerStatus)
          : `${f1(s.ours.ms.median)} ms vs ${f1(s.peer!.ms.median)} ms = ${f2(s.ratio)}x`,
    });
  }
  for (const h of hvps) {
    verdicts.push({
      kind: 'verdict',
      claim: `${h.model}: HVP at most 3x the gradient time`,
      held: h.ratio <= 3,
      evidence: `${f2(h.ratio)}x (${f1(h.hvpMs.median)} vs ${f1(h.gradMs.median)} ms)${h.peer ? `; PyTorch on the same model ${f2(h.peer.ratio)}x (${f1(h.peer.hvpMs.median)} vs ${f1(h.peer.gradMs.median)} ms)` : ''}`,
    });
  }
  verdicts.push({
    kind: 'verdict',
    claim: 'tfjs tensor count flat across training steps',
    held: r.tensors.flat,
    evidence: `per config after warm-up → after the last step ${steps.map((s) => `${s.ours.tensorsBefore}→${s.ours.tensorsAfter}`).join(', ')}; ${tensorsStart} at start, ${tensorsEnd} after disposing everything`,
  });
  return verdicts;
}
