// Aggregation of the algorithmic study's units into tables, figure data, verdicts and results
// (means over seeds). Pure: no I/O (only constants from @loop/models).

import type { Datum } from '../../charts/specs';
import type { ReportBlock } from '../../report/types';
import { pct, spread } from '../../stats';
import { fmtCI, marginVerdict, meanCI, pairedCI, type Held } from '../../verdict-rules';
import type { Cell, Table } from '../../summary-table';
import { METHOD_LABEL, type Method, type TaskSettings } from './config';
import type { LengthPoint, UnitResult } from './train-unit';
import { STOPPING_RULES, type StoppingRule } from '@loop/models';

/** Tolerance of "reaching Looped-Attn's final validation accuracy" (1 point, as in the issue). */
export const TARGET_TOLERANCE = 0.01;

export interface TaskRuns {
  settings: TaskSettings;
  /** Results per method, one per seed (seed order). */
  byMethod: Partial<Record<Method, UnitResult[]>>;
}

const mean = (xs: readonly number[]): number => spread(xs).mean;
const seconds = (s: number | null): string => (s === null || !Number.isFinite(s) ? '–' : `${s.toFixed(1)} s`);
const ratio = (r: number | null): string => (r === null || !Number.isFinite(r) ? '–' : `${r.toFixed(2)}×`);

/** Mean over seeds of the accuracy at each length (oracle or adaptive). */
function lengthMeans(runs: readonly UnitResult[], mode: 'oracle' | 'adaptive'): (number | null)[] {
  const L = runs[0]?.lengths.length ?? 0;
  const out: (number | null)[] = [];
  for (let i = 0; i < L; i++) {
    const xs = runs.map((r) => r.lengths[i]?.[mode]).filter((v): v is number => typeof v === 'number');
    out.push(xs.length === runs.length && xs.length > 0 ? mean(xs) : null);
  }
  return out;
}

/** The stopping rule the paper uses at inference: adaptive when the model loops, else its one pass. */
function bestStopping(runs: readonly UnitResult[]): (number | null)[] {
  const a = lengthMeans(runs, 'adaptive');
  return a.some((v) => v !== null) ? a : lengthMeans(runs, 'oracle');
}

/** Mean accuracy over the lengths beyond the training range. */
export function oodMean(
  runs: readonly UnitResult[],
  maxTrainLength: number,
  mode: 'oracle' | 'adaptive' | 'best',
): number | null {
  const accs = mode === 'best' ? bestStopping(runs) : lengthMeans(runs, mode);
  const xs = accs.slice(maxTrainLength).filter((v): v is number => v !== null);
  return xs.length > 0 ? mean(xs) : null;
}

/** First evaluation's training time at which valAcc >= target - tolerance (null if never). */
export function timeToTarget(run: UnitResult, target: number): number | null {
  const e = run.evals.find((p) => p.valAcc >= target - TARGET_TOLERANCE);
  return e ? e.trainTimeS : null;
}

export interface Efficiency {
  loopedTimeS: number;
  shiftTimeS: number;
  /** Looped-Attn total training time / SHIFT's. */
  totalSpeedup: number;
  /** Looped-Attn's final validation accuracy (the target). */
  target: number;
  loopedToTargetS: number | null;
  shiftToTargetS: number | null;
  /** Looped-Attn's time to its final val acc (within 1 point) / SHIFT's time to the same. */
  targetSpeedup: number | null;
  switchStep: number | null;
  /** Per seed: measured training time to Looped-Attn's final validation accuracy (null: never reached). */
  perSeed: { loopedToTargetS: number | null; shiftToTargetS: number | null }[];
}

export function efficiency(looped: readonly UnitResult[], shift: readonly UnitResult[]): Efficiency {
  const per = looped.map((l, i) => {
    const s = shift[i]!;
    const target = l.evals[l.evals.length - 1]?.valAcc ?? NaN;
    const lt = timeToTarget(l, target);
    const st = timeToTarget(s, target);
    return { target, lt, st, speed: lt !== null && st !== null && st > 0 ? lt / st : null };
  });
  const loopedTimeS = mean(looped.map((r) => r.trainTimeS));
  const shiftTimeS = mean(shift.map((r) => r.trainTimeS));
  const all = <T>(xs: (T | null)[]): xs is T[] => xs.every((x) => x !== null);
  const lts = per.map((p) => p.lt);
  const sts = per.map((p) => p.st);
  const speeds = per.map((p) => p.speed);
  const switches = shift.map((r) => r.shiftStep);
  return {
    loopedTimeS,
    shiftTimeS,
    totalSpeedup: loopedTimeS / shiftTimeS,
    target: mean(per.map((p) => p.target)),
    loopedToTargetS: all(lts) ? mean(lts) : null,
    shiftToTargetS: all(sts) ? mean(sts) : null,
    targetSpeedup: all(speeds) ? mean(speeds) : null,
    switchStep: all(switches) ? mean(switches) : null,
    perSeed: per.map((p) => ({ loopedToTargetS: p.lt, shiftToTargetS: p.st })),
  };
}

