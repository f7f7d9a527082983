import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createLoopedGPT, initBackend, stepLoss } from '@loop/models';
import { loopedSchedule, train } from '@loop/shift';
import { perfExperiment } from '../src/experiments/perf';
import { trainStepFlops } from '../src/experiments/perf/flops';
import { defaultPeerScript, TorchPeer } from '../src/experiments/perf/peer';
import { summarize } from '../src/experiments/perf/timing';
import {
  autoMicroBatch,
  createTrainStep,
  estimateStepHeapMiB,
  gptConfigOf,
  PERF_ADAMW,
  PERF_CLIP_NORM,
  randomBatch,
  type StepConfig,
} from '../src/experiments/perf/train-step';
import { main } from '../src/program';
import { sink } from './helpers';

const tmp = () => mkdtempSync(join(tmpdir(), 'bench-perf-'));

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

describe('matmul FLOP count of a training step', () => {
  test('matches a hand count on a tiny config', () => {
    // B 1, T 2, C 2, V = O = 3, 1 layer. Forward: read-in 2*2*3*2 = 24; layer 24*N*C^2 = 24*2*4 = 192
    // plus scores/weighted sum 4*B*T^2*C = 4*1*4*2 = 32; head 2*N*C*O = 2*2*2*3 = 24.
    const one = trainStepFlops({ batch: 1, seqLen: 2, nEmbd: 2, nLayer: 1, vocabSize: 3, loops: 1 });
    expect(one.forward).toBe(24 + 224 + 24);
    expect(one.backward).toBe(24 + 2 * 224 + 2 * 24); // read-in: dW only; last head: dX and dW
    // Two loops: two block passes and two heads forward; only the last head is on the loss path.
    const two = trainStepFlops({ batch: 1, seqLen: 2, nEmbd: 2, nLayer: 1, vocabSize: 3, loops: 2 });
    expect(two.forward).toBe(24 + 2 * 224 + 2 * 24);
    expect(two.backward).toBe(24 + 4 * 224 + 2 * 24);
    expect(two.total).toBe(two.forward + two.backward);
    expect(() =>
      trainStepFlops({ batch: 0, seqLen: 2, nEmbd: 2, nLayer: 1, vocabSize: 3, loops: 1 }),
    ).toThrow(/batch must be a positive integer; got 0/);
  });

  test.each([
    [1, 1],
    [3, 2],
  ])(
    'equals the matMul FLOPs tfjs actually executes (tf.profile), %i loops, %i layers',
    async (loops, nLayer) => {
      const c: StepConfig = {
        name: 't',
        nEmbd: 8,
        nHead: 2,
        nLayer,
        seqLen: 3,
        batch: 2,
        loops,
        vocabSize: 5,
      };
      const bench = createTrainStep(c, 0);
      const prof = await tf.profile(() => {
        bench.step();
      });
      bench.dispose();
      let counted = 0;
      for (const k of prof.kernels) {
        if (k.name !== 'BatchMatMul' && k.name !== '_FusedMatMul') continue;
        const a = k.inputShapes[0] as number[];
        const out = k.outputShapes[0] as number[];
        const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
        const m = out[out.length - 2]!;
        const inner = size(a) / (size(a.slice(0, -2)) * m); // a holds batch * M * K values
        counted += 2 * size(out) * inner;
      }
      expect(trainStepFlops({ batch: 2, seqLen: 3, nEmbd: 8, nLayer, vocabSize: 5, loops }).total).toBe(
        counted,
      );
    },
  );
});

