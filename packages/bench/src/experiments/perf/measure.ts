// The measurements of `loop-bench perf`, in the order they run: the matmul peak, the PyTorch peer,
// the training step of every config (ours and the peer's alternately), then the second-order timings.

import { enableSecondOrderGradients } from '@loop/hessian';
import type { ExperimentContext } from '../../experiment';
import type { Progress } from '../../progress';
import type { PerfConfig, StepResult } from './config';
import { f1, f2 } from './format';
import {
  gptHvpTiming,
  toyFullHessianTiming,
  toyHvpTiming,
  type FullHessianTiming,
  type HvpTiming,
} from './hvp-timing';
import { measurePeakMatmul } from './peak';
import { defaultPeerScript, PEER_INSTALL_HINT, TorchPeer, type PeerStatus } from './peer';
import { measureStep } from './step-measure';
import { summarize, type TimingSummary } from './timing';

export type PeakTiming = ReturnType<typeof measurePeakMatmul>;
export type PeerPeak = { ms: TimingSummary; peakGflops: number; medianGflops: number } | null;
type Bar = ReturnType<Progress['start']>;

export interface Measured {
  peak: PeakTiming;
  peerStatus: PeerStatus | null;
  peerPeak: PeerPeak;
  steps: StepResult[];
  hvps: HvpTiming[];
  full: FullHessianTiming | null;
}

/** Everything perf measures; the progress bar is stopped even when a step fails. */
export async function measureAll(
  ctx: ExperimentContext<PerfConfig>,
  cfg: PerfConfig,
  bar: Bar,
): Promise<Measured> {
  try {
    const peak = matmulPeak(ctx, cfg, bar);
    const { peer, peerStatus, peerPeak } = await startPeer(ctx, cfg);
    let steps: StepResult[];
    let peerHvp: HvpTiming['peer'] = null;
    try {
      steps = await measureSteps(ctx, cfg, { peer, peak, peerPeak }, bar);
      // PyTorch's own HVP / gradient on the GPT model, for scale (before ours: the peer then closes).
      if (peer) peerHvp = await peerHvpTiming(peer, cfg, ctx.seed);
    } finally {
      peer?.close();
    }
    const { hvps, full } = measureSecondOrder(cfg, ctx.seed, peerHvp, bar);
    return { peak, peerStatus, peerPeak, steps, hvps, full };
  } finally {
    bar.done();
  }
}

function matmulPeak(ctx: ExperimentContext<PerfConfig>, cfg: PerfConfig, bar: Bar): PeakTiming {
  const peak = measurePeakMatmul(cfg.peakMatmul.size, cfg.peakMatmul.repeats);
  ctx.log.info(
    `matmul ${peak.size}^3 on ${ctx.backend}: peak ${f1(peak.peakGflops)} GFLOP/s (median ${f1(peak.medianGflops)})`,
  );
  bar.tick(1, 'matmul peak');
  return peak;
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

/** Every config's training step, each a resumable unit. */
async function measureSteps(
  ctx: ExperimentContext<PerfConfig>,
  cfg: PerfConfig,
  against: { peer: TorchPeer | null; peak: PeakTiming; peerPeak: PeerPeak },
  bar: Bar,
): Promise<StepResult[]> {
  const steps: StepResult[] = [];
  for (const c of cfg.configs) {
    const result = await ctx.unit(`step-${c.name}`, () =>
      measureStep(ctx, cfg, c, against.peer, against.peak, against.peerPeak),
    );
    steps.push(result);
    bar.tick(
      1,
      `${c.name}: ${f1(result.ours.ms.median)} ms${result.ratio !== null ? `, ${f2(result.ratio)}x torch` : ''}`,
    );
  }
  return steps;
}

async function peerHvpTiming(peer: TorchPeer, cfg: PerfConfig, seed: number): Promise<HvpTiming['peer']> {
  const p = await peer.hvp({ ...cfg.hvp.gpt }, cfg.hvp.repeats, 3, seed);
  const gradMs = summarize(p.gradMs);
  const hvpMs = summarize(p.hvpMs);
  return { gradMs, hvpMs, ratio: hvpMs.median / gradMs.median };
}

/** HVP / gradient timings and the full toy Hessian, after the step timings (they change gradient registrations). */
function measureSecondOrder(
  cfg: PerfConfig,
  seed: number,
  peerHvp: HvpTiming['peer'],
  bar: Bar,
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
