import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { enableSecondOrderGradients } from '@loop/hessian';
import { nativeMatMulFused, wasmThreads } from '@loop/models';
import { z } from 'zod';
import { defineExperiment } from '../experiment';
import { writeJsonAtomic } from '../io/atomic';
import type { ReportBlock } from '../report/types';
import type { Cell, Table } from '../summary-table';
import { trainStepFlops } from '../perf/flops';
import {
  gptHvpTiming,
  toyFullHessianTiming,
  toyHvpTiming,
  type FullHessianTiming,
  type HvpTiming,
} from '../perf/hvp-timing';
import { measurePeakMatmul } from '../perf/peak';
import { defaultPeerScript, PEER_INSTALL_HINT, TorchPeer, type PeerStatus } from '../perf/peer';
import { peakRssMiB, summarize, timeWallCpu, type TimingSummary } from '../perf/timing';
import { autoMicroBatch, createTrainStep, wasmHeapBytes, type StepConfig } from '../perf/train-step';

const positive = z.number().int().positive();

const stepConfigSchema = z.strictObject({
  name: z.string().min(1),
  nEmbd: positive,
  nHead: positive,
  nLayer: positive.default(1),
  seqLen: positive,
  batch: positive,
  loops: positive,
  vocabSize: z.number().int().min(2).default(6),
  /** Samples per forward/backward pass (gradient accumulation; bounds the wasm heap). Default: batch. */
  microBatch: z.union([positive, z.literal('auto')]).default('auto'),
  /** Timed steps of ours (and of the peer), split over `rounds`. */
  repeats: positive,
});

const toySchema = z.strictObject({
  dim: positive,
  vocabSize: z.number().int().min(2),
  loops: positive,
  seqLen: positive,
  batch: positive,
});

const schema = z
  .strictObject({
    configs: z.array(stepConfigSchema).min(1),
    /** Untimed steps before timing (allocation, weight packing, JIT): at least this many... */
    warmup: z.number().int().min(0),
    /**
     * ...and at least this long (at most MAX_WARMUP_STEPS steps): V8 compiles tfjs' engine paths
     * over the first ~0.7 s of steps (a C64-L1 step: 177, 31-62 ms over the first 10, 14-15 ms from
     * ~step 30), so a fixed count of 2 timed a moving target. The peer gets as many warm-up steps.
     */
    warmupSeconds: z.number().min(0),
    /** Ours and the peer alternate this many times per config (repeats are split evenly). */
    rounds: positive,
    peakMatmul: z.strictObject({ size: positive, repeats: positive }),
    hvp: z.strictObject({
      repeats: positive,
      toy: toySchema,
      gpt: stepConfigSchema.omit({ repeats: true, microBatch: true }),
    }),
    fullHessian: toySchema.nullable(),
    /** 'torch': also run peers/torch_step.py (PyTorch CPU) alternately and report the ratio. */
    peer: z.enum(['none', 'torch']),
    /** Python interpreter for the peer (Debian's python3-torch lives in /usr/bin/python3). */
    python: z.string().min(1),
    peerThreads: positive,
    /** Also write the results as JSON to this file (besides results.json in the run folder). */
    json: z.string().min(1).nullable(),
  })
  .refine((c) => c.configs.every((s) => s.nEmbd % s.nHead === 0), {
    message: 'configs[].nHead must divide nEmbd',
    path: ['configs'],
  })
  .refine((c) => c.configs.every((s) => s.repeats >= c.rounds), {
    message: 'configs[].repeats must be >= rounds',
    path: ['configs'],
  });

type PerfConfig = z.output<typeof schema>;

const STANDARD = [
  { name: 'C64-L1', nEmbd: 64, nHead: 4, seqLen: 21, batch: 32, loops: 1 },
  { name: 'C64-L10', nEmbd: 64, nHead: 4, seqLen: 21, batch: 32, loops: 10 },
  { name: 'C256-L1', nEmbd: 256, nHead: 4, seqLen: 41, batch: 64, loops: 1 },
  { name: 'C256-L10', nEmbd: 256, nHead: 4, seqLen: 41, batch: 64, loops: 10 },
];

/** Cap on the time-based warm-up (`warmupSeconds`). */
const MAX_WARMUP_STEPS = 200;

const common = { peer: 'none' as const, python: '/usr/bin/python3', peerThreads: 2, json: null };

