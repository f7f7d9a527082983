import * as tf from '@tensorflow/tfjs';
import { getTask, sliceBatch } from '@loop/tasks';
import {
  assignVariables,
  createLoopedGPT,
  evaluateBatch,
  loadCheckpoint,
  type GPTConfig,
} from '@loop/models';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  algorithmicProblem,
  algorithmicTestBatch,
  checkpointPath,
  lengthScores,
  gptTrainFlops,
  shiftSchedule,
  train,
  type StageInfo,
} from '../src';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config: GPTConfig = {
  vocabSize: 6,
  nEmbd: 16,
  nHead: 2,
  nLayer: 1,
  inputInjection: true,
  positional: 'none',
  readIn: 'onehot',
};
const task = getTask('parity');
const looped: StageInfo = { index: 1, name: 'looped', loops: { kind: 'task' } };
const single: StageInfo = { index: 0, name: 'single', loops: { kind: 'fixed', loops: 1 } };

/** Token-mean cross-entropy computed in plain JS from the logits after each sample's `loops[b]` loops. */
function manualLoss(
  perLoop: number[][][][],
  target: Int32Array,
  mask: Float32Array,
  loops: number[],
  T: number,
): number {
  let sum = 0;
  let count = 0;
  loops.forEach((l, b) => {
    for (let p = 0; p < T; p++) {
      if (mask[b * T + p] === 0) continue;
      const row = (perLoop[l - 1] as number[][][])[b]![p] as number[];
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
      sum += lse - (row[target[b * T + p] as number] as number);
      count += 1;
    }
  });
  return sum / count;
}

describe('FLOP estimate', () => {
  it('counts 24 C^2 + 4 T C per layer and token plus the 2 C O head, times 3 for training', () => {
    // C = 16, L = 1, V = O = 6, T = 7, one sequence, one loop: per token 6144 + 448 + 192 = 6784.
    const loop = 7 * 6784;
    const readIn = 2 * 7 * 6 * 16;
    expect(gptTrainFlops(config, 1, 7, 1)).toBe(3 * (readIn + loop));
    expect(gptTrainFlops(config, 2, 7, 3)).toBe(3 * (2 * readIn + 3 * 2 * loop));
  });
});