/** Mean curve over seeds of an evaluation field, as chart rows. */
export function curveRows(t: TaskRuns, field: 'trainAcc' | 'valAcc'): Datum[] {
  const rows: Datum[] = [];
  for (const [method, runs] of Object.entries(t.byMethod) as [Method, UnitResult[]][]) {
    const len = Math.min(...runs.map((r) => r.evals.length));
    for (let i = 0; i < len; i++) {
      rows.push({
        step: runs[0]!.evals[i]!.step,
        acc: mean(runs.map((r) => r.evals[i]![field])),
        method: METHOD_LABEL[method],
      });
    }
  }
  return rows;
}

/** Mean over seeds of the training and validation loss at each evaluation, per method (chart rows). */
export function lossRows(t: TaskRuns): Datum[] {
  const rows: Datum[] = [];
  for (const [method, runs] of Object.entries(t.byMethod) as [Method, UnitResult[]][]) {
    const len = Math.min(...runs.map((r) => r.evals.length));
    for (let i = 0; i < len; i++) {
      const step = runs[0]!.evals[i]!.step;
      const model = METHOD_LABEL[method];
      rows.push(
        { step, loss: mean(runs.map((r) => r.evals[i]!.trainLoss)), model, split: 'train' },
        { step, loss: mean(runs.map((r) => r.evals[i]!.valLoss)), model, split: 'validation' },
      );
    }
  }
  return rows.filter((r) => Number.isFinite(r['loss']));
}

export function lengthRows(t: TaskRuns): Datum[] {
  const rows: Datum[] = [];
  for (const [method, runs] of Object.entries(t.byMethod) as [Method, UnitResult[]][]) {
    const oracle = lengthMeans(runs, 'oracle');
    const adaptive = lengthMeans(runs, 'adaptive');
    const looping = adaptive.some((v) => v !== null);
    oracle.forEach((acc, i) => {
      if (acc !== null)
        rows.push({
          n: i + 1,
          acc,
          method: METHOD_LABEL[method],
          stopping: looping ? 'oracle T(n)' : 'one pass',
        });
    });
    adaptive.forEach((acc, i) => {
      if (acc !== null) rows.push({ n: i + 1, acc, method: METHOD_LABEL[method], stopping: 'adaptive' });
    });
  }
  return rows;
}

/** Per-length table: accuracy of every method, oracle and adaptive, and the adaptive step. */
export function lengthTable(t: TaskRuns, adaptiveRule: StoppingRule = 'confidence-batch'): Table {
  const s = t.settings;
  const columns = ['n', 'range'];
  const cols: ((i: number) => Cell)[] = [];
  for (const [method, runs] of Object.entries(t.byMethod) as [Method, UnitResult[]][]) {
    const label = METHOD_LABEL[method];
    const adaptive = lengthMeans(runs, 'adaptive');
    const ci = (i: number, mode: 'oracle' | 'adaptive') =>
      fmtCI(meanCI(runs.map((r) => r.lengths[i]?.[mode] ?? NaN).filter((v) => Number.isFinite(v))));
    if (adaptive.some((v) => v !== null)) {
      const loops = runs[0]!.lengths.map((_, i) => mean(runs.map((r) => r.lengths[i]?.adaptiveLoops ?? NaN)));
      columns.push(`${label} oracle`, `${label} adaptive`, `${label} T*`);
      cols.push(
        (i) => ci(i, 'oracle'),
        (i) => ci(i, 'adaptive'),
        (i) => (Number.isFinite(loops[i]) ? Number(loops[i]!.toFixed(1)) : '–'),
      );
    } else {
      columns.push(`${label} (${runs[0]?.finalLoops ?? '1'} loop)`);
      cols.push((i) => ci(i, 'oracle'));
    }
  }
  const rows: Cell[][] = [];
  for (let i = 0; i < s.testLength; i++)
    rows.push([i + 1, i < s.maxTrainLength ? 'train' : 'test', ...cols.map((c) => c(i))]);
  return {
    title: `${s.task}: exact-match accuracy by test length (mean and 95% interval over seeds)`,
    columns,
    rows,
    note: `oracle: output after exactly T(n) loops (the final stage's loops); adaptive: the ${adaptiveRule} stopping rule over T_max loops${adaptiveRule === 'confidence-batch' ? ' (the reference: maximum confidence, one loop count per test batch)' : ''}; T*: the mean loop count it chose. Single-Attn is one pass.`,
  };
}

