// The measurements of `loop-bench perf`, in the order they run: the matmul peak, the PyTorch peer,
// the training step of every config (ours and the peer's alternately), then the second-order timings.

import * as tf from '@tensorflow/tfjs';
import { enableSecondOrderGradients } from '@loop/hessian';
import type { ExperimentContext } from '../../experiment';
import { trainStepFlops } from './flops';
import {
  gptHvpTiming,
  toyFullHessianTiming,
  toyHvpTiming,
  type FullHessianTiming,
  type HvpTiming,
} from './hvp-timing';
import { measurePeakMatmul } from './peak';
import { defaultPeerScript, PEER_INSTALL_HINT, TorchPeer, type PeerStatus } from './peer';
import { peakRssMiB, summarize, timeWallCpu, type TimingSummary } from './timing';
import {
  autoMicroBatch,
  createTrainStep,
  wasmHeapBytes,
  type StepConfig,
  type TrainStepBench,
} from './train-step';
import type { Progress } from '../../progress';
import { MAX_WARMUP_STEPS, type PerfConfig, type StepResult } from './config';

type PeakTiming = ReturnType<typeof measurePeakMatmul>;
type PeerPeak = { ms: TimingSummary; peakGflops: number; medianGflops: number } | null;

export interface Measured {
  peak: PeakTiming;
  peerStatus: PeerStatus | null;
  peerPeak: PeerPeak;
  steps: StepResult[];
  hvps: HvpTiming[];
  full: FullHessianTiming | null;
}

export const f1 = (x: number): number => Math.round(x * 10) / 10;
export const f2 = (x: number): number => Math.round(x * 100) / 100;

/** Everything perf measures; the progress bar is stopped even when a step fails. */
export async function measureAll(
  ctx: ExperimentContext<PerfConfig>,
  cfg: PerfConfig,
  bar: ReturnType<Progress['start']>,
): Promise<Measured> {
  try {
    const peak = measurePeakMatmul(cfg.peakMatmul.size, cfg.peakMatmul.repeats);
    ctx.log.info(
      `matmul ${peak.size}^3 on ${ctx.backend}: peak ${f1(peak.peakGflops)} GFLOP/s (median ${f1(peak.medianGflops)})`,
    );
    bar.tick(1, 'matmul peak');
    const { peer, peerStatus, peerPeak } = await startPeer(ctx, cfg);
    const steps: StepResult[] = [];
    let peerHvp: HvpTiming['peer'] = null;
    try {
      for (const c of cfg.configs) {
        const result = await ctx.unit(`step-${c.name}`, () => measureStep(ctx, cfg, c, peer, peak, peerPeak));
        steps.push(result);
        bar.tick(
          1,
          `${c.name}: ${f1(result.ours.ms.median)} ms${result.ratio !== null ? `, ${f2(result.ratio)}x torch` : ''}`,
        );
      }
      if (peer) {
        // PyTorch's own HVP / gradient on the GPT model, for scale (before ours: the peer then closes).
        const p = await peer.hvp({ ...cfg.hvp.gpt }, cfg.hvp.repeats, 3, ctx.seed);
        const gradMs = summarize(p.gradMs);
        const hvpMs = summarize(p.hvpMs);
        peerHvp = { gradMs, hvpMs, ratio: hvpMs.median / gradMs.median };
      }
    } finally {
      peer?.close();
    }
    const { hvps, full } = measureSecondOrder(cfg, ctx.seed, peerHvp, bar);
    return { peak, peerStatus, peerPeak, steps, hvps, full };
  } finally {
    bar.done();
  }
}