function standard(repeats: number[]): z.input<typeof stepConfigSchema>[] {
  return STANDARD.map((c, i) => ({ ...c, nLayer: 1, vocabSize: 6, repeats: repeats[i]! }));
}

/** One config's timings. */
export interface StepResult {
  config: StepConfig;
  flops: number;
  /** Untimed steps run before timing (ours; the peer ran as many). */
  warmupSteps: number;
  /** cpuMs: process CPU time per step (user + system, all threads): far less sensitive to machine load than wall time. */
  ours: {
    ms: TimingSummary;
    cpuMs: TimingSummary;
    tokensPerS: number;
    gflops: number;
    peakShare: number;
    loss: number;
    tensorsBefore: number;
    tensorsAfter: number;
  };
  peer: {
    ms: TimingSummary;
    cpuMs: TimingSummary;
    tokensPerS: number;
    gflops: number;
    peakShare: number | null;
  } | null;
  /** median ours / median peer. */
  ratio: number | null;
  rssMiB: number;
  /** wasm linear memory after this config (monotone; the cap is 4096 MiB); null on other backends. */
  wasmHeapMiB: number | null;
}

function heapMiB(): number | null {
  const b = wasmHeapBytes();
  return b === null ? null : Math.round(b / 2 ** 20);
}

const f1 = (x: number): number => Math.round(x * 10) / 10;
const f2 = (x: number): number => Math.round(x * 100) / 100;
const spreadText = (s: TimingSummary): string => `${f1(s.median)} [${f1(s.q1)}–${f1(s.q3)}]`;