/**
 * Every stopping rule beside oracle T(n) for each looping method (mean over seeds): accuracy over
 * the training lengths, beyond them and at the longest length, and the loops chosen there. Null
 * when the units carry no per-rule scores (1-loop methods only, or runs before the rules existed).
 */
export function stoppingTable(t: TaskRuns, defaultRule: StoppingRule): Table | null {
  const s = t.settings;
  const rows: Cell[][] = [];
  const meanOver = (
    runs: readonly UnitResult[],
    pick: (l: LengthPoint) => number | undefined,
    from: number,
    to: number,
  ) => {
    const xs = runs.flatMap((r) => r.lengths.slice(from, to).map(pick));
    return xs.every((x): x is number => typeof x === 'number') && xs.length > 0 ? mean(xs) : null;
  };
  for (const [method, runs] of Object.entries(t.byMethod) as [Method, UnitResult[]][]) {
    if (!runs.every((r) => r.lengths.some((l) => l.rules))) continue;
    const L = s.testLength;
    const T = s.maxTrainLength;
    const row = (name: string, pick: (l: LengthPoint) => number | undefined, loops: Cell): Cell[] => [
      METHOD_LABEL[method],
      name,
      pct(meanOver(runs, pick, 0, T)),
      pct(meanOver(runs, pick, T, L)),
      pct(meanOver(runs, pick, L - 1, L)),
      loops,
    ];
    rows.push(row('oracle T(n)', (l) => l.oracle, 'T(n)'));
    for (const rule of STOPPING_RULES) {
      const loops = meanOver(runs, (l) => l.rules?.[rule]?.loops, L - 1, L);
      rows.push(
        row(
          rule === defaultRule ? `${rule} (adaptive)` : rule,
          (l) => l.rules?.[rule]?.acc,
          loops === null ? '–' : Number(loops.toFixed(1)),
        ),
      );
    }
  }
  if (rows.length === 0) return null;
  return {
    title: `${s.task}: stopping rules on the same trained models (mean over seeds)`,
    columns: [
      'method',
      'rule',
      `train 1..${s.maxTrainLength}`,
      `beyond ${s.maxTrainLength + 1}..${s.testLength}`,
      `at n=${s.testLength}`,
      `loops at n=${s.testLength}`,
    ],
    rows,
    note: `confidence-batch: the reference, maximum confidence over T_max loops, one loop count per test batch (one length); confidence-sample: the same per sample; confidence-trained: the reference restricted to the loops used in training (1..T(${s.maxTrainLength})); fixed-point: per sample, the first loop after which the answer stays unchanged for the configured patience. "(adaptive)" marks the rule the other tables call adaptive.`,
  };
}

/**
 * A note when every method scores exactly the same at every test length (oracle and adaptive):
 * the test sets are shared, so the models answered those samples alike and the task cannot
 * separate the methods at this scale. Null when any number differs.
 */
export function identicalNote(t: TaskRuns): ReportBlock | null {
  const methods = Object.entries(t.byMethod) as [Method, UnitResult[]][];
  if (methods.length < 2) return null;
  const profile = (runs: UnitResult[]) =>
    JSON.stringify(runs.map((r) => r.lengths.map((l) => [l.oracle, l.adaptive ?? l.oracle])));
  const first = profile(methods[0]![1]);
  if (!methods.every(([, runs]) => profile(runs) === first)) return null;
  const s = t.settings;
  const acc = pct(mean(methods[0]![1].flatMap((r) => r.lengths.map((l) => l.oracle))));
  return {
    kind: 'text',
    markdown: `**${methods.map(([m]) => METHOD_LABEL[m]).join(', ')} give identical results on ${s.task}**: the same exact-match accuracy at every length 1..${s.testLength}, per seed, with every stopping rule (mean ${acc}). All methods are tested on the same samples, so they answered them alike: at this scale every model learned the same rule (or the same constant answer), and the comparison below cannot separate the methods. A larger scale (more steps, a wider model, longer training lengths) is needed to decide the claims on this task.`,
  };
}