describe('algorithmicProblem (looped GPT on parity)', () => {
  it('follows the reference curriculum: lengths 1..current-1 with current = 2 + floor(step / interval)', () => {
    const model = createLoopedGPT(config, { seed: 1 });
    const p = algorithmicProblem({
      task,
      model,
      batchSize: 32,
      seed: 1,
      curriculum: { end: 6, interval: 10 },
    });
    expect(Math.max(...p.nextBatch(0).lengths)).toBe(1);
    expect(Math.max(...p.nextBatch(9).lengths)).toBe(1);
    expect(new Set(p.nextBatch(10).lengths)).toEqual(new Set([1, 2]));
    expect(p.maxLengthAt(1000)).toBe(5);
    expect(p.curriculumEnd).toBe(40);
    model.dispose();
  });

  it('scores each sample after its own T(n) loops (looped) or after 1 loop (single)', () => {
    const model = createLoopedGPT(config, { seed: 2 });
    const p = algorithmicProblem({ task, model, batchSize: 6, seed: 2, curriculum: { fixed: 4 } });
    const batch = p.nextBatch(0);
    const [B, T] = batch.shape;
    const tokens = tf.tensor2d(batch.input, [B, T], 'int32');
    const perLoop = model.forward(tokens, { loops: 4 });
    const arrays = perLoop.map((x) => x.arraySync() as number[][][]);
    perLoop.forEach((x) => x.dispose());
    tokens.dispose();
    for (const [stage, loops] of [
      [looped, Array.from(batch.steps)],
      [single, Array.from(batch.steps, () => 1)],
    ] as const) {
      const l = p.loss(batch, stage);
      expect(l.dataSync()[0]).toBeCloseTo(manualLoss(arrays, batch.target, batch.mask, [...loops], T), 4);
      l.dispose();
    }
    // Parity's T(n) = n: the batch really mixes loop counts.
    expect(new Set(batch.steps).size).toBeGreaterThan(1);
    model.dispose();
  });

  it('micro-batch weights are masked-token shares, so weighted micro losses add up to the batch loss', () => {
    const model = createLoopedGPT(config, { seed: 3 });
    const p = algorithmicProblem({ task, model, batchSize: 10, seed: 3, curriculum: { fixed: 5 } });
    const batch = p.nextBatch(0);
    const parts = p.split!(batch, 3);
    expect(parts.reduce((a, x) => a + x.weight, 0)).toBeCloseTo(1, 12);
    const full = p.loss(batch, looped);
    const sum = parts.reduce((acc, part) => {
      const l = p.loss(part.batch, looped);
      const v = acc + (l.dataSync()[0] as number) * part.weight;
      l.dispose();
      return v;
    }, 0);
    expect(sum).toBeCloseTo(full.dataSync()[0] as number, 5);
    full.dispose();
    model.dispose();
  });

  it('a short SHIFT run switches 1 -> T(n) loops, logs evaluations and counts more FLOPs per step after the switch', async () => {
    const model = createLoopedGPT(config, { seed: 4 });
    const dir = mkdtempSync(join(tmpdir(), 'shift-algo-'));
    const p = algorithmicProblem({
      task,
      model,
      batchSize: 8,
      seed: 4,
      curriculum: { end: 5, interval: 2 },
      validation: { size: 16 },
      trainEvalSize: 8,
      testLengths: [6],
      testSize: 8,
    });
    const before = tf.memory().numTensors;
    const res = await train({
      problem: p,
      schedule: shiftSchedule({ shiftStep: 4 }),
      optimizer: {
        type: 'adamw',
        lr: 1e-3,
        clipNorm: 1,
        lrSchedule: { type: 'cosine', decayFrom: p.curriculumEnd },
      },
      steps: 8,
      evalEvery: 4,
      checkpointDir: dir,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(res.shifts).toEqual([expect.objectContaining({ step: 4, from: 'single', to: 'looped' })]);
    const [s1, s2] = res.stages;
    // Stage I runs 1 loop; stage II runs max T(n) = current max length (4) loops on the same batch size.
    expect(s1!.flops / s1!.steps).toBeLessThan(s2!.flops / s2!.steps);
    // Same seed -> same batches: recount with 1 loop before the switch and max T(n) after it.
    const twin = algorithmicProblem({
      task,
      model,
      batchSize: 8,
      seed: 4,
      curriculum: { end: 5, interval: 2 },
    });
    let expected1 = 0;
    let expected2 = 0;
    for (let step = 0; step < 8; step++) {
      const b = twin.nextBatch(step);
      if (step < 4) expected1 += gptTrainFlops(config, 8, b.shape[1], 1);
      else expected2 += gptTrainFlops(config, 8, b.shape[1], Math.max(...b.steps));
    }
    expect(s1!.flops).toBe(expected1);
    expect(s2!.flops).toBe(expected2);
    const final = res.finalMetrics!;
    for (const k of [
      'trainLoss',
      'trainAcc',
      'valLoss',
      'valAcc',
      'test6.oracleAcc',
      'test6.adaptiveAcc',
      'test6.adaptiveLoops',
    ]) {
      expect(Number.isFinite(final[k])).toBe(true);
    }
    expect(final['test6.adaptiveLoops']).toBeGreaterThanOrEqual(1);
    expect(final['test6.adaptiveLoops']).toBeLessThanOrEqual(task.maxTestSteps(6));
    // Single-Attn evaluation has no adaptive stopping (one loop only).
    expect(res.evals[0]!.metrics['test6.adaptiveAcc']).toBeUndefined();
    // The checkpoint is an @loop/models checkpoint keyed by logical names: a fresh model loads it.
    const fresh = createLoopedGPT(config, { seed: 99 });
    const ck = await loadCheckpoint(checkpointPath(dir));
    expect(ck.step).toBe(8);
    assignVariables(fresh.variables, ck.weights, fresh.variableNames);
    fresh.variables.forEach((v, i) =>
      expect(Array.from(v.dataSync())).toEqual(Array.from(model.variables[i]!.dataSync())),
    );
    fresh.dispose();
    rmSync(dir, { recursive: true, force: true });
    model.dispose();
  });
});

describe('lengthScores (one forward pass for oracle and every stopping rule)', () => {
  it('agrees with evaluateBatch, the per-mode path, sample for sample', () => {
    const model = createLoopedGPT(config, { seed: 3 });
    const batch = algorithmicTestBatch(task, 5, 7, 40);
    const s = lengthScores(model, batch, {
      maxLoops: task.maxTestSteps(7),
      rules: ['confidence-batch', 'confidence-sample'],
      evalBatchSize: 16, // three chunks: per-batch rules pick per chunk, as evaluateBatch does per call
    });
    let oracle = 0;
    let batchRule = 0;
    let sampleRule = 0;
    let batchLoops = 0;
    for (const start of [0, 16, 32]) {
      const part = sliceBatch(batch, start, Math.min(40, start + 16));
      const rows = part.shape[0];
      oracle += evaluateBatch(model, part, { mode: 'oracle' }).accuracy * rows;
      const a = evaluateBatch(model, part, { mode: 'adaptive', maxLoops: task.maxTestSteps(7) });
      batchRule += a.accuracy * rows;
      batchLoops += (a.loops as number) * rows;
      sampleRule +=
        evaluateBatch(model, part, { mode: 'adaptive', maxLoops: task.maxTestSteps(7), perSample: true })
          .accuracy * rows;
    }
    expect(s.oracle).toBeCloseTo(oracle / 40, 12);
    expect(s.rules['confidence-batch']!.acc).toBeCloseTo(batchRule / 40, 12);
    expect(s.rules['confidence-batch']!.loops).toBeCloseTo(batchLoops / 40, 12);
    expect(s.rules['confidence-sample']!.acc).toBeCloseTo(sampleRule / 40, 12);
    model.dispose();
  });

  it("tests on the seed's test/<n> stream, whatever else the problem drew", async () => {
    const a = algorithmicTestBatch(task, 9, 5, 8);
    const model = createLoopedGPT(config, { seed: 1 });
    const p = algorithmicProblem({
      task,
      model,
      batchSize: 4,
      seed: 9,
      testLengths: [5],
      testSize: 8,
      validation: { size: 4 },
      probe: { length: 5, size: 8 },
    });
    p.nextBatch(0);
    const m = (await p.evaluate!({ step: 1, stage: looped, final: true })) as Record<string, number>;
    const s = lengthScores(model, a, { maxLoops: task.maxTestSteps(5), rules: ['confidence-batch'] });
    expect(m['test5.oracleAcc']).toBe(s.oracle);
    expect(m['test5.rule.confidence-batch.acc']).toBe(s.rules['confidence-batch']!.acc);
    // The probe scores the same length's test set at every evaluation (oracle only).
    expect(m['probe.oracleAcc']).toBe(s.oracle);
    model.dispose();
  });
});