/** Starts the PyTorch peer when asked (and times its matmul peak); unavailable is a warning, not an error. */
async function startPeer(
  ctx: ExperimentContext<PerfConfig>,
  cfg: PerfConfig,
): Promise<{ peer: TorchPeer | null; peerStatus: PeerStatus | null; peerPeak: PeerPeak }> {
  if (cfg.peer !== 'torch') return { peer: null, peerStatus: null, peerPeak: null };
  const started = await TorchPeer.start(cfg.python, defaultPeerScript(), cfg.peerThreads);
  const peerStatus = started.status;
  if (!peerStatus.available) {
    ctx.log.warn(
      `peer torch unavailable (${peerStatus.reason}); perf continues without it. To compare, ${PEER_INSTALL_HINT}.`,
    );
    return { peer: started.peer, peerStatus, peerPeak: null };
  }
  ctx.log.info(
    `peer: PyTorch ${peerStatus.info.torch} on ${peerStatus.info.threads} threads, BLAS ${peerStatus.info.blas}, malloc thresholds ${peerStatus.info.mallocThresholdsPinned ? 'pinned' : 'glibc default'}`,
  );
  const peer = started.peer!;
  const ms = summarize(await peer.matmul(cfg.peakMatmul.size, cfg.peakMatmul.repeats));
  const fl = 2 * cfg.peakMatmul.size ** 3;
  return {
    peer,
    peerStatus,
    peerPeak: { ms, peakGflops: fl / (ms.min * 1e6), medianGflops: fl / (ms.median * 1e6) },
  };
}

/** The step config of one perf config; 'auto' micro-batches only on wasm, sized so the 4 GiB heap cannot overflow. */
function stepConfigOf(c: PerfConfig['configs'][number], backend: string): StepConfig {
  const sc: StepConfig = {
    name: c.name,
    nEmbd: c.nEmbd,
    nHead: c.nHead,
    nLayer: c.nLayer,
    seqLen: c.seqLen,
    batch: c.batch,
    loops: c.loops,
    vocabSize: c.vocabSize,
  };
  const micro = c.microBatch === 'auto' ? (backend === 'wasm' ? autoMicroBatch(sc) : c.batch) : c.microBatch;
  if (micro < c.batch) sc.microBatch = micro;
  return sc;
}

/** Untimed steps: at least `warmup` of them and `warmupSeconds` long (at most MAX_WARMUP_STEPS). */
function warmUp(bench: TrainStepBench, cfg: PerfConfig): number {
  let n = 0;
  const w0 = performance.now();
  while (n < cfg.warmup || (performance.now() - w0 < cfg.warmupSeconds * 1000 && n < MAX_WARMUP_STEPS)) {
    bench.step();
    n++;
  }
  return n;
}

interface Series {
  ms: number[];
  cpuMs: number[];
}

/** One config: warm-up, then `rounds` rounds of our timed steps followed by the peer's. */
async function measureStep(
  ctx: ExperimentContext<PerfConfig>,
  cfg: PerfConfig,
  c: PerfConfig['configs'][number],
  peer: TorchPeer | null,
  peak: PeakTiming,
  peerPeak: PeerPeak,
): Promise<StepResult> {
  const sc = stepConfigOf(c, ctx.backend);
  const ours: Series = { ms: [], cpuMs: [] };
  const theirs: Series = { ms: [], cpuMs: [] };
  const bench = createTrainStep(sc, ctx.seed);
  let loss = NaN;
  let warmupSteps: number;
  let tensorsBefore: number;
  let tensorsAfter: number;
  try {
    warmupSteps = warmUp(bench, cfg);
    tensorsBefore = tf.memory().numTensors;
    const per = Math.floor(c.repeats / cfg.rounds);
    for (let r = 0; r < cfg.rounds; r++) {
      const n = r === cfg.rounds - 1 ? c.repeats - per * (cfg.rounds - 1) : per;
      for (let i = 0; i < n; i++) {
        const { ms, cpuMs } = timeWallCpu(() => (loss = bench.step()));
        ctx.metric({
          series: 'perf',
          run: `ours/${c.name}`,
          step: ours.ms.length,
          values: { ms, cpuMs, loss },
        });
        ours.ms.push(ms);
        ours.cpuMs.push(cpuMs);
      }
      if (peer) await peerRound(ctx, peer, sc, n, r === 0 ? warmupSteps : 0, theirs, c.name);
    }
    tensorsAfter = tf.memory().numTensors;
  } finally {
    bench.dispose();
  }
  return stepResult(sc, { ours, theirs, loss, warmupSteps, tensorsBefore, tensorsAfter }, peak, peerPeak);
}