export interface TaskSummary {
  task: string;
  maxTrainLength: number;
  testLength: number;
  /** Accuracy at the longest test length (best stopping per method). */
  atLongest: Partial<Record<Method, number | null>>;
  /** Mean accuracy over the lengths beyond training (best stopping per method). */
  ood: Partial<Record<Method, number | null>>;
  /** The same with oracle stopping (T(n) loops; one pass for Single-Attn). */
  oodOracle: Partial<Record<Method, number | null>>;
  finalTrainAcc: Partial<Record<Method, number>>;
  finalValAcc: Partial<Record<Method, number>>;
  trainTimeS: Partial<Record<Method, number>>;
  efficiency: Efficiency | null;
  /** Per-seed values (seed order) that the verdicts are decided on. */
  seeds: Partial<Record<Method, SeedValues>>;
}

/** One method's per-seed numbers (seed order). */
export interface SeedValues {
  seed: number[];
  /** Mean exact match over the lengths beyond training: oracle T(n) (one pass for Single-Attn), adaptive (NaN: none). */
  beyondOracle: number[];
  beyondAdaptive: number[];
  /** Exact match at the longest test length (2x the training length in the study's profiles). */
  atLongestOracle: number[];
  atLongestAdaptive: number[];
  finalTrainAcc: number[];
}

function seedValues(runs: readonly UnitResult[], maxTrainLength: number): SeedValues {
  const avg = (xs: (number | null)[]) =>
    xs.length > 0 && xs.every((x) => typeof x === 'number') ? mean(xs as number[]) : NaN;
  const last = (r: UnitResult) => r.lengths[r.lengths.length - 1];
  return {
    seed: runs.map((r) => r.seed),
    beyondOracle: runs.map((r) => avg(r.lengths.slice(maxTrainLength).map((l) => l.oracle))),
    beyondAdaptive: runs.map((r) => avg(r.lengths.slice(maxTrainLength).map((l) => l.adaptive))),
    atLongestOracle: runs.map((r) => last(r)?.oracle ?? NaN),
    atLongestAdaptive: runs.map((r) => last(r)?.adaptive ?? NaN),
    finalTrainAcc: runs.map((r) => r.evals[r.evals.length - 1]?.trainAcc ?? NaN),
  };
}

export function summarizeTask(t: TaskRuns): TaskSummary {
  const s = t.settings;
  const out: TaskSummary = {
    task: s.task,
    maxTrainLength: s.maxTrainLength,
    testLength: s.testLength,
    atLongest: {},
    ood: {},
    oodOracle: {},
    finalTrainAcc: {},
    finalValAcc: {},
    trainTimeS: {},
    efficiency: null,
    seeds: {},
  };
  for (const [method, runs] of Object.entries(t.byMethod) as [Method, UnitResult[]][]) {
    out.atLongest[method] = bestStopping(runs)[s.testLength - 1] ?? null;
    out.ood[method] = oodMean(runs, s.maxTrainLength, 'best');
    out.oodOracle[method] = oodMean(runs, s.maxTrainLength, 'oracle');
    out.finalTrainAcc[method] = mean(runs.map((r) => r.evals[r.evals.length - 1]?.trainAcc ?? NaN));
    out.finalValAcc[method] = mean(runs.map((r) => r.evals[r.evals.length - 1]?.valAcc ?? NaN));
    out.trainTimeS[method] = mean(runs.map((r) => r.trainTimeS));
    out.seeds[method] = seedValues(runs, s.maxTrainLength);
  }
  if (t.byMethod.looped && t.byMethod.shift) out.efficiency = efficiency(t.byMethod.looped, t.byMethod.shift);
  return out;
}

const METHOD_ORDER: Method[] = ['single', 'looped', 'shift', 'looped-wo'];

export function accuracySummaryTable(summaries: readonly TaskSummary[], methods: readonly Method[]): Table {
  const ms = METHOD_ORDER.filter((m) => methods.includes(m));
  return {
    title: 'Length generalization: accuracy at the longest test length / mean beyond the training lengths',
    columns: ['task', 'train ≤', 'test ≤', ...ms.map((m) => METHOD_LABEL[m])],
    rows: summaries.map((s) => [
      s.task,
      s.maxTrainLength,
      s.testLength,
      ...ms.map((m) => `${pct(s.atLongest[m] ?? null)} / ${pct(s.ood[m] ?? null)}`),
    ]),
    note: 'Exact match; adaptive stopping for looped models, one pass for Single-Attn; mean over seeds. Paper (Fig. 14 c, GPU scale): Single-Attn fails beyond the training lengths, Looped-Attn and SHIFT stay high.',
  };
}