describe('training step', () => {
  test('tensor count stays flat across steps and the loss falls', () => {
    const bench = createTrainStep(
      { name: 't', nEmbd: 8, nHead: 2, nLayer: 1, seqLen: 4, batch: 3, loops: 2, vocabSize: 4 },
      1,
    );
    const first = bench.step();
    const n = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 4; i++) last = bench.step();
    expect(tf.memory().numTensors).toBe(n);
    expect(last).toBeLessThan(first); // AdamW on a fixed batch
    bench.dispose();
  });

  test("the timed step is the engine's: parameters equal @loop/shift's train on the same batch, bit for bit", async () => {
    // Oracle: the engine itself (train with AdamW and clipNorm, constant lr), on an independently
    // built model and batch; a gradient norm over the clip makes clipping part of what is compared.
    const c: StepConfig = {
      name: 't',
      nEmbd: 8,
      nHead: 2,
      nLayer: 1,
      seqLen: 4,
      batch: 3,
      loops: 2,
      vocabSize: 4,
    };
    const bench = createTrainStep(c, 5);
    const model = createLoopedGPT(gptConfigOf(c), { seed: 5 });
    const batch = randomBatch(c, 6);
    const norms: number[] = [];
    await train({
      problem: {
        variables: model.variables,
        nextBatch: () => batch,
        loss: () =>
          stepLoss(
            model.forward(batch.tokens, { loops: c.loops }),
            batch.target,
            batch.mask,
            batch.steps,
          ) as tf.Scalar,
      },
      schedule: loopedSchedule(c.loops),
      optimizer: { type: 'adamw', ...PERF_ADAMW, clipNorm: PERF_CLIP_NORM },
      steps: 3,
      handleSigint: false,
      onMetrics: (m) => {
        if (m.type === 'step') norms.push(m.gradNorm);
      },
    });
    for (let i = 0; i < 3; i++) bench.step();
    expect(Math.max(...norms)).toBeGreaterThan(PERF_CLIP_NORM);
    model.variables.forEach((v, i) =>
      expect(Array.from(bench.model.variables[i]!.dataSync())).toEqual(Array.from(v.dataSync())),
    );
    bench.dispose();
    model.dispose();
    tf.dispose([batch.tokens, batch.target, batch.mask]);
  });

  test('micro-batches give the same loss and the same AdamW update as the whole batch', () => {
    const c: StepConfig = {
      name: 't',
      nEmbd: 8,
      nHead: 2,
      nLayer: 1,
      seqLen: 3,
      batch: 5,
      loops: 2,
      vocabSize: 4,
    };
    const whole = createTrainStep(c, 3);
    const split = createTrainStep({ ...c, microBatch: 2 }, 3); // parts of 2, 2 and 1 samples
    const n = tf.memory().numTensors;
    // Loss equality checks the per-part denominators; three steps (Adam moments mixing gradients
    // of different steps) make the parameters depend on the gradients, not only their signs.
    for (let i = 0; i < 3; i++) expect(split.step()).toBeCloseTo(whole.step(), 5);
    expect(tf.memory().numTensors).toBe(n);
    whole.model.variables.forEach((v, i) => {
      const a = v.dataSync();
      const b = split.model.variables[i]!.dataSync();
      for (let j = 0; j < a.length; j++) expect(Math.abs(a[j]! - b[j]!)).toBeLessThan(1e-5);
    });
    whole.dispose();
    split.dispose();
  });

  test('automatic micro-batch: the largest size whose estimated heap fits the budget (brute force)', () => {
    const c: StepConfig = {
      name: 'big',
      nEmbd: 256,
      nHead: 4,
      nLayer: 1,
      seqLen: 41,
      batch: 64,
      loops: 10,
      vocabSize: 6,
    };
    for (const budget of [100, 700, 2048, 1e6]) {
      const sizes = Array.from({ length: c.batch }, (_, p) => Math.ceil(c.batch / (p + 1)));
      const best = Math.max(1, ...sizes.filter((m) => estimateStepHeapMiB(c, m) <= budget));
      expect(autoMicroBatch(c, budget)).toBe(best);
    }
    // Calibration points measured on wasm (tools/dev/perf-heap.ts): 413 MiB at 1 loop, 1497 MiB at 4
    // loops at C 256 / B 64; the estimate must not fall below them.
    expect(estimateStepHeapMiB({ ...c, loops: 1 }, 64)).toBeGreaterThan(413);
    expect(estimateStepHeapMiB({ ...c, loops: 4 }, 64)).toBeGreaterThan(1497);
    expect(estimateStepHeapMiB({ ...c, loops: 1 }, 64)).toBeLessThan(520);
    expect(autoMicroBatch({ ...c, loops: 1 })).toBe(64);
  });

  test('summarize gives median, quartiles and range', () => {
    expect(summarize([5, 1, 3, 2, 4])).toEqual({ n: 5, median: 3, q1: 2, q3: 4, min: 1, max: 5 });
    expect(summarize([1, 2]).median).toBe(1.5);
  });
});

