// Observation 1's text and tables: the set-up paragraph, final accuracy per language, accuracy at
// fixed budgets, the epoch each model reaches the Bayes predictor, and the summary-table entry.

import type { ReportBlock } from '../../../report/types';
import { pct, spread } from '../../../stats';
import type { Table } from '../../../summary-table';
import { fmtCI, meanCI } from '../../../verdict-rules';
import { GROUPS, MODEL_NAME, REACH_TOLERANCE } from './measures';
import { highDiffAt, indicesOf, type Obs1 } from './setup';

export function introText(o: Obs1): ReportBlock {
  const { core, langs } = o;
  return {
    kind: 'text',
    markdown:
      `Both toy models trained on the same data per run: ${langs.length} language(s) (${langs.join(', ')}) x seeds ${[...new Set(core.seeds.map((s) => s.seed))].join(', ')}; ` +
      `${core.seeds[0]?.trainSize ?? '?'} training sequences; low-IC group ${core.seeds[0]?.lowCount} examples, high-IC ${core.seeds[0]?.highCount} (first run). ` +
      'Every interval is a 95% Student t interval over runs; differences are paired (same language, seed and data).',
  };
}

/** Per language: final accuracies and the paired high-IC difference. */
export function langTableOf(o: Obs1): Table {
  const { core, all, pick, perLang, finalHigh, E } = o;
  const langRows = perLang.map(({ lang, idx }) => {
    const s0 = core.seeds[idx[0]!]!;
    return [
      String(lang),
      String(idx.length),
      pct(spread(idx.map((i) => core.seeds[i]!.bayes.all))),
      pct(s0.bayes.high),
      fmtCI(meanCI(pick('single', idx, (r) => r.final.acc))),
      fmtCI(meanCI(pick('looped', idx, (r) => r.final.acc))),
      fmtCI(meanCI(pick('single', idx, (r) => r.final.accHigh))),
      fmtCI(meanCI(pick('looped', idx, (r) => r.final.accHigh))),
      fmtCI(finalHigh(idx), 'pt'),
    ];
  });
  return {
    title: `Final training accuracy (epoch ${E}) per language, mean [95% interval] over seeds`,
    columns: [
      'language',
      'seeds',
      'Bayes all',
      'Bayes high-IC',
      'Single all',
      'Looped all',
      'Single high-IC',
      'Looped high-IC',
      'Δ high-IC (L − S, paired)',
    ],
    rows: [
      ...langRows,
      [
        'pooled',
        String(all.length),
        pct(spread(all.map((i) => core.seeds[i]!.bayes.all))),
        '',
        fmtCI(meanCI(pick('single', all, (r) => r.final.acc))),
        fmtCI(meanCI(pick('looped', all, (r) => r.final.acc))),
        fmtCI(meanCI(pick('single', all, (r) => r.final.accHigh))),
        fmtCI(meanCI(pick('looped', all, (r) => r.final.accHigh))),
        fmtCI(finalHigh(all), 'pt'),
      ],
      ['paper', '1', '', '', '69.25% (Table 1, training)', '72.29%', '', '', ''],
    ],
    note: 'Bayes predictor: argmax of the true next-token distribution, scored on the training set (the best a model can do in expectation).',
  };
}

/** Accuracy at fixed training budgets (pooled over languages and seeds). */
export function budgetTableOf(o: Obs1): Table {
  const { core, langs, budgets, all, pick, accAt } = o;
  const budgetRows = budgets.flatMap((b) =>
    (['single', 'looped'] as const).map((m) => [
      String(b),
      MODEL_NAME[m],
      ...GROUPS.map((g) => fmtCI(meanCI(pick(m, all, accAt(b, g.field))))),
    ]),
  );
  const diffs = highDiffAt(o);
  return {
    title: `Training accuracy at fixed budgets (mean [95% interval] over ${all.length} runs: ${langs.length} language(s) x ${core.seeds.length / Math.max(1, langs.length)} seed(s))`,
    columns: ['epoch', 'model', ...GROUPS.map((g) => g.label)],
    rows: budgetRows,
    note: `Paired high-IC difference Looped − Single: ${budgets.map((b, i) => `epoch ${b}: ${fmtCI(diffs[i]!, 'pt')}`).join('; ')}.`,
  };
}

export function reachTableOf(o: Obs1): Table {
  const { core, langs, reach } = o;
  const reachCell = (xs: (number | null)[]) => {
    const hit = xs.filter((x): x is number => x !== null);
    return `${fmtCI(meanCI(hit), 'num', 0, 0)} (${hit.length}/${xs.length} reached)`;
  };
  return {
    title: `Epoch at which each model first comes within ${100 * REACH_TOLERANCE} pt of the Bayes predictor on a group (mean [95% interval] over the runs that reach it)`,
    columns: ['language', 'model', ...GROUPS.map((g) => g.label)],
    rows: [undefined, ...langs].flatMap((lang) =>
      (['single', 'looped'] as const).map((m) => [
        lang === undefined ? 'all' : String(lang),
        MODEL_NAME[m],
        ...GROUPS.map((g) => reachCell(reach(m, g, indicesOf(core, lang)))),
      ]),
    ),
  };
}

/** The run's summary-table entry: final accuracy per group, pooled over every run. */
export function summaryTableOf(o: Obs1): Table {
  const { E, all, pick } = o;
  return {
    title: `Observation 1 (final training accuracy, epoch ${E}, mean over runs)`,
    columns: ['model', 'low-IC', 'high-IC', 'all'],
    rows: (['single', 'looped'] as const).map((m) => [
      MODEL_NAME[m],
      ...[GROUPS[0]!, GROUPS[1]!, GROUPS[2]!].map((g) =>
        fmtCI(meanCI(pick(m, all, (r) => r.final[g.field]))),
      ),
    ]),
  };
}
