// One perf config's training step: warm-up, then rounds of our timed steps each followed by the
// PyTorch peer's, and the step's throughput against the matmul peaks.

import * as tf from '@tensorflow/tfjs';
import type { ExperimentContext } from '../../experiment';
import { MAX_WARMUP_STEPS, type PerfConfig, type StepResult } from './config';
import { trainStepFlops } from './flops';
import type { PeakTiming, PeerPeak } from './measure';
import type { TorchPeer } from './peer';
import { peakRssMiB, summarize, timeWallCpu } from './timing';
import {
  autoMicroBatch,
  createTrainStep,
  wasmHeapBytes,
  type StepConfig,
  type TrainStepBench,
} from './train-step';

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

/** What one config's timing collects: both series, our last loss, the warm-up and the tensor counts. */
interface StepRun {
  ours: Series;
  theirs: Series;
  loss: number;
  warmupSteps: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

/** One config: warm-up, then `rounds` rounds of our timed steps followed by the peer's. */
export async function measureStep(
  ctx: ExperimentContext<PerfConfig>,
  cfg: PerfConfig,
  c: PerfConfig['configs'][number],
  peer: TorchPeer | null,
  peak: PeakTiming,
  peerPeak: PeerPeak,
): Promise<StepResult> {
  const sc = stepConfigOf(c, ctx.backend);
  const bench = createTrainStep(sc, ctx.seed);
  let run: StepRun;
  try {
    run = await timeRounds(ctx, cfg, c, sc, bench, peer);
  } finally {
    bench.dispose();
  }
  return stepResult(sc, run, peak, peerPeak);
}

/** The warm-up, then `c.repeats` timed steps split over the rounds (the last takes the remainder). */
async function timeRounds(
  ctx: ExperimentContext<PerfConfig>,
  cfg: PerfConfig,
  c: PerfConfig['configs'][number],
  sc: StepConfig,
  bench: TrainStepBench,
  peer: TorchPeer | null,
): Promise<StepRun> {
  const ours: Series = { ms: [], cpuMs: [] };
  const theirs: Series = { ms: [], cpuMs: [] };
  let loss = NaN;
  const warmupSteps = warmUp(bench, cfg);
  const tensorsBefore = tf.memory().numTensors;
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
    // The peer warms up as many steps as we did, in its first round.
    if (peer) await peerRound(ctx, peer, sc, n, r === 0 ? warmupSteps : 0, theirs, c.name);
  }
  const tensorsAfter = tf.memory().numTensors;
  return { ours, theirs, loss, warmupSteps, tensorsBefore, tensorsAfter };
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

/** Medians, throughput and share of the peak of ours and the peer's series; memory after the config. */
function stepResult(sc: StepConfig, m: StepRun, peak: PeakTiming, peerPeak: PeerPeak): StepResult {
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
