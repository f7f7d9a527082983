import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadTrainState,
  progressiveSchedule,
  shiftSchedule,
  singleSchedule,
  train,
  TrainingFaultError,
  type MetricsRecord,
  type Schedule,
} from '../src';
import { linearProblem } from './helpers/linear-problem';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shift-engine-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const adam = { type: 'adam' as const, lr: 0.05, weightDecay: 0 };

/** Wraps the problem's evaluate to record (step, final) of every evaluation. */
function recordEvaluations(p: ReturnType<typeof linearProblem>): Array<[number, boolean]> {
  const inner = p.evaluate!.bind(p);
  const seen: Array<[number, boolean]> = [];
  p.evaluate = (ctx) => {
    seen.push([ctx.step, ctx.final]);
    return inner(ctx);
  };
  return seen;
}

describe('train on a least-squares problem', () => {
  it('converges, logs JSONL records and keeps tf.memory() flat across steps', async () => {
    const p = linearProblem({ seed: 1 });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const res = await train({
      problem: p,
      schedule: singleSchedule(),
      optimizer: { ...adam, clipNorm: 10 },
      steps: 300,
      evalEvery: 100,
      metricsFile: join(dir, 'm.jsonl'),
      onMetrics: (r) => {
        if (r.type === 'step') counts.push(tf.memory().numTensors);
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(counts).size).toBe(1);
    expect(res.status).toBe('completed');
    expect(res.finalMetrics?.valLoss).toBeLessThan(1e-3);
    const lines = readFileSync(join(dir, 'm.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as MetricsRecord);
    expect(lines[0]?.type).toBe('start');
    expect(lines.filter((l) => l.type === 'step')).toHaveLength(300);
    expect(lines.filter((l) => l.type === 'eval').map((l) => l.step)).toEqual([100, 200, 300]);
    expect(lines[lines.length - 1]?.type).toBe('end');
    // Flop accounting: 6 * rows * dim per step from the problem, summed.
    expect(res.flops).toBe(300 * 6 * 8 * 4);
    p.dispose();
  });

  it("splits a batch into the micro-batches the problem's microBatchesFor asks for", async () => {
    const p = linearProblem({ seed: 4 });
    const split = p.split!.bind(p);
    const requested: number[] = [];
    p.split = (batch, parts) => {
      requested.push(parts);
      return split(batch, parts);
    };
    p.microBatchesFor = (_batch, _stage) => 3;
    await train({ problem: p, schedule: singleSchedule(), optimizer: adam, steps: 2 });
    await train({ problem: p, schedule: singleSchedule(), optimizer: adam, steps: 1, microBatches: 4 });
    // The larger of the configured count and the problem's need, once per step.
    expect(requested).toEqual([3, 3, 4]);
    p.dispose();
  });

  it('flags the evaluation at the last step as final, also when steps is a multiple of evalEvery', async () => {
    const p = linearProblem({ seed: 1 });
    const seen = recordEvaluations(p);
    await train({ problem: p, schedule: singleSchedule(), optimizer: adam, steps: 6, evalEvery: 3 });
    await train({ problem: p, schedule: singleSchedule(), optimizer: adam, steps: 5, evalEvery: 3 });
    // Oracle: the schedule of evaluations written out by hand.
    expect(seen).toEqual([
      [3, false],
      [6, true],
      [3, false],
      [5, true],
    ]);
    p.dispose();
  });

  it('gradient accumulation over micro-batches equals the full-batch step', async () => {
    const a = linearProblem({ seed: 2 });
    const b = linearProblem({ seed: 2 });
    await train({ problem: a, schedule: 'single', optimizer: adam, steps: 20 });
    await train({ problem: b, schedule: 'single', optimizer: adam, steps: 20, microBatches: 4 });
    const wa = Array.from(a.w.dataSync());
    const wb = Array.from(b.w.dataSync());
    wa.forEach((x, i) => expect(wb[i]).toBeCloseTo(x, 5));
    a.dispose();
    b.dispose();
  });

  it('epochs mode runs epochs * stepsPerEpoch steps and evaluates every epoch', async () => {
    const p = linearProblem({ seed: 3 });
    const res = await train({
      problem: p,
      schedule: 'single',
      optimizer: adam,
      epochs: 3,
      evalEvery: { epochs: 1 },
    });
    expect(res.steps).toBe(24);
    expect(res.evals.map((e) => e.step)).toEqual([8, 16, 24]);
    p.dispose();
  });

  it('the cosine lr schedule is applied per step', async () => {
    const p = linearProblem({ seed: 3 });
    const lrs: number[] = [];
    await train({
      problem: p,
      schedule: 'single',
      optimizer: { ...adam, lr: 1, lrSchedule: { type: 'cosine', decayFrom: 4 } },
      steps: 8,
      onMetrics: (r) => r.type === 'step' && lrs.push(r.lr),
    });
    expect(lrs.slice(0, 5)).toEqual([1, 1, 1, 1, 1]);
    expect(lrs[6]).toBeCloseTo(0.5, 12); // step index 6 of decay 4..8: (1 + cos(pi/2)) / 2
    p.dispose();
  });
});

describe('stages', () => {
  it('a fixed shift step switches loops 1 -> 3 at that step and keeps the optimiser state', async () => {
    const p = linearProblem({ seed: 4 });
    const recs: MetricsRecord[] = [];
    const res = await train({
      problem: p,
      schedule: shiftSchedule({ shiftStep: 5, loops: 3 }),
      optimizer: adam,
      steps: 9,
      checkpointDir: join(dir, 'keep'),
      onMetrics: (r) => recs.push(r),
    });
    // Adam's step count t (bias correction) ran on through the switch: 9 updates.
    expect((await loadTrainState(join(dir, 'keep'))).optimizer.step).toBe(9);
    expect(p.loopsSeen).toEqual([1, 1, 1, 1, 1, 3, 3, 3, 3]);
    expect(res.stages.map((s) => [s.name, s.loops, s.startStep, s.steps])).toEqual([
      ['single', '1', 0, 5],
      ['looped', '3', 5, 4],
    ]);
    const shift = recs.find((r) => r.type === 'shift');
    expect(shift).toMatchObject({ step: 5, from: 'single', to: 'looped', optimizerReset: false });
    p.dispose();
    // With resetOptimizer the moments restart at the switch: 4 updates in stage II.
    const q = linearProblem({ seed: 4 });
    await train({
      problem: q,
      schedule: shiftSchedule({ shiftStep: 5, loops: 3, resetOptimizer: true }),
      optimizer: adam,
      steps: 9,
      checkpointDir: join(dir, 'reset'),
    });
    expect((await loadTrainState(join(dir, 'reset'))).optimizer.step).toBe(4);
    q.dispose();
  });

  it('the SCP criterion switches at the evaluation where it fires', async () => {
    // Scripted validation loss: improves until step 20, flat afterwards. Evals every 5 steps:
    // plateau after 2 non-improving evals (step 30), then gradPatience 1 with a huge gradDelta -> shift at 35.
    const p = linearProblem({ seed: 5, evalLoss: (s) => (s <= 20 ? 1 / s : 0.05) });
    const res = await train({
      problem: p,
      schedule: shiftSchedule({
        criterion: { plateauDelta: 0.001, plateauPatience: 2, gradDelta: 1e9, gradPatience: 1 },
        loops: 3,
      }),
      optimizer: adam,
      steps: 50,
      evalEvery: 5,
    });
    expect(res.shifts).toEqual([
      expect.objectContaining({ step: 35, from: 'single', to: 'looped', plateauStep: 30 }),
    ]);
    expect(p.loopsSeen.slice(34, 36)).toEqual([1, 3]);
    p.dispose();
  });

  it('a progressive schedule runs 1, 2, 3 loops with resets when asked', async () => {
    const p = linearProblem({ seed: 6 });
    const recs: MetricsRecord[] = [];
    const sched: Schedule = progressiveSchedule({
      maxLoops: 3,
      final: 'fixed',
      stepsPerStage: 2,
      resetOptimizer: true,
    });
    await train({ problem: p, schedule: sched, optimizer: adam, steps: 7, onMetrics: (r) => recs.push(r) });
    expect(p.loopsSeen).toEqual([1, 1, 2, 2, 3, 3, 3]);
    expect(recs.filter((r) => r.type === 'shift').map((r) => r.type === 'shift' && r.optimizerReset)).toEqual(
      [true, true],
    );
    p.dispose();
  });
});

describe('early stopping (stopWhen)', () => {
  it('ends after the evaluation it fires on, runs the final evaluation there, and is only asked in the last stage', async () => {
    const p = linearProblem({ seed: 4 });
    const seen = recordEvaluations(p);
    const asked: number[] = [];
    const run = {
      problem: p,
      schedule: shiftSchedule({ shiftStep: 4, loops: 3 }),
      optimizer: adam,
      steps: 20,
      evalEvery: 2,
      checkpointDir: join(dir, 'stop'),
    };
    const res = await train({
      ...run,
      stopWhen: (evals) => {
        asked.push(evals[evals.length - 1]!.step);
        return evals.length >= 4 ? 'four evaluations' : null;
      },
    });
    // The switch comes after step 4's evaluation (stage I's last); stopWhen is asked from step 6 on.
    expect(asked).toEqual([6, 8]);
    expect(res.steps).toBe(8);
    expect(res.status).toBe('completed');
    expect(res.stoppedEarly).toEqual({ step: 8, reason: 'four evaluations' });
    expect(seen).toEqual([
      [2, false],
      [4, false],
      [6, false],
      [8, false],
      [8, true],
    ]);
    // A resume of the stopped run returns at once with the same end.
    seen.length = 0;
    const again = await train({
      ...run,
      resume: true,
      stopWhen: () => null,
    });
    expect(again.steps).toBe(8);
    expect(again.stoppedEarly).toEqual({ step: 8, reason: 'four evaluations' });
    expect(seen).toEqual([]);
    p.dispose();
  });
});

describe('checkpoint, resume, interruption', () => {
  it('an aborted run checkpoints, and resuming it ends exactly like an uninterrupted run', async () => {
    const opts = {
      schedule: shiftSchedule({ shiftStep: 12, loops: 3 }),
      optimizer: { ...adam, clipNorm: 0.5, lrSchedule: { type: 'cosine' as const, decayFrom: 10 } },
      steps: 30,
      evalEvery: 5,
    };
    const ref = linearProblem({ seed: 7 });
    const full = await train({ problem: ref, ...opts, metricsFile: join(dir, 'full.jsonl') });

    const ac = new AbortController();
    const p1 = linearProblem({ seed: 7 });
    const part = await train({
      problem: p1,
      ...opts,
      checkpointDir: join(dir, 'ck'),
      metricsFile: join(dir, 'run.jsonl'),
      signal: ac.signal,
      onMetrics: (r) => r.type === 'step' && r.step === 17 && ac.abort(),
    });
    expect(part.status).toBe('interrupted');
    expect(part.steps).toBe(17);
    expect((await loadTrainState(join(dir, 'ck'))).step).toBe(17);
    p1.dispose();

    const p2 = linearProblem({ seed: 7 });
    const resumed = await train({
      problem: p2,
      ...opts,
      checkpointDir: join(dir, 'ck'),
      metricsFile: join(dir, 'run.jsonl'),
      resume: true,
    });
    expect(resumed.status).toBe('completed');
    expect(Array.from(p2.w.dataSync())).toEqual(Array.from(ref.w.dataSync()));
    expect(resumed.finalMetrics).toEqual(full.finalMetrics);
    expect(resumed.evals.map((e) => e.metrics)).toEqual(full.evals.map((e) => e.metrics));
    // The resumed log equals the uninterrupted log apart from timing and checkpoint/interrupt records.
    const strip = (f: string) =>
      readFileSync(join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((r) => r.type !== 'checkpoint' && r.type !== 'interrupted')
        .map(({ trainMs: _t, flops: _f, stages: _s, ...rest }) => rest);
    expect(strip('run.jsonl')).toEqual(strip('full.jsonl'));
    ref.dispose();
    p2.dispose();
  });

  it('SIGINT stops after the current step with a checkpoint and removes its handler', async () => {
    const p = linearProblem({ seed: 10 });
    const listeners = process.listenerCount('SIGINT');
    const recs: MetricsRecord[] = [];
    const res = await train({
      problem: p,
      schedule: 'single',
      optimizer: adam,
      steps: 50,
      checkpointDir: join(dir, 'ck'),
      onMetrics: (r) => {
        recs.push(r);
        // Deliver SIGINT to the handler train() installed (the newest listener), not to jest's.
        if (r.type === 'step' && r.step === 6)
          (process.listeners('SIGINT').at(-1) as (s: string) => void)('SIGINT');
      },
    });
    expect(res.status).toBe('interrupted');
    expect(res.steps).toBe(6);
    expect((await loadTrainState(join(dir, 'ck'))).step).toBe(6);
    expect(recs.slice(-2).map((r) => r.type)).toEqual(['checkpoint', 'interrupted']);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    p.dispose();
  });

  it('a NaN loss stops with an error naming the step, logs a fault and keeps the last good checkpoint', async () => {
    const p = linearProblem({ seed: 8, nanAt: 7 });
    const recs: MetricsRecord[] = [];
    const before = tf.memory().numTensors;
    const run = train({
      problem: p,
      schedule: 'single',
      optimizer: adam,
      steps: 20,
      checkpointDir: join(dir, 'ck'),
      checkpointEvery: 5,
      metricsFile: join(dir, 'm.jsonl'),
      onMetrics: (r) => recs.push(r),
    });
    await expect(run).rejects.toThrow(TrainingFaultError);
    await expect(run).rejects.toThrow(/non-finite loss \(NaN\) at step 7 in stage 'single'.*ck\/checkpoint/);
    expect(tf.memory().numTensors).toBe(before);
    const fault = recs.find((r) => r.type === 'fault');
    expect(fault).toMatchObject({ type: 'fault', step: 7, what: 'loss' });
    const logged = readFileSync(join(dir, 'm.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(logged[logged.length - 1]).toMatchObject({ type: 'fault', step: 7, value: 'NaN' });
    const ck = await loadTrainState(join(dir, 'ck'));
    expect(ck.step).toBe(5);
    expect(ck.variables.every((v) => Array.from(v.data).every(Number.isFinite))).toBe(true);
    p.dispose();
  });
});

describe('checkpoint files', () => {
  it('resuming from a foreign or corrupt checkpoint fails with a message naming it', async () => {
    const p = linearProblem({ seed: 11 });
    mkdirSync(join(dir, 'ck', 'checkpoint'), { recursive: true });
    writeFileSync(join(dir, 'ck', 'checkpoint', 'state.json'), '{"format": "loop-checkpoint/1", "step": 3');
    await expect(
      train({
        problem: p,
        schedule: 'single',
        optimizer: adam,
        steps: 5,
        checkpointDir: join(dir, 'ck'),
        resume: true,
      }),
    ).rejects.toThrow(/ck\/checkpoint\/state\.json is corrupt or truncated/);
    p.dispose();
  });
});

describe('configuration errors are caught before any training', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'negative lr',
      { optimizer: { type: 'adamw', lr: -0.1 } },
      /optimizer\.lr = -0\.1 is invalid: expected a finite number > 0/,
    ],
    [
      'patience 0',
      {
        schedule: {
          type: 'shift',
          criterion: { plateauDelta: 0.01, plateauPatience: 0, gradDelta: 0.1, gradPatience: 2 },
        },
        evalEvery: 5,
      },
      /plateauPatience = 0 .*integer >= 1/,
    ],
    [
      'unknown schedule',
      { schedule: 'zigzag' },
      /schedule = "zigzag" is invalid: expected one of 'single', 'looped', 'shift', 'progressive'/,
    ],
    ['steps and epochs', { epochs: 2 }, /exactly one of steps or epochs/],
    [
      'criterion without eval',
      {
        schedule: shiftSchedule({
          criterion: { plateauDelta: 0, plateauPatience: 1, gradDelta: 0.1, gradPatience: 1 },
        }),
      },
      /needs evalEvery/,
    ],
    ['resume without dir', { resume: true }, /need checkpointDir/],
  ];
  it.each(cases)('%s', async (_name, override, message) => {
    const p = linearProblem({ seed: 9 });
    const next = jest.spyOn(p, 'nextBatch');
    await expect(
      train({ problem: p, schedule: 'single', optimizer: adam, steps: 5, ...override } as never),
    ).rejects.toThrow(message);
    expect(next).not.toHaveBeenCalled();
    p.dispose();
  });
});