export function efficiencyTable(summaries: readonly TaskSummary[]): Table {
  return {
    title: "SHIFT's training time against Looped-Attn (paper Fig. 11)",
    columns: [
      'task',
      'Single time',
      'Looped time',
      'SHIFT time',
      'SHIFT switch step',
      'Looped final val acc',
      'Looped to it',
      'SHIFT to it',
      'speedup to it',
      'total speedup',
    ],
    rows: summaries.map((s) => {
      const e = s.efficiency;
      return [
        s.task,
        seconds(s.trainTimeS.single ?? null),
        seconds(s.trainTimeS.looped ?? null),
        seconds(s.trainTimeS.shift ?? null),
        e?.switchStep ?? (e ? 'never' : '–'),
        e ? pct(e.target) : '–',
        e ? seconds(e.loopedToTargetS) : '–',
        e ? (e.shiftToTargetS === null ? 'not reached' : seconds(e.shiftToTargetS)) : '–',
        e ? ratio(e.targetSpeedup) : '–',
        e ? ratio(e.totalSpeedup) : '–',
      ];
    }),
    note: `Training wall time without evaluation (mean over seeds). "to it": training time until the validation accuracy first reached Looped-Attn's final validation accuracy minus ${100 * TARGET_TOLERANCE} point; speedup = Looped / SHIFT. Paper: SHIFT reaches Looped-Attn's performance with less training time on every task.`,
  };
}

/** Margins of the algorithmic verdict rules (fixed before the runs; docs/reproducing.md states them). */
export const VERDICT_MARGIN = {
  /** Looped-Attn must beat Single-Attn beyond the training lengths by more than this. */
  generalization: 0.05,
  /** SHIFT "matches" Looped-Attn when it is at most this much lower. */
  shiftMatch: 0.05,
  /** "High training accuracy" for Single-Attn. */
  trainAcc: 0.9,
} as const;

/**
 * One verdict per claim of the paper, decided over seeds by `marginVerdict` on 95% t intervals
 * (paired per seed where two methods are compared); fewer than 3 seeds give 'n/a', never a verdict.
 */
