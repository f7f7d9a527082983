// The tables of the perf report: the training step per config, HVP against the gradient, memory.

import type { Cell, Table } from '../../summary-table';
import type { ExperimentContext } from '../../experiment';
import type { PerfConfig } from './config';
import { f1, f2 } from './format';
import type { Measured } from './measure';
import { PEER_INSTALL_HINT, type PeerStatus } from './peer';
import type { PerfResults } from './results';
import type { TimingSummary } from './timing';

const spreadText = (s: TimingSummary): string => `${f1(s.median)} [${f1(s.q1)}–${f1(s.q3)}]`;

/** ms per step with its spread, throughput, share of the peak, the peer's time and the tensor counts, per config. */
export function stepTableOf(ctx: ExperimentContext<PerfConfig>, measured: Measured, r: PerfResults): Table {
  const { peak, peerStatus, peerPeak, steps } = measured;
  const threads = r.wasmThreads;
  const fused = r.fusedProducts;
  return {
    title: `Training step (forward + backward + AdamW) on ${ctx.backend}${threads !== null ? ` (${threads} thread${threads === 1 ? '' : 's'}${fused === true ? ', fused multiply-add products' : ''})` : ''}`,
    columns: [
      'config',
      'ms median [IQR]',
      'tokens/s',
      'GFLOP/s',
      '% of peak',
      'torch ms [IQR]',
      'ours / torch',
      'CPU ms ours',
      'CPU ms torch',
      'tensors before→after',
      'wasm heap MiB',
    ],
    rows: steps.map((s): Cell[] => [
      `${s.config.name} (C${s.config.nEmbd} H${s.config.nHead} T${s.config.seqLen} B${s.config.batch}${s.config.microBatch ? `/${s.config.microBatch}` : ''} L${s.config.loops})`,
      spreadText(s.ours.ms),
      Math.round(s.ours.tokensPerS),
      f2(s.ours.gflops),
      f1(100 * s.ours.peakShare),
      s.peer ? spreadText(s.peer.ms) : null,
      s.ratio !== null ? f2(s.ratio) : null,
      f1(s.ours.cpuMs.median),
      s.peer && s.peer.cpuMs.n > 0 ? f1(s.peer.cpuMs.median) : null,
      `${s.ours.tensorsBefore}→${s.ours.tensorsAfter}`,
      s.wasmHeapMiB,
    ]),
    note: `GFLOP/s counts matmul FLOPs only (see docs/performance.md); peak = ${f1(peak.peakGflops)} GFLOP/s for a ${peak.size}^3 matMul on ${ctx.backend}${peerPeak ? `, ${f1(peerPeak.peakGflops)} GFLOP/s in PyTorch` : ''}. ${peerNote(peerStatus)}`,
  };
}

/** Gradient and HVP times per model, ours and the peer's; the full Hessian's time in the note. */
export function hvpTableOf(measured: Measured): Table {
  const { hvps, full } = measured;
  return {
    title: 'Hessian-vector product vs gradient (double backprop, second-order gradients enabled)',
    columns: [
      'model',
      'parameters',
      'gradient ms [IQR]',
      'HVP ms [IQR]',
      'HVP / gradient',
      'torch gradient ms',
      'torch HVP ms',
      'torch HVP / gradient',
      'HVP ours / torch',
    ],
    rows: hvps.map((h): Cell[] => [
      h.model,
      h.parameters,
      spreadText(h.gradMs),
      spreadText(h.hvpMs),
      f2(h.ratio),
      h.peer ? spreadText(h.peer.gradMs) : null,
      h.peer ? spreadText(h.peer.hvpMs) : null,
      h.peer ? f2(h.peer.ratio) : null,
      h.peer ? f2(h.hvpMs.median / h.peer.hvpMs.median) : null,
    ]),
    ...(full
      ? {
          note: `Full Hessian of ${full.model} (${full.parameters} parameters, ${full.parameters} HVPs): ${f2(full.seconds)} s; relative asymmetry before symmetrising ${full.asymmetry.toExponential(1)}.`,
        }
      : {}),
  };
}

export function memTableOf(r: PerfResults, rss: number): Table {
  const tensorsStart = r.tensors.start;
  const tensorsEnd = r.tensors.end;
  return {
    title: 'Memory',
    columns: ['peak RSS MiB', 'tfjs tensors at start', 'at end (all disposed)', 'flat across steps'],
    rows: [[Math.round(rss), tensorsStart, tensorsEnd, r.tensors.flat ? 'yes' : 'NO']],
    ...(tensorsEnd !== tensorsStart
      ? {
          note: `${tensorsEnd - tensorsStart} tensors outlive dispose(): created once per model (not per step), by the model constructors of @loop/models.`,
        }
      : {}),
  };
}

/** Which PyTorch peer the torch columns come from, or why there are none. */
export function peerNote(s: PeerStatus | null): string {
  if (s === null) return 'PyTorch peer not requested (add --peer torch).';
  if (!s.available) return `PyTorch peer unavailable: ${s.reason}. To compare, ${PEER_INSTALL_HINT}.`;
  return `PyTorch ${s.info.torch} on ${s.info.threads} CPU threads, BLAS: ${s.info.blas}${s.info.mallocThresholdsPinned ? ", glibc's malloc thresholds pinned (peers/torch_step.py)" : ''}.`;
}