async function perf(configOverride: Record<string, unknown>, flags: string[] = []) {
  const dir = tmp();
  const cfg = join(dir, 'cfg.json');
  const json = join(dir, 'perf.json');
  writeFileSync(cfg, JSON.stringify({ json, peakMatmul: { size: 32, repeats: 1 }, ...configOverride }));
  const stdout = sink();
  const stderr = sink();
  const code = await main(
    [
      'node',
      'loop-bench',
      'perf',
      '--profile',
      'smoke',
      '--backend',
      'cpu',
      '--out',
      join(dir, 'run'),
      '--config',
      cfg,
      '-q',
      ...flags,
    ],
    {
      experiments: [perfExperiment],
      stdout,
      stderr,
    },
  );
  return { code, out: stdout.text(), err: stderr.text(), dir, json };
}

describe('loop-bench perf (smoke, cpu)', () => {
  test('writes results.json and --config json with the documented schema', async () => {
    const r = await perf({});
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const fromRun = JSON.parse(readFileSync(join(r.dir, 'run', 'results.json'), 'utf8')).results;
    const res = JSON.parse(readFileSync(r.json, 'utf8'));
    expect(res).toEqual(fromRun);
    expect(res.backend).toBe('cpu');
    expect(res.matmulPeak.peakGflops).toBeGreaterThan(0);
    expect(res.peer).toEqual({ requested: false });
    expect(res.steps).toHaveLength(2);
    for (const s of res.steps) {
      expect(s.warmupSteps).toBe(1); // smoke: 1 step, no time-based warm-up
      expect(s.ours.ms.n).toBe(3);
      expect(s.ours.cpuMs.n).toBe(3);
      expect(s.ours.ms.min).toBeGreaterThan(0);
      expect(s.ours.ms.q1).toBeLessThanOrEqual(s.ours.ms.median);
      expect(s.ours.ms.median).toBeLessThanOrEqual(s.ours.ms.q3);
      expect(s.ours.tokensPerS).toBeCloseTo((s.config.batch * s.config.seqLen * 1000) / s.ours.ms.median, 6);
      expect(s.flops).toBe(trainStepFlops(s.config).total);
      expect(s.ours.gflops).toBeCloseTo(s.flops / (s.ours.ms.median * 1e6), 9);
      expect(s.ours.tensorsAfter).toBe(s.ours.tensorsBefore);
      expect(Number.isFinite(s.ours.loss)).toBe(true);
      expect(s.peer).toBeNull();
      expect(s.ratio).toBeNull();
      expect(s.rssMiB).toBeGreaterThan(10);
    }
    expect(res.hvp).toHaveLength(2);
    for (const h of res.hvp) expect(h.ratio).toBeCloseTo(h.hvpMs.median / h.gradMs.median, 9);
    // toy d3 V3 3 loops: W_Q, W_K, W_V 3x3, W_O 3x3, two scalar gates.
    expect(res.fullHessian.parameters).toBe(4 * 9 + 2);
    expect(res.fullHessian.seconds).toBeGreaterThan(0);
    expect(res.tensors.flat).toBe(true);
    expect(r.out).toContain('Training step (forward + backward + AdamW) on cpu');
    expect(r.out).toContain('PyTorch peer not requested');
    const report = readFileSync(join(r.dir, 'run', 'report.md'), 'utf8');
    expect(report).toContain('HVP / gradient');
  });

  test('warms up for warmupSeconds (at least warmup steps) before timing', async () => {
    const tiny = { name: 'tiny', nEmbd: 8, nHead: 2, seqLen: 3, batch: 2, loops: 1, repeats: 1 };
    const r = await perf({ configs: [tiny], warmup: 2, warmupSeconds: 0.3, fullHessian: null });
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(r.json, 'utf8'));
    // a tiny cpu step takes a few ms, so 0.3 s is many more steps than 2, and fewer than the cap
    expect(res.steps[0].warmupSteps).toBeGreaterThan(4);
    expect(res.steps[0].warmupSteps).toBeLessThanOrEqual(200);
    const report = readFileSync(join(r.dir, 'run', 'report.md'), 'utf8');
    expect(report).toContain('Warm-up: at least 2 step(s) and 0.3 s');
  });

  test('a missing Python is reported plainly and perf still completes', async () => {
    const r = await perf({
      peer: 'torch',
      python: '/nonexistent/bin/python3',
      configs: [{ name: 'tiny', nEmbd: 8, nHead: 2, seqLen: 3, batch: 2, loops: 1, repeats: 1 }],
      fullHessian: null,
    });
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(r.json, 'utf8'));
    expect(res.peer).toMatchObject({
      requested: true,
      available: false,
      reason: 'python not found: /nonexistent/bin/python3',
    });
    expect(res.steps[0].ratio).toBeNull();
    expect(res.fullHessian).toBeNull();
    expect(r.out).toContain('PyTorch peer unavailable: python not found: /nonexistent/bin/python3');
    expect(r.out).toContain('apt-get install -y python3-torch libopenblas0-pthread');
  });

  test('--peer and --json set the config fields, over the --config file', async () => {
    const other = join(tmp(), 'from-flag.json');
    const r = await perf(
      {
        python: '/nonexistent/bin/python3',
        configs: [{ name: 'tiny', nEmbd: 8, nHead: 2, seqLen: 3, batch: 2, loops: 1, repeats: 1 }],
        fullHessian: null,
      },
      ['--peer', 'torch', '--json', other],
    );
    expect(r.code).toBe(0);
    expect(existsSync(r.json)).toBe(false); // the flag replaced the file's "json"
    const res = JSON.parse(readFileSync(other, 'utf8'));
    expect(res.peer).toMatchObject({ requested: true, available: false });
    const config = JSON.parse(readFileSync(join(r.dir, 'run', 'config.json'), 'utf8'));
    expect(config.config.peer).toBe('torch');
    expect(config.config.json).toBe(other);
  });

  test('a bad --peer or --threads is rejected by name (exit 2, nothing written)', async () => {
    const bad = await perf({}, ['--peer', 'jax']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/peer/);
    expect(existsSync(join(bad.dir, 'run'))).toBe(false);
    const threads = await perf({}, ['--threads', 'many']);
    expect(threads.code).toBe(2);
    expect(threads.err).toContain("--threads must be 'auto' or an integer in 1..64");
    expect(existsSync(join(threads.dir, 'run'))).toBe(false);
  });

  test('bad config values are rejected with their path (exit 2)', async () => {
    const r = await perf({
      configs: [{ name: 'x', nEmbd: 10, nHead: 3, seqLen: 3, batch: 2, loops: 1, repeats: 1 }],
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain('nHead must divide nEmbd');
    expect(existsSync(join(r.dir, 'run'))).toBe(false);
  });
});

