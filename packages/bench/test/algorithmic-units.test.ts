import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/program';
import { sink } from './helpers';
import { algorithmicUnits, METHOD_COST } from '../src/experiments/algorithmic/index';
import { METHODS } from '../src/experiments/algorithmic/config';
import { efficiency, oodMean, timeToTarget } from '../src/experiments/algorithmic/seed-means';
import { identicalNote, stoppingTable } from '../src/experiments/algorithmic/task-tables';
import { summarizeTask } from '../src/experiments/algorithmic/task-summary';
import { taskVerdicts } from '../src/experiments/algorithmic/verdicts';
import { earlyStopRule } from '../src/experiments/algorithmic/early-stop';
import type { UnitResult } from '../src/experiments/algorithmic/unit-result';
import type { EvalRecord } from '@loop/shift';
import { ConfigError } from '../src/config/resolve';
import { balancedSlice, parseShard, shardSlice } from '../src/shard/shard';
import { parseTasks } from '../src/shard/commands';

function unit(
  method: UnitResult['method'],
  valAccs: number[],
  times: number[],
  lengths: [number, number | null][],
  shiftStep: number | null = null,
): UnitResult {
  return {
    task: 'parity',
    method,
    seed: 0,
    parameters: 1,
    steps: valAccs.length * 10,
    evals: valAccs.map((v, i) => ({
      step: (i + 1) * 10,
      trainLoss: 0,
      trainAcc: 0,
      valLoss: 0,
      valAcc: v,
      trainTimeS: times[i]!,
    })),
    shiftStep,
    plateauStep: null,
    finalLoops: method === 'single' ? '1' : 'T(n)',
    lengths: lengths.map(([o, a], i) => ({
      n: i + 1,
      oracle: o,
      adaptive: a,
      adaptiveLoops: a === null ? null : i + 1,
    })),
    trainTimeS: times[times.length - 1]!,
    evalTimeS: 0,
    flops: 0,
  };
}

describe('shards', () => {
  test('parseShard accepts i/n with 0 <= i < n and names the bad value otherwise', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(parseShard(null)).toBeNull();
    for (const bad of ['3/3', '1-3', '0/0', 'a/b'])
      expect(() => parseShard(bad)).toThrow(new RegExp(`--shard ${bad}`));
    expect(() => parseShard('3/3')).toThrow(ConfigError);
  });

  test('the n shards partition the unit list: every unit exactly once, deterministic order', () => {
    const plan = algorithmicUnits(
      { tasks: ['copy', 'parity', 'addition'], methods: ['single', 'looped', 'shift'] },
      [0, 1],
    );
    expect(plan).toHaveLength(3 * 3 * 2);
    // task order is the canonical TASK_NAMES order, whatever order --task gave
    expect(plan[0]!.key).toBe('parity-single-seed0');
    expect(plan[1]!.key).toBe('parity-single-seed1');
    for (const n of [1, 2, 4, 7, 25]) {
      const slices = Array.from({ length: n }, (_, i) =>
        shardSlice({ index: i, count: n }, plan).map((u) => u.key),
      );
      const all = slices.flat();
      expect(all.length).toBe(plan.length);
      expect(new Set(all)).toEqual(new Set(plan.map((u) => u.key)));
      const sizes = slices.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(shardSlice({ index: 1, count: 4 }, plan).map((u) => u.key)).toEqual([
      plan[1]!.key,
      plan[5]!.key,
      plan[9]!.key,
      plan[13]!.key,
      plan[17]!.key,
    ]);
  });

  test('balancedSlice: shards partition the plan and, task by task, carry about equal weight', () => {
    const plan = algorithmicUnits(
      { tasks: ['parity', 'copy', 'addition', 'binary-sum', 'unique-set'], methods: [...METHODS] },
      [0, 1, 2],
    );
    const w = (u: (typeof plan)[number]) => METHOD_COST[u.method];
    for (const n of [1, 2, 3, 6, 61]) {
      const slices = Array.from({ length: n }, (_, i) =>
        balancedSlice({ index: i, count: n }, plan, w, (u) => u.task),
      );
      const keys = slices.flat().map((u) => u.key);
      expect(keys).toHaveLength(plan.length);
      expect(new Set(keys)).toEqual(new Set(plan.map((u) => u.key)));
      // each slice keeps plan order
      for (const s of slices) {
        const pos = s.map((u) => plan.indexOf(u));
        expect(pos).toEqual([...pos].sort((a, b) => a - b));
      }
    }
    // Two shards, weights 1/5/3/5 x 3 seeds = 42 per task: each task splits 21/21, the ideal,
    // where index mod 2 gives 4 looped-type units to one shard and 2 to the other.
    const two = [0, 1].map((i) => balancedSlice({ index: i, count: 2 }, plan, w, (u) => u.task));
    for (const task of ['parity', 'copy', 'addition', 'binary-sum', 'unique-set']) {
      const loads = two.map((s) => s.filter((u) => u.task === task).reduce((a, u) => a + w(u), 0));
      expect(loads).toEqual([21, 21]);
    }
    expect(balancedSlice(null, plan, w, (u) => u.task)).toEqual(plan);
  });

  test('--task parses names, lists and all', () => {
    expect(parseTasks('copy,parity')).toEqual(['parity', 'copy']);
    expect(parseTasks('all')).toHaveLength(6);
    expect(() => parseTasks('parity,sorting')).toThrow(/unknown task 'sorting'/);
  });
});