/** `n` of the peer's steps on the whole batch (it has no heap cap), after `warmup` untimed ones. */
async function peerRound(
  ctx: ExperimentContext<PerfConfig>,
  peer: TorchPeer,
  sc: StepConfig,
  n: number,
  warmup: number,
  theirs: Series,
  name: string,
): Promise<void> {
  const { microBatch: _m, ...whole } = sc;
  const p = await peer.step(whole, n, warmup, ctx.seed);
  p.ms.forEach((ms, k) => {
    const cpuMs = p.cpuMs[k] ?? null;
    ctx.metric({
      series: 'perf',
      run: `torch/${name}`,
      step: theirs.ms.length,
      values: { ms, cpuMs, loss: p.loss },
    });
    theirs.ms.push(ms);
    if (cpuMs !== null) theirs.cpuMs.push(cpuMs);
  });
}

function stepResult(
  sc: StepConfig,
  m: {
    ours: Series;
    theirs: Series;
    loss: number;
    warmupSteps: number;
    tensorsBefore: number;
    tensorsAfter: number;
  },
  peak: PeakTiming,
  peerPeak: PeerPeak,
): StepResult {
  const flops = trainStepFlops({ ...sc }).total;
  const tokens = sc.batch * sc.seqLen;
  const o = summarize(m.ours.ms);
  const gflops = flops / (o.median * 1e6);
  let peer: StepResult['peer'] = null;
  if (m.theirs.ms.length > 0) {
    const t = summarize(m.theirs.ms);
    const g = flops / (t.median * 1e6);
    peer = {
      ms: t,
      cpuMs: summarize(m.theirs.cpuMs),
      tokensPerS: tokens / (t.median / 1000),
      gflops: g,
      peakShare: peerPeak ? g / peerPeak.peakGflops : null,
    };
  }
  const heap = wasmHeapBytes();
  return {
    config: sc,
    flops,
    warmupSteps: m.warmupSteps,
    ours: {
      ms: o,
      cpuMs: summarize(m.ours.cpuMs),
      tokensPerS: tokens / (o.median / 1000),
      gflops,
      peakShare: gflops / peak.peakGflops,
      loss: m.loss,
      tensorsBefore: m.tensorsBefore,
      tensorsAfter: m.tensorsAfter,
    },
    peer,
    ratio: peer ? o.median / peer.ms.median : null,
    rssMiB: peakRssMiB(),
    wasmHeapMiB: heap === null ? null : Math.round(heap / 2 ** 20),
  };
}

/** HVP / gradient timings and the full toy Hessian, after the step timings (they change gradient registrations). */
function measureSecondOrder(
  cfg: PerfConfig,
  seed: number,
  peerHvp: HvpTiming['peer'],
  bar: ReturnType<Progress['start']>,
): { hvps: HvpTiming[]; full: FullHessianTiming | null } {
  enableSecondOrderGradients();
  const hvps: HvpTiming[] = [
    toyHvpTiming(cfg.hvp.toy, cfg.hvp.repeats, seed),
    { ...gptHvpTiming({ ...cfg.hvp.gpt }, cfg.hvp.repeats, seed), peer: peerHvp },
  ];
  bar.tick(1, `HVP/grad ${hvps.map((h) => f2(h.ratio)).join(', ')}`);
  const full = cfg.fullHessian ? toyFullHessianTiming(cfg.fullHessian, seed) : null;
  bar.tick(1, full ? `full Hessian ${f2(full.seconds)} s` : 'no full Hessian');
  return { hvps, full };
}
