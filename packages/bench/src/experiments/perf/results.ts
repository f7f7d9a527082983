// The JSON of a perf run (results.json and --json): the measurements plus the backend, the tensor
// counts and the machine's load.

import { cpus, loadavg } from 'node:os';
import { nativeMatMulFused, wasmThreads } from '@loop/models';
import type { ExperimentContext } from '../../experiment';
import type { PerfConfig } from './config';
import type { Measured } from './measure';

/** tfjs tensors alive before and after everything perf measured. */
export type Tensors = { start: number; end: number };

export function perfResults(
  ctx: ExperimentContext<PerfConfig>,
  measured: Measured,
  tensors: Tensors,
  rss: number,
) {
  const { peak, peerStatus, peerPeak, steps, hvps, full } = measured;
  const tensorsStart = tensors.start;
  const tensorsEnd = tensors.end;
  const machinePeak = Math.max(peak.peakGflops, peerPeak?.peakGflops ?? 0);
  const threads = ctx.backend === 'wasm' ? wasmThreads() : null;
  const fused = ctx.backend === 'wasm' ? nativeMatMulFused() : null;
  return {
    backend: ctx.backend,
    /** XNNPACK threads of the wasm backend (null on other backends). */
    wasmThreads: threads,
    /** Whether the wasm backend's products fuse each multiply-add (LOOP_NATIVE_FMA; null elsewhere). */
    fusedProducts: fused,
    matmulPeak: peak,
    machinePeakGflops: machinePeak,
    peer: peerStatus === null ? { requested: false } : { requested: true, ...peerStatus, peak: peerPeak },
    steps,
    hvp: hvps,
    fullHessian: full,
    tensors: {
      start: tensorsStart,
      end: tensorsEnd,
      /** Same count after the warm-up and after the last timed step, for every config. */
      flat: steps.every((s) => s.ours.tensorsAfter === s.ours.tensorsBefore),
      /** Tensors still alive after every model, optimiser and batch was disposed (0 = no leak anywhere). */
      leftAfterDispose: tensorsEnd - tensorsStart,
    },
    peakRssMiB: rss,
    load: loadNote(),
  };
}

export type PerfResults = ReturnType<typeof perfResults>;

function loadNote(): string {
  const [l1] = loadavg();
  return `Machine: ${cpus().length} CPU(s), load average ${l1!.toFixed(1)} at the end of the run (timings are noisier when it exceeds the CPU count).`;
}
