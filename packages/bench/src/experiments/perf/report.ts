// The report of `loop-bench perf`: results.json, the step / second-order / memory tables, the
// targets as verdicts, and the summary printed at the end.

import { cpus, loadavg } from 'node:os';
import { nativeMatMulFused, wasmThreads } from '@loop/models';
import type { ExperimentContext, ExperimentOutput } from '../../experiment';
import { writeJsonAtomic } from '../../io/atomic';
import { PEER_INSTALL_HINT, type PeerStatus } from './peer';
import type { TimingSummary } from './timing';
import type { ReportBlock } from '../../report/types';
import type { Cell, Table } from '../../summary-table';
import { MAX_WARMUP_STEPS, type PerfConfig, type StepResult } from './config';
import { f1, f2, type Measured } from './measure';

const spreadText = (s: TimingSummary): string => `${f1(s.median)} [${f1(s.q1)}–${f1(s.q3)}]`;

type Tensors = { start: number; end: number };

/** The JSON of a perf run (results.json and --json). */
function resultsOf(ctx: ExperimentContext<PerfConfig>, measured: Measured, tensors: Tensors, rss: number) {
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

type Results = ReturnType<typeof resultsOf>;

function stepTableOf(ctx: ExperimentContext<PerfConfig>, measured: Measured, r: Results): Table {
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

function hvpTableOf(measured: Measured): Table {
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

function memTableOf(r: Results, rss: number): Table {
  const tensorsStart = r.tensors.start;
  const tensorsEnd = r.tensors.end;
  const results = r;
  return {
    title: 'Memory',
    columns: ['peak RSS MiB', 'tfjs tensors at start', 'at end (all disposed)', 'flat across steps'],
    rows: [[Math.round(rss), tensorsStart, tensorsEnd, results.tensors.flat ? 'yes' : 'NO']],
    ...(tensorsEnd !== tensorsStart
      ? {
          note: `${tensorsEnd - tensorsStart} tensors outlive dispose(): created once per model (not per step), by the model constructors of @loop/models.`,
        }
      : {}),
  };
}

/** The targets of the performance work, as verdicts: step at most 2x (n_embd 256: 3x) PyTorch, HVP at most 3x the gradient, flat tensors. */
function perfVerdicts(measured: Measured, r: Results): ReportBlock[] {
  const { peerStatus, steps, hvps } = measured;
  const tensorsStart = r.tensors.start;
  const tensorsEnd = r.tensors.end;
  const results = r;
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

  return verdicts;
}

/** Builds results.json (and `--json`), the report sections and the summary from the measurements. */
export function perfReport(
  ctx: ExperimentContext<PerfConfig>,
  cfg: PerfConfig,
  measured: Measured,
  tensors: Tensors,
  rss: number,
): ExperimentOutput {
  const { hvps } = measured;
  const results = resultsOf(ctx, measured, tensors, rss);
  if (cfg.json) writeJsonAtomic(cfg.json, results);
  const stepTable = stepTableOf(ctx, measured, results);
  const hvpTable = hvpTableOf(measured);
  const memTable = memTableOf(results, rss);
  const verdicts = perfVerdicts(measured, results);
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
}

function peerNote(s: PeerStatus | null): string {
  if (s === null) return 'PyTorch peer not requested (add --peer torch).';
  if (!s.available) return `PyTorch peer unavailable: ${s.reason}. To compare, ${PEER_INSTALL_HINT}.`;
  return `PyTorch ${s.info.torch} on ${s.info.threads} CPU threads, BLAS: ${s.info.blas}${s.info.mallocThresholdsPinned ? ", glibc's malloc thresholds pinned (peers/torch_step.py)" : ''}.`;
}

function loadNote(): string {
  const [l1] = loadavg();
  return `Machine: ${cpus().length} CPU(s), load average ${l1!.toFixed(1)} at the end of the run (timings are noisier when it exceeds the CPU count).`;
}