describe('aggregation against hand-computed values', () => {
  const looped = unit(
    'looped',
    [0.5, 0.9, 0.95],
    [10, 20, 30],
    [
      [1, 1],
      [1, 0.9],
      [0.8, 0.6],
      [0.6, 0.4],
    ],
  );
  const shift = unit(
    'shift',
    [0.6, 0.94, 0.96],
    [4, 8, 12],
    [
      [1, 1],
      [1, 1],
      [0.5, 0.7],
      [0.1, 0.3],
    ],
    10,
  );
  const single = unit(
    'single',
    [0.9, 0.9, 1],
    [2, 4, 6],
    [
      [1, null],
      [1, null],
      [0.2, null],
      [0, null],
    ],
  );

  test('time to target: first evaluation within 1 point of the target', () => {
    expect(timeToTarget(looped, 0.95)).toBe(30);
    expect(timeToTarget(shift, 0.95)).toBe(8); // 0.94 >= 0.95 - 0.01
    expect(timeToTarget(single, 1.5)).toBeNull();
  });

  test('efficiency: speedups are Looped / SHIFT times', () => {
    const e = efficiency([looped], [shift]);
    expect(e.target).toBe(0.95);
    expect(e.loopedToTargetS).toBe(30);
    expect(e.shiftToTargetS).toBe(8);
    expect(e.targetSpeedup).toBeCloseTo(30 / 8, 12);
    expect(e.totalSpeedup).toBeCloseTo(30 / 12, 12);
    expect(e.switchStep).toBe(10);
  });

  test('mean accuracy beyond the training lengths uses adaptive stopping for looped models', () => {
    expect(oodMean([looped], 2, 'best')).toBeCloseTo((0.6 + 0.4) / 2, 12);
    expect(oodMean([looped], 2, 'oracle')).toBeCloseTo((0.8 + 0.6) / 2, 12);
    expect(oodMean([single], 2, 'best')).toBeCloseTo(0.1, 12); // one pass: oracle
    expect(oodMean([looped, shift], 3, 'best')).toBeCloseTo((0.4 + 0.3) / 2, 12);
  });
});