export function taskVerdicts(s: TaskSummary, adaptiveRule: string = 'confidence-batch'): ReportBlock[] {
  const out: ReportBlock[] = [];
  const sv = s.seeds;
  const L = s.testLength;
  const T = s.maxTrainLength;
  const M = VERDICT_MARGIN;
  const n = (ci: { n: number }) => `${ci.n} seed${ci.n === 1 ? '' : 's'}`;
  if (sv.single && sv.looped) {
    const single = sv.single;
    const looped = sv.looped;
    for (const [mode, label] of [
      ['oracle', 'oracle T(n) loops'],
      ['adaptive', `adaptive stopping (${adaptiveRule})`],
    ] as const) {
      const a = mode === 'oracle' ? looped.beyondOracle : looped.beyondAdaptive;
      const at = mode === 'oracle' ? looped.atLongestOracle : looped.atLongestAdaptive;
      const d = pairedCI(a, single.beyondOracle);
      out.push({
        kind: 'verdict',
        claim: `${s.task}: Looped-Attn with ${label} generalizes beyond the training lengths better than Single-Attn (by > ${100 * M.generalization} points)`,
        held: marginVerdict(d, M.generalization),
        evidence: `paired Looped − Single over lengths ${T + 1}..${L}: ${fmtCI(d, 'pt')} (${n(d)}); Looped ${fmtCI(meanCI(a))} vs Single ${fmtCI(meanCI(single.beyondOracle))}; at n=${L}: ${fmtCI(meanCI(at))} vs ${fmtCI(meanCI(single.atLongestOracle))}`,
      });
    }
  }
  if (sv.single) {
    const c = meanCI(sv.single.finalTrainAcc);
    out.push({
      kind: 'verdict',
      claim: `${s.task}: Single-Attn reaches high training accuracy (≥ ${100 * M.trainAcc}%)`,
      held: marginVerdict(c, M.trainAcc),
      evidence: `final training accuracy ${fmtCI(c)} (${n(c)})`,
    });
  }
  if (sv.shift && sv.looped && s.efficiency) {
    const e = s.efficiency;
    const d = pairedCI(sv.shift.beyondOracle, sv.looped.beyondOracle);
    out.push({
      kind: 'verdict',
      claim: `${s.task}: SHIFT matches Looped-Attn's length generalization (at most ${100 * M.shiftMatch} points lower)`,
      held: marginVerdict(d, -M.shiftMatch),
      evidence: `paired SHIFT − Looped over lengths ${T + 1}..${L} (oracle T(n)): ${fmtCI(d, 'pt')} (${n(d)})${e.switchStep === null ? '; SCP did not switch to Looped-Attn on every seed' : `; switch at step ${e.switchStep} on average`}`,
    });
    const times = e.perSeed;
    const reached = times.filter((t) => t.shiftToTargetS !== null).length;
    const dt = pairedCI(
      times.map((t) => t.loopedToTargetS ?? NaN),
      times.map((t) => t.shiftToTargetS ?? NaN),
    );
    const held: Held =
      reached * 2 < times.length ? (times.length >= 3 ? false : 'n/a') : marginVerdict(dt, 0);
    out.push({
      kind: 'verdict',
      claim: `${s.task}: SHIFT needs less training time than Looped-Attn to reach Looped-Attn's final validation accuracy (measured wall time)`,
      held,
      evidence: `SHIFT reached it on ${reached} of ${times.length} seeds; paired Looped − SHIFT time to it ${fmtCI(dt, 'num')} s (${n(dt)}); total training time ${seconds(e.shiftTimeS)} vs ${seconds(e.loopedTimeS)} (${ratio(e.totalSpeedup)}). Measured on a shared machine`,
    });
  }
  if (sv['looped-wo'] && sv.looped) {
    const d = pairedCI(sv.looped.beyondOracle, sv['looped-wo'].beyondOracle);
    out.push({
      kind: 'verdict',
      claim: `${s.task}: removing input injection hurts length generalization (by > ${100 * M.generalization} points; Fan et al.: addition, binary-sum)`,
      held: marginVerdict(d, M.generalization),
      evidence: `paired Looped − Looped-WO over lengths ${T + 1}..${L} (oracle T(n)): ${fmtCI(d, 'pt')} (${n(d)})`,
    });
  }
  return out;
}

/** Per seed: each method beyond the training lengths and the paired differences the verdicts use. */
export function seedTable(s: TaskSummary): Table | null {
  const single = s.seeds.single;
  const looped = s.seeds.looped;
  if (!single || !looped) return null;
  const rows: Cell[][] = single.seed.map((seed, i) => [
    seed,
    pct(single.beyondOracle[i] ?? null),
    pct(looped.beyondOracle[i] ?? null),
    pct(Number.isFinite(looped.beyondAdaptive[i]) ? looped.beyondAdaptive[i]! : null),
    pct(single.atLongestOracle[i] ?? null),
    pct(looped.atLongestOracle[i] ?? null),
    fmtCI(meanCI([looped.beyondOracle[i]! - single.beyondOracle[i]!]), 'pt'),
    fmtCI(meanCI([looped.beyondAdaptive[i]! - single.beyondOracle[i]!]), 'pt'),
  ]);
  rows.push([
    'mean [95% CI]',
    fmtCI(meanCI(single.beyondOracle)),
    fmtCI(meanCI(looped.beyondOracle)),
    fmtCI(meanCI(looped.beyondAdaptive)),
    fmtCI(meanCI(single.atLongestOracle)),
    fmtCI(meanCI(looped.atLongestOracle)),
    fmtCI(pairedCI(looped.beyondOracle, single.beyondOracle), 'pt'),
    fmtCI(pairedCI(looped.beyondAdaptive, single.beyondOracle), 'pt'),
  ]);
  return {
    title: `${s.task}: per seed, beyond the training lengths (${s.maxTrainLength + 1}..${s.testLength}) and at n=${s.testLength}`,
    columns: [
      'seed',
      'Single',
      'Looped oracle',
      'Looped adaptive',
      `Single at ${s.testLength}`,
      `Looped oracle at ${s.testLength}`,
      'Δ oracle',
      'Δ adaptive',
    ],
    rows,
    note: 'Exact match; Δ = Looped − Single on the same seed (same initial weights and data). The verdicts use the mean of Δ with its 95% t interval over seeds.',
  };
}
