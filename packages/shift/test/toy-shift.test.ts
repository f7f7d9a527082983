import * as tf from '@tensorflow/tfjs';
import { markovLanguage } from '@loop/tasks';
import {
  markovProblem,
  sharedToyModels,
  shiftCriterion,
  shiftSchedule,
  train,
  type CriterionDecision,
  type EvalRecord,
  type ShiftCriterionOptions,
  type StageInfo,
} from '../src';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const language = markovLanguage({ seed: 3 });

describe('markovProblem', () => {
  it('visits every training example exactly once per epoch, in a seed-determined order', () => {
    const model = sharedToyModels({ dim: 4, vocabSize: 3, loops: [1, 3], seed: 1 });
    const p = markovProblem({
      language,
      model,
      batchSize: 32,
      seed: 1,
      train: { size: 100 },
      validation: { size: 20 },
    });
    expect(p.stepsPerEpoch).toBe(4);
    const rows = (e: number) => {
      const seen: string[] = [];
      for (let k = 0; k < 4; k++) {
        const b = p.nextBatch(e * 4 + k);
        for (let i = 0; i < b.rows; i++)
          seen.push([...b.input.subarray(i * 3, i * 3 + 3), b.target[i]].join(''));
      }
      return seen;
    };
    const all = p.train.sequences.map((s) => s.join('')).sort();
    const e0 = rows(0);
    const e1 = rows(1);
    expect([...e0].sort()).toEqual(all);
    expect([...e1].sort()).toEqual(all);
    expect(e0).not.toEqual(e1);
    expect(rows(1)).toEqual(e1);
    model.dispose();
  });

  it('reports accuracy by IC group matching a direct count on the model predictions', async () => {
    const model = sharedToyModels({ dim: 4, vocabSize: 3, loops: [1, 3], seed: 2 });
    const p = markovProblem({
      language,
      model,
      batchSize: 32,
      seed: 2,
      train: { size: 200 },
      validation: { size: 400 },
    });
    const stage: StageInfo = { index: 0, name: 'looped', loops: { kind: 'fixed', loops: 3 } };
    const m = await p.evaluate!({ step: 0, stage, final: false });
    const v = p.validation;
    const logits = model.logits(tf.tensor2d(v.input, [v.size, 3], 'int32'), 3);
    const pred = Array.from(logits.argMax(-1).dataSync());
    logits.dispose();
    const acc = (keep: (ic: number) => boolean) => {
      const idx = v.ic.map((ic, i) => (keep(ic) ? i : -1)).filter((i) => i >= 0);
      return idx.length ? idx.filter((i) => pred[i] === v.target[i]).length / idx.length : undefined;
    };
    const simple = acc((ic) => ic <= p.thresholds.simpleMaxIC);
    const complex = acc((ic) => ic >= p.thresholds.complexMinIC);
    expect(simple).toBeDefined();
    expect(complex).toBeDefined();
    expect(m.valAcc).toBeCloseTo(
      acc(() => true)!,
      12,
    );
    expect(m['valAcc.simple']).toBeCloseTo(simple!, 12);
    expect(m['valAcc.complex']).toBeCloseTo(complex!, 12);
    expect(() => p.loss(p.nextBatch(0), { index: 0, name: 'x', loops: { kind: 'task' } })).toThrow(
      /needs a fixed loop count \(one of 1, 3\)/,
    );
    model.dispose();
  });
});

describe('SHIFT on the toy model', () => {
  it('switches from 1 to 3 loops at the step where SCP fires and keeps the weights', async () => {
    const model = sharedToyModels({ dim: 8, vocabSize: 3, loops: [1, 3], seed: 5 });
    const problem = markovProblem({
      language,
      model,
      batchSize: 64,
      seed: 5,
      train: { size: 512 },
      validation: { size: 256 },
    });
    const criterion: ShiftCriterionOptions = {
      plateauDelta: 0.01,
      plateauPatience: 2,
      gradDelta: 0.5,
      gradPatience: 1,
    };

    const loopsPerCall: number[] = [];
    let snapshot: number[][] | null = null;
    let keptAtSwitch: boolean | null = null;
    const logits = model.logits.bind(model);
    model.logits = (tokens, loops) => {
      loopsPerCall.push(loops);
      if (loops === 3 && snapshot && keptAtSwitch === null) {
        keptAtSwitch = model.variables.every((v, i) =>
          tf.util.arraysEqual(Array.from(v.dataSync()), snapshot![i]!),
        );
      }
      return logits(tokens, loops);
    };
    const evals: EvalRecord[] = [];
    const res = await train({
      problem,
      schedule: shiftSchedule({ criterion, loops: 3 }),
      optimizer: { type: 'adam', lr: 0.02 },
      epochs: 9,
      evalEvery: { epochs: 1 },
      onMetrics: (r) => {
        if (r.type === 'eval') evals.push(r);
        if (r.type === 'shift') snapshot = model.variables.map((v) => Array.from(v.dataSync()));
      },
    });

    // Oracle: replay the logged Stage-I (validation loss, gradient norm) pairs through a fresh criterion.
    const replay = shiftCriterion(criterion);
    let expected: CriterionDecision | undefined;
    for (const e of evals) {
      const d = replay.update({ step: e.step, valLoss: e.metrics.valLoss as number, gradNorm: e.gradNorm });
      if (d.shift) {
        expected = d;
        break;
      }
    }
    expect(expected).toBeDefined();
    expect(res.shifts).toHaveLength(1);
    expect(res.shifts[0]).toMatchObject({
      step: expected!.shiftStep,
      plateauStep: expected!.plateauStep,
      from: 'single',
      to: 'looped',
    });
    const shiftStep = expected!.shiftStep as number;
    expect(res.stages.map((s) => [s.loops, s.steps])).toEqual([
      ['1', shiftStep],
      ['3', 9 * problem.stepsPerEpoch! - shiftStep],
    ]);
    // Every call before the switch ran 1 loop, every call after it 3 loops, on unchanged weights.
    const firstThree = loopsPerCall.indexOf(3);
    expect(loopsPerCall.slice(0, firstThree).every((l) => l === 1)).toBe(true);
    expect(loopsPerCall.slice(firstThree).every((l) => l === 3)).toBe(true);
    expect(keptAtSwitch).toBe(true);
    // Evaluations after the switch are of the 3-loop model.
    expect(evals.filter((e) => e.step > shiftStep).every((e) => e.stage === 1)).toBe(true);
    // Stage II steps cost about 3x Stage I steps (plus the shared head).
    const [s1, s2] = res.stages;
    expect(s2!.flops / s2!.steps / (s1!.flops / s1!.steps)).toBeGreaterThan(2.5);
    model.dispose();
  });
});