describe('torch peer process', () => {
  test('an interpreter that exits at once is reported with its exit code', async () => {
    const { status, peer } = await TorchPeer.start('/bin/false', defaultPeerScript(), 2, 10_000);
    expect(peer).toBeNull();
    expect(status).toMatchObject({
      available: false,
      reason: expect.stringMatching(/^\/bin\/false exited with code 1/),
    });
  });

  const hasTorch =
    existsSync('/usr/bin/python3') &&
    spawnSync('/usr/bin/python3', ['-c', 'import torch'], { timeout: 60_000 }).status === 0;
  (hasTorch ? test : test.skip)(
    'with torch installed, the peer times steps and HVPs of a tiny config (skipped without torch)',
    async () => {
      const { status, peer } = await TorchPeer.start('/usr/bin/python3', defaultPeerScript(), 1);
      expect(status.available).toBe(true);
      // glibc (Debian): the peer fixes its malloc thresholds so timings do not depend on what ran before
      expect(status.available && status.info.mallocThresholdsPinned).toBe(true);
      try {
        const r = await peer!.step(
          { nEmbd: 8, nHead: 2, nLayer: 1, seqLen: 3, batch: 2, loops: 2, vocabSize: 4 },
          2,
          1,
          0,
        );
        expect(r.ms).toHaveLength(2);
        expect(r.cpuMs).toHaveLength(2);
        expect(r.ms.every((x) => x > 0)).toBe(true);
        expect(r.loss).toBeGreaterThan(0); // cross-entropy of 4 classes near ln 4 at init
        expect(Math.abs(r.loss - Math.log(4))).toBeLessThan(0.2);
        // its HVP is one: it matches central differences of its own gradient
        const h = await peer!.hvp(
          { nEmbd: 8, nHead: 2, nLayer: 1, seqLen: 3, batch: 2, loops: 2, vocabSize: 4 },
          2,
          1,
          0,
          true,
        );
        expect(h.gradMs).toHaveLength(2);
        expect(h.hvpMs).toHaveLength(2);
        expect(h.checkRelErr).not.toBeNull();
        expect(h.checkRelErr!).toBeLessThan(1e-6); // float64, step 1e-6
      } finally {
        peer!.close();
      }
    },
  );
});
