// One task's tables and notes in the report: accuracy by test length, the stopping rules side by
// side, per-seed differences, and a note when the methods cannot be told apart.

import type { ReportBlock } from '../../report/types';
import { pct } from '../../stats';
import type { Cell, Table } from '../../summary-table';
import { fmtCI, meanCI, pairedCI } from '../../verdict-rules';
import { STOPPING_RULES, type StoppingRule } from '@loop/models';
import { METHOD_LABEL } from './config';
import { lengthMeans, mean, methodRuns, type TaskRuns } from './seed-means';
import type { TaskSummary } from './task-summary';
import type { LengthPoint, UnitResult } from './unit-result';

/** Per-length table: accuracy of every method, oracle and adaptive, and the adaptive step. */
export function lengthTable(t: TaskRuns, adaptiveRule: StoppingRule = 'confidence-batch'): Table {
  const s = t.settings;
  const columns = ['n', 'range'];
  const cols: ((i: number) => Cell)[] = [];
  for (const [method, runs] of methodRuns(t)) {
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
  for (const [method, runs] of methodRuns(t)) {
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
  const methods = methodRuns(t);
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