describe('CLI validation (in process, nothing written)', () => {
  test.each([
    [['--task', 'sorting'], /unknown task 'sorting'/],
    [['--shard', '2/2'], /--shard 2\/2/],
    [['--shard', 'x'], /--shard x/],
  ])('algorithmic %j exits 2 with a message naming the value', async (args, message) => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-algo-bad-')), 'run');
    const stderr = sink();
    const code = await main(
      ['node', 'loop-bench', 'algorithmic', '--profile', 'smoke', '--backend', 'cpu', '--out', out, ...args],
      {
        stderr,
        stdout: sink(),
        run: { initBackend: async () => 'cpu' },
      },
    );
    expect(code).toBe(2);
    expect(stderr.text()).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  test('merge refuses folders that are not run folders', async () => {
    const stderr = sink();
    const dir = mkdtempSync(join(tmpdir(), 'bench-algo-merge-'));
    const code = await main(['node', 'loop-bench', 'merge', dir, '--out', join(dir, 'm')], {
      stderr,
      stdout: sink(),
    });
    expect(code).toBe(2);
    expect(stderr.text()).toMatch(/no config\.json/);
  });
});

/** A parity task trained on lengths 1..2 and tested to 4 (constructed runs below). */
const settings = {
  task: 'parity' as const,
  layers: 1,
  heads: 2,
  maxTrainLength: 2,
  testLength: 4,
  curriculumInterval: 0,
  steps: 30,
  lr: 1e-3,
};

describe('report notes and the stopping-rule table', () => {
  const same: [number, number | null][] = [
    [1, null],
    [0.5, null],
    [0.5, null],
    [0.25, null],
  ];
  const sameLooped: [number, number | null][] = same.map(([o]) => [o, o]);

  it('says so when every method scores the same at every length, and stays silent otherwise', () => {
    const note = identicalNote({
      settings,
      byMethod: { single: [unit('single', [1], [1], same)], looped: [unit('looped', [1], [1], sameLooped)] },
    });
    expect(note?.kind).toBe('text');
    expect(note && 'markdown' in note ? note.markdown : '').toMatch(
      /Single-Attn, Looped-Attn give identical results on parity/,
    );
    const differs = sameLooped.map(([o], i): [number, number | null] => [o, i === 3 ? 0.3 : o]);
    expect(
      identicalNote({
        settings,
        byMethod: { single: [unit('single', [1], [1], same)], looped: [unit('looped', [1], [1], differs)] },
      }),
    ).toBeNull();
  });

  it('stopping rules: means over the training lengths, beyond them and at the longest, per rule', () => {
    const u = unit('looped', [1], [1], sameLooped);
    // Rule accuracies by length: confidence-batch 1, 1, 0.5, 0; the others 0.25 everywhere.
    u.lengths.forEach((l, i) => {
      l.rules = {
        'confidence-batch': { acc: [1, 1, 0.5, 0][i]!, loops: i + 1 },
        'confidence-sample': { acc: 0.25, loops: 2 },
        'confidence-trained': { acc: 0.25, loops: 2 },
        'fixed-point': { acc: 0.25, loops: 7 },
      };
    });
    const t = stoppingTable(
      { settings, byMethod: { single: [unit('single', [1], [1], same)], looped: [u] } },
      'fixed-point',
    )!;
    expect(t.rows.map((r) => r[1])).toEqual([
      'oracle T(n)',
      'confidence-batch',
      'confidence-sample',
      'confidence-trained',
      'fixed-point (adaptive)',
    ]);
    // oracle: train (1 + 0.5) / 2, beyond (0.5 + 0.25) / 2, at n = 4: 0.25.
    expect(t.rows[0]!.slice(2, 5)).toEqual(['75.0%', '37.5%', '25.0%']);
    expect(t.rows[1]!.slice(2, 6)).toEqual(['100.0%', '25.0%', '0.0%', 4]);
    expect(t.rows[4]!.slice(2, 6)).toEqual(['25.0%', '25.0%', '25.0%', 7]);
    // Runs from before the rules existed have no table.
    expect(
      stoppingTable(
        { settings, byMethod: { looped: [unit('looped', [1], [1], sameLooped)] } },
        'confidence-batch',
      ),
    ).toBeNull();
  });
});

describe('algorithmic verdicts over seeds (constructed runs)', () => {
  /** A run whose accuracy beyond training (n = 3, 4) is `beyond` (oracle) and `adaptive`. */
  const run = (method: UnitResult['method'], seed: number, beyond: number, adaptive: number | null) => {
    const u = unit(
      method,
      [1],
      [1],
      [
        [1, adaptive === null ? null : 1],
        [1, adaptive === null ? null : 1],
        [beyond, adaptive],
        [beyond, adaptive],
      ],
    );
    u.seed = seed;
    u.evals[0]!.trainAcc = 0.97;
    return u;
  };
  const verdictsOf = (single: number[], looped: number[], adaptive: number[]) => {
    const t = {
      settings,
      byMethod: {
        single: single.map((b, i) => run('single', i, b, null)),
        looped: looped.map((b, i) => run('looped', i, b, adaptive[i]!)),
      },
    };
    return taskVerdicts(summarizeTask(t)).map((v) => (v.kind === 'verdict' ? v.held : null));
  };

  it('clear win: every seed ahead by ~40 points -> held (oracle); adaptive at chance -> did not hold', () => {
    expect(verdictsOf([0.5, 0.52, 0.48], [0.9, 0.93, 0.88], [0.5, 0.51, 0.49])).toEqual([true, false, true]);
  });
  it('clear loss: Looped behind on every seed -> did not hold', () => {
    expect(verdictsOf([0.8, 0.82, 0.78], [0.5, 0.55, 0.52], [0.5, 0.5, 0.5]).slice(0, 2)).toEqual([
      false,
      false,
    ]);
  });
  it('overlap: seeds disagree -> partly (undecided), never held', () => {
    expect(verdictsOf([0.5, 0.5, 0.5], [0.95, 0.5, 0.6], [0.5, 0.5, 0.5])[0]).toBe('partly');
  });
  it('one or two seeds: n/a, whatever the gap', () => {
    expect(verdictsOf([0.5], [1], [1])).toEqual(['n/a', 'n/a', 'n/a']);
    expect(verdictsOf([0.5, 0.5], [1, 1], [1, 1])).toEqual(['n/a', 'n/a', 'n/a']);
  });
});

describe('early stopping rule of the study', () => {
  const rec = (step: number, stage: number, valAcc: number, probe: number) =>
    ({
      type: 'eval',
      step,
      stage,
      stageName: 's',
      metrics: { valAcc, 'probe.oracleAcc': probe },
      gradNorm: 0,
      trainMs: 0,
      flops: 0,
    }) as EvalRecord;
  const rule = earlyStopRule({ patience: 3, delta: 0.02 }, 20);

  it('fires once validation is 100% and the accuracy at 2x moved at most delta over the last evaluations', () => {
    expect(rule([rec(1, 0, 1, 0.5), rec(2, 0, 1, 0.9), rec(3, 0, 1, 0.91)])).toBeNull(); // moved 40 points
    expect(rule([rec(1, 0, 1, 0.5), rec(2, 0, 1, 0.9), rec(3, 0, 1, 0.91), rec(4, 0, 1, 0.905)])).toMatch(
      /validation accuracy 100% and accuracy at n=20 within 1\.0 points over the last 3 evaluations/,
    );
  });
  it('needs 100% validation accuracy at every one of them, and that many evaluations of the current stage', () => {
    expect(rule([rec(1, 0, 1, 0.9), rec(2, 0, 0.99, 0.9), rec(3, 0, 1, 0.9)])).toBeNull();
    expect(rule([rec(1, 0, 1, 0.9), rec(2, 1, 1, 0.9), rec(3, 1, 1, 0.9)])).toBeNull(); // stage 1 has two
    expect(rule([rec(1, 1, 1, 0.9), rec(2, 1, 1, 0.9)])).toBeNull();
  });
});
