// Aggregation of the algorithmic study's units into tables, figure data, verdicts and results
// (means over seeds). Pure: no I/O (only constants from @loop/models).

import type { Datum } from '../../charts/specs';
import type { ReportBlock } from '../../report/types';
import { pct, spread } from '../../stats';
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
    const oracle = lengthMeans(runs, 'oracle');
    const adaptive = lengthMeans(runs, 'adaptive');
    if (adaptive.some((v) => v !== null)) {
      const loops = runs[0]!.lengths.map((_, i) => mean(runs.map((r) => r.lengths[i]?.adaptiveLoops ?? NaN)));
      columns.push(`${label} oracle`, `${label} adaptive`, `${label} T*`);
      cols.push(
        (i) => pct(oracle[i]),
        (i) => pct(adaptive[i]),
        (i) => (Number.isFinite(loops[i]) ? Number(loops[i]!.toFixed(1)) : '–'),
      );
    } else {
      columns.push(`${label} (${runs[0]?.finalLoops ?? '1'} loop)`);
      cols.push((i) => pct(oracle[i]));
    }
  }
  const rows: Cell[][] = [];
  for (let i = 0; i < s.testLength; i++)
    rows.push([i + 1, i < s.maxTrainLength ? 'train' : 'test', ...cols.map((c) => c(i))]);
  return {
    title: `${s.task}: exact-match accuracy by test length (mean over seeds)`,
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
  };
  for (const [method, runs] of Object.entries(t.byMethod) as [Method, UnitResult[]][]) {
    out.atLongest[method] = bestStopping(runs)[s.testLength - 1] ?? null;
    out.ood[method] = oodMean(runs, s.maxTrainLength, 'best');
    out.oodOracle[method] = oodMean(runs, s.maxTrainLength, 'oracle');
    out.finalTrainAcc[method] = mean(runs.map((r) => r.evals[r.evals.length - 1]?.trainAcc ?? NaN));
    out.finalValAcc[method] = mean(runs.map((r) => r.evals[r.evals.length - 1]?.valAcc ?? NaN));
    out.trainTimeS[method] = mean(runs.map((r) => r.trainTimeS));
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

type Held = boolean | 'partly' | 'n/a';

function grade(diff: number | null, strong: number): Held {
  if (diff === null) return 'n/a';
  if (diff >= strong) return true;
  return diff > 0 ? 'partly' : false;
}

/** One verdict per claim of the paper, from the measured numbers. */
export function taskVerdicts(s: TaskSummary): ReportBlock[] {
  const out: ReportBlock[] = [];
  const ood = s.ood;
  if (ood.single !== undefined && ood.looped !== undefined) {
    const d = ood.looped !== null && ood.single !== null ? ood.looped - ood.single : null;
    out.push({
      kind: 'verdict',
      claim: `${s.task}: Looped-Attn generalizes beyond the training lengths better than Single-Attn`,
      held: grade(d, 0.05),
      evidence: `mean accuracy over lengths ${s.maxTrainLength + 1}..${s.testLength}: Looped ${pct(ood.looped)} (adaptive; oracle T(n): ${pct(s.oodOracle.looped ?? null)}) vs Single ${pct(ood.single)}; at n=${s.testLength}: ${pct(s.atLongest.looped ?? null)} vs ${pct(s.atLongest.single ?? null)}`,
    });
  }
  if (s.finalTrainAcc.single !== undefined) {
    const a = s.finalTrainAcc.single;
    out.push({
      kind: 'verdict',
      claim: `${s.task}: Single-Attn reaches high training accuracy (≥ 90%)`,
      held: a >= 0.9 ? true : a >= 0.5 ? 'partly' : false,
      evidence: `final training accuracy ${pct(a)}`,
    });
  }
  if (ood.shift !== undefined && ood.looped !== undefined && s.efficiency) {
    const e = s.efficiency;
    const d = ood.shift !== null && ood.looped !== null ? ood.shift - ood.looped : null;
    const held: Held =
      e.switchStep === null ? false : d === null ? 'n/a' : d >= -0.05 ? true : d >= -0.15 ? 'partly' : false;
    out.push({
      kind: 'verdict',
      claim: `${s.task}: SHIFT matches Looped-Attn's length generalization (within 5 points)`,
      held,
      evidence: `mean beyond training: SHIFT ${pct(ood.shift)} vs Looped ${pct(ood.looped)}${e.switchStep === null ? '; SCP never switched to Looped-Attn' : `; switch at step ${e.switchStep}`}`,
    });
    out.push({
      kind: 'verdict',
      claim: `${s.task}: SHIFT needs less training time than Looped-Attn`,
      held:
        e.targetSpeedup !== null
          ? e.targetSpeedup > 1 && e.totalSpeedup > 1
            ? true
            : e.targetSpeedup > 1 || e.totalSpeedup > 1
              ? 'partly'
              : false
          : e.totalSpeedup > 1
            ? 'partly'
            : false,
      evidence: `total ${seconds(e.shiftTimeS)} vs ${seconds(e.loopedTimeS)} (${ratio(e.totalSpeedup)}); to Looped's final val acc ${pct(e.target)}: ${e.shiftToTargetS === null ? 'SHIFT never reached it' : `${seconds(e.shiftToTargetS)} vs ${seconds(e.loopedToTargetS)} (${ratio(e.targetSpeedup)})`}. Wall time on a shared machine: noisy`,
    });
  }
  if (ood['looped-wo'] !== undefined && ood.looped !== undefined) {
    const d = ood.looped !== null && ood['looped-wo'] !== null ? ood.looped - ood['looped-wo'] : null;
    out.push({
      kind: 'verdict',
      claim: `${s.task}: removing input injection hurts length generalization (Fan et al.: addition, binary-sum)`,
      held: grade(d, 0.05),
      evidence: `mean beyond training: Looped ${pct(ood.looped)} vs Looped-WO ${pct(ood['looped-wo'])}`,
    });
  }
  return out;
}