export const perfExperiment = defineExperiment({
  name: 'perf',
  summary:
    'ms per training step (fwd+bwd+AdamW), tokens/s, GFLOP/s vs matmul peak, HVP/gradient, full Hessian; optional PyTorch peer',
  flags: [
    {
      flags: '--peer <name>',
      description:
        'torch: also run peers/torch_step.py (PyTorch CPU) alternately and report the ratio per config (config field "peer")',
      field: 'peer',
    },
    {
      flags: '--json <file>',
      description: 'also write the results as JSON to this file (config field "json")',
      field: 'json',
    },
  ],
  help: [
    '--peer torch and --json FILE set the config fields "peer" and "json"; the other fields go in a --config JSON file:',
    '  {"python": "/usr/bin/python3", "peerThreads": 2, "rounds": 3, "configs": [...]}',
    'The wasm backend runs its matrix products on --threads threads (default: one per core); the peer uses peerThreads.',
    `Peer install (Debian): apt-get install -y python3-torch libopenblas0-pthread. Without it the peer is reported as unavailable and perf still runs.`,
    'Timings on a loaded machine are noisy: medians with the interquartile range are reported.',
  ].join('\n'),
  schema,
  profiles: {
    smoke: {
      seeds: 1,
      why: 'seconds; tiny configs, 3 timed steps; numbers are not meaningful',
      config: {
        configs: [
          { name: 'tiny-L1', nEmbd: 16, nHead: 2, seqLen: 5, batch: 4, loops: 1, repeats: 3 },
          { name: 'tiny-L2', nEmbd: 16, nHead: 2, seqLen: 5, batch: 4, loops: 2, repeats: 3 },
        ],
        warmup: 1,
        warmupSeconds: 0,
        rounds: 1,
        peakMatmul: { size: 128, repeats: 2 },
        hvp: {
          repeats: 2,
          toy: { dim: 4, vocabSize: 4, loops: 3, seqLen: 4, batch: 8 },
          gpt: { name: 'tiny-gpt', nEmbd: 8, nHead: 2, seqLen: 4, batch: 2, loops: 2 },
        },
        fullHessian: { dim: 3, vocabSize: 3, loops: 3, seqLen: 4, batch: 8 },
        ...common,
      },
    },
    quick: {
      seeds: 1,
      why: 'the standard configs (n_embd 64/4 heads/seq 21/batch 32 and 256/4/41/64, 1 and 10 loops), few repetitions: ~2-4 min on 2 cores with wasm (add the peer: x1.3)',
      config: {
        configs: standard([20, 8, 6, 3]),
        warmup: 2,
        warmupSeconds: 1.5,
        rounds: 3,
        peakMatmul: { size: 1024, repeats: 5 },
        hvp: {
          repeats: 10,
          toy: { dim: 8, vocabSize: 8, loops: 3, seqLen: 8, batch: 64 },
          gpt: { name: 'GPT block C64', nEmbd: 64, nHead: 4, seqLen: 21, batch: 32, loops: 1 },
        },
        fullHessian: { dim: 8, vocabSize: 8, loops: 3, seqLen: 8, batch: 64 },
        ...common,
      },
    },
    full: {
      seeds: 1,
      why: 'the standard configs with more repetitions and the HVP on the n_embd 256 block: ~15 min on 2 cores with wasm',
      config: {
        configs: standard([60, 20, 15, 6]),
        warmup: 3,
        warmupSeconds: 2,
        rounds: 3,
        peakMatmul: { size: 1024, repeats: 10 },
        hvp: {
          repeats: 10,
          toy: { dim: 8, vocabSize: 8, loops: 3, seqLen: 8, batch: 64 },
          gpt: { name: 'GPT block C256', nEmbd: 256, nHead: 4, seqLen: 41, batch: 64, loops: 1 },
        },
        fullHessian: { dim: 8, vocabSize: 8, loops: 3, seqLen: 8, batch: 64 },
        ...common,
      },
    },
    paper: {
      seeds: 1,
      why: 'same as full (the paper reports no timings); meant for tfjs-node(-gpu)',
      config: {
        configs: standard([60, 20, 15, 6]),
        warmup: 3,
        warmupSeconds: 2,
        rounds: 3,
        peakMatmul: { size: 2048, repeats: 10 },
        hvp: {
          repeats: 10,
          toy: { dim: 8, vocabSize: 8, loops: 3, seqLen: 8, batch: 64 },
          gpt: { name: 'GPT block C256', nEmbd: 256, nHead: 4, seqLen: 41, batch: 64, loops: 1 },
        },
        fullHessian: { dim: 8, vocabSize: 8, loops: 3, seqLen: 8, batch: 64 },
        ...common,
      },
    },
  },
  async run(ctx) {
    const cfg: PerfConfig = ctx.config;
    const tensorsStart = tf.memory().numTensors;
    const bar = ctx.progress.start('perf', cfg.configs.length + 3);
    // The bar is stopped even when a step fails (a running bar keeps the process alive).
    const measured = await (async () => {
      const peak = measurePeakMatmul(cfg.peakMatmul.size, cfg.peakMatmul.repeats);
      ctx.log.info(
        `matmul ${peak.size}^3 on ${ctx.backend}: peak ${f1(peak.peakGflops)} GFLOP/s (median ${f1(peak.medianGflops)})`,
      );
      bar.tick(1, 'matmul peak');

      let peerStatus: PeerStatus | null = null;
      let peer: TorchPeer | null = null;
      let peerPeak: { ms: TimingSummary; peakGflops: number; medianGflops: number } | null = null;
      if (cfg.peer === 'torch') {
        const started = await TorchPeer.start(cfg.python, defaultPeerScript(), cfg.peerThreads);
        peerStatus = started.status;
        peer = started.peer;
        if (peerStatus.available) {
          ctx.log.info(
            `peer: PyTorch ${peerStatus.info.torch} on ${peerStatus.info.threads} threads, BLAS ${peerStatus.info.blas}, malloc thresholds ${peerStatus.info.mallocThresholdsPinned ? 'pinned' : 'glibc default'}`,
          );
          const ms = summarize(await peer!.matmul(cfg.peakMatmul.size, cfg.peakMatmul.repeats));
          const fl = 2 * cfg.peakMatmul.size ** 3;
          peerPeak = { ms, peakGflops: fl / (ms.min * 1e6), medianGflops: fl / (ms.median * 1e6) };
        } else {
          ctx.log.warn(
            `peer torch unavailable (${peerStatus.reason}); perf continues without it. To compare, ${PEER_INSTALL_HINT}.`,
          );
        }
      }

      const steps: StepResult[] = [];
      let peerHvp: HvpTiming['peer'] = null;
      try {
        for (const c of cfg.configs) {
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
          // 'auto': micro-batches only on wasm, sized so the 4 GiB heap cannot overflow (an abort kills the process).
          const micro =
            c.microBatch === 'auto' ? (ctx.backend === 'wasm' ? autoMicroBatch(sc) : c.batch) : c.microBatch;
          if (micro < c.batch) sc.microBatch = micro;
          const result = await ctx.unit(`step-${c.name}`, async () => {
            const flops = trainStepFlops({ ...sc }).total;
            const tokens = c.batch * c.seqLen;
            const ours: number[] = [];
            const oursCpu: number[] = [];
            const theirs: number[] = [];
            const theirsCpu: number[] = [];
            const bench = createTrainStep(sc, ctx.seed);
            let loss = NaN;
            let warmupSteps = 0;
            let tensorsBefore: number;
            let tensorsAfter: number;
            try {
              const w0 = performance.now();
              while (
                warmupSteps < cfg.warmup ||
                (performance.now() - w0 < cfg.warmupSeconds * 1000 && warmupSteps < MAX_WARMUP_STEPS)
              ) {
                bench.step();
                warmupSteps++;
              }
              tensorsBefore = tf.memory().numTensors;
              const per = Math.floor(c.repeats / cfg.rounds);
              for (let r = 0; r < cfg.rounds; r++) {
                const n = r === cfg.rounds - 1 ? c.repeats - per * (cfg.rounds - 1) : per;
                for (let i = 0; i < n; i++) {
                  const { ms, cpuMs } = timeWallCpu(() => (loss = bench.step()));
                  ctx.metric({
                    series: 'perf',
                    run: `ours/${c.name}`,
                    step: ours.length,
                    values: { ms, cpuMs, loss },
                  });
                  ours.push(ms);
                  oursCpu.push(cpuMs);
                }
                if (peer) {
                  const { microBatch: _m, ...whole } = sc; // the peer always runs the whole batch
                  const p = await peer.step(whole, n, r === 0 ? warmupSteps : 0, ctx.seed);
                  p.ms.forEach((ms, k) => {
                    const cpuMs = p.cpuMs[k] ?? null;
                    ctx.metric({
                      series: 'perf',
                      run: `torch/${c.name}`,
                      step: theirs.length,
                      values: { ms, cpuMs, loss: p.loss },
                    });
                    theirs.push(ms);
                    if (cpuMs !== null) theirsCpu.push(cpuMs);
                  });
                }
              }
              tensorsAfter = tf.memory().numTensors;
            } finally {
              bench.dispose();
            }
            const o = summarize(ours);
            const gflops = flops / (o.median * 1e6);
            let peerPart: StepResult['peer'] = null;
            if (theirs.length > 0) {
              const t = summarize(theirs);
              const g = flops / (t.median * 1e6);
              peerPart = {
                ms: t,
                cpuMs: summarize(theirsCpu),
                tokensPerS: tokens / (t.median / 1000),
                gflops: g,
                peakShare: peerPeak ? g / peerPeak.peakGflops : null,
              };
            }
            const out: StepResult = {
              config: sc,
              flops,
              warmupSteps,
              ours: {
                ms: o,
                cpuMs: summarize(oursCpu),
                tokensPerS: tokens / (o.median / 1000),
                gflops,
                peakShare: gflops / peak.peakGflops,
                loss,
                tensorsBefore,
                tensorsAfter,
              },
              peer: peerPart,
              ratio: peerPart ? o.median / peerPart.ms.median : null,
              rssMiB: peakRssMiB(),
              wasmHeapMiB: heapMiB(),
            };
            return out;
          });
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

      // Second-order gradients change kernel gradient registrations globally, so they come after the step timings.
      enableSecondOrderGradients();
      const hvps: HvpTiming[] = [
        toyHvpTiming(cfg.hvp.toy, cfg.hvp.repeats, ctx.seed),
        { ...gptHvpTiming({ ...cfg.hvp.gpt }, cfg.hvp.repeats, ctx.seed), peer: peerHvp },
      ];
      bar.tick(1, `HVP/grad ${hvps.map((h) => f2(h.ratio)).join(', ')}`);
      const full: FullHessianTiming | null = cfg.fullHessian
        ? toyFullHessianTiming(cfg.fullHessian, ctx.seed)
        : null;
      bar.tick(1, full ? `full Hessian ${f2(full.seconds)} s` : 'no full Hessian');
      return { peak, peerStatus, peerPeak, steps, hvps, full };
    })().finally(() => bar.done());
    const { peak, peerStatus, peerPeak, steps, hvps, full } = measured;
    const tensorsEnd = tf.memory().numTensors;
    const rss = peakRssMiB();

    const machinePeak = Math.max(peak.peakGflops, peerPeak?.peakGflops ?? 0);
    const threads = ctx.backend === 'wasm' ? wasmThreads() : null;
    const fused = ctx.backend === 'wasm' ? nativeMatMulFused() : null;
    const results = {
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
    if (cfg.json) writeJsonAtomic(cfg.json, results);

    const stepTable: Table = {
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
    const hvpTable: Table = {
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
    const memTable: Table = {
      title: 'Memory',
      columns: ['peak RSS MiB', 'tfjs tensors at start', 'at end (all disposed)', 'flat across steps'],
      rows: [[Math.round(rss), tensorsStart, tensorsEnd, results.tensors.flat ? 'yes' : 'NO']],
      ...(tensorsEnd !== tensorsStart
        ? {
            note: `${tensorsEnd - tensorsStart} tensors outlive dispose(): created once per model (not per step), by the model constructors of @loop/models.`,
          }
        : {}),
    };

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
      held: results.tensors.flat,
      evidence: `per config after warm-up → after the last step ${steps.map((s) => `${s.ours.tensorsBefore}→${s.ours.tensorsAfter}`).join(', ')}; ${tensorsStart} at start, ${tensorsEnd} after disposing everything`,
    });

    return {
      results,
      sections: [
        {
          title: 'Training step',
          blocks: [
            {
              kind: 'text',
              markdown: [
                `One step = forward over all loops (read-out after every loop), token-mean cross-entropy at the last loop, backward, AdamW (lr ${1e-3}, weight decay 0.01). Random tokens from a 6-symbol one-hot vocabulary, full mask. Warm-up: at least ${cfg.warmup} step(s) and ${cfg.warmupSeconds} s (at most ${MAX_WARMUP_STEPS} steps; the peer runs as many), then ${cfg.rounds} round(s) alternating ours and the peer.`,
                `${results.load}`,
              ].join('\n\n'),
            },
            { kind: 'table', table: stepTable },
          ],
        },
        {
          title: 'Second order',
          blocks: [
            {
              kind: 'text',
              markdown: `Gradient = forward + backward; HVP = double backprop of <gradient, v> (\`@loop/hessian\` gradientVector and hvp, both read back), ${cfg.hvp.repeats} of each alternately after a warm-up. The torch columns (with --peer torch) time the same GPT model and step loss in peers/torch_step.py (torch.autograd.grad with create_graph=True) on ${cfg.peerThreads} thread(s), just before ours.`,
            },
            { kind: 'table', table: hvpTable },
          ],
        },
        { title: 'Memory', blocks: [{ kind: 'table', table: memTable }] },
        { title: 'Targets (issue 9)', blocks: verdicts },
      ],
      summary: [
        {
          title: stepTable.title!,
          columns: ['config', 'ms [IQR]', 'tok/s', 'GFLOP/s', '% peak', 'torch ms', 'ratio'],
          rows: stepTable.rows.map((r) => r.slice(0, 7)),
          note: stepTable.note,
        },
        {
          title: 'HVP / gradient',
          columns: ['model', 'grad ms', 'HVP ms', 'ratio', 'torch ratio'],
          rows: hvps.map((h) => [
            h.model,
            f1(h.gradMs.median),
            f1(h.hvpMs.median),
            f2(h.ratio),
            h.peer ? f2(h.peer.ratio) : null,
          ]),
          ...(hvpTable.note ? { note: hvpTable.note } : {}),
        },
        memTable,
      ],
    };
  },
});

function peerNote(s: PeerStatus | null): string {
  if (s === null) return 'PyTorch peer not requested (add --peer torch).';
  if (!s.available) return `PyTorch peer unavailable: ${s.reason}. To compare, ${PEER_INSTALL_HINT}.`;
  return `PyTorch ${s.info.torch} on ${s.info.threads} CPU threads, BLAS: ${s.info.blas}${s.info.mallocThresholdsPinned ? ", glibc's malloc thresholds pinned (peers/torch_step.py)" : ''}.`;
}

function loadNote(): string {
  const [l1] = loadavg();
  return `Machine: ${cpus().length} CPU(s), load average ${l1!.toFixed(1)} at the end of the run (timings are noisier when it exceeds the CPU count).`;
}
