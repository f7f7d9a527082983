import { lineChart, type Datum } from '../charts/specs';
import type { ExperimentContext } from '../experiment';
import type { ReportSection } from '../report/types';
import { pct, spread } from '../stats';
import type { Table } from '../summary-table';
import type { CoreRuns } from './core';

/** Table 1 of the paper: accuracy on simple sequences (IC below the maximum training IC). */
export const PAPER_TABLE1: Record<number, { simple: string; single: string; looped: string }> = {
  4: { simple: '100%', single: '69.25%', looped: '72.29%' },
  5: { simple: '99.5%', single: '52.83%', looped: '62.78%' },
  6: { simple: '64.5%', single: '55.57%', looped: '70.28%' },
  7: { simple: '0', single: 'N/A', looped: 'N/A' },
  8: { simple: '0', single: 'N/A', looped: 'N/A' },
};

export async function table1(
  ctx: ExperimentContext<unknown>,
  core: CoreRuns,
  trainLength: number,
): Promise<{ sections: ReportSection[]; summary: Table; results: object }> {
  const lengths = core.single[0]?.lengthGen?.map((l) => l.length) ?? [];
  const at = (m: 'single' | 'looped', length: number, f: 'acc' | 'simpleAcc') =>
    spread(core[m].map((r) => r.lengthGen?.find((l) => l.length === length)?.[f] ?? NaN));
  const bayesAt = (length: number, f: 'bayes' | 'bayesSimple' | 'simpleFraction') =>
    spread(core.seeds.map((s) => s.lengthBayes?.find((l) => l.length === length)?.[f] ?? NaN));
  const rows = lengths.map((L) => {
    const paper = PAPER_TABLE1[L];
    return [
      L === trainLength ? `${L} (training)` : String(L),
      pct(bayesAt(L, 'simpleFraction')),
      paper?.simple ?? '',
      pct(at('single', L, 'simpleAcc')),
      pct(at('looped', L, 'simpleAcc')),
      paper ? `${paper.single} / ${paper.looped}` : '',
      pct(at('single', L, 'acc')),
      pct(at('looped', L, 'acc')),
      pct(bayesAt(L, 'bayes')),
      pct(bayesAt(L, 'bayesSimple')),
    ];
  });
  const table: Table = {
    title: `Table 1: length generalization (mean ± std over ${core.seeds.length} seed(s))`,
    columns: [
      'length',
      '% simple (ours)',
      '% simple (paper)',
      'simple acc Single',
      'simple acc Looped',
      'paper simple acc S / L',
      'total acc Single',
      'total acc Looped',
      'Bayes total',
      'Bayes simple',
    ],
    rows,
    note: "Simple: IC at most the maximum IC of the training set. The paper's numbers come from its own language (its alpha and transition matrices were not published), so the share of simple sequences differs; compare the Single/Looped gap rather than absolute values.",
  };
  const data: Datum[] = [];
  for (const L of lengths) {
    for (const [m, name] of [
      ['single', 'Single-Attn'],
      ['looped', 'Looped-Attn'],
    ] as const) {
      const s = at(m, L, 'acc');
      data.push({ length: L, model: name, value: s.mean, lower: s.mean - s.std, upper: s.mean + s.std });
    }
    const b = bayesAt(L, 'bayes');
    data.push({ length: L, model: 'Bayes predictor', value: b.mean, lower: b.mean, upper: b.mean });
  }
  await ctx.figure(
    'table1-accuracy-vs-length',
    lineChart({
      title: 'Total accuracy vs test length (trained on length ' + trainLength + ')',
      data,
      x: 'length',
      y: 'value',
      yTitle: 'accuracy',
      color: 'model',
      band: { lower: 'lower', upper: 'upper' },
    }),
  );
  const longer = lengths.filter((L) => L > trainLength);
  const diffs = longer.map((L) => at('looped', L, 'acc').mean - at('single', L, 'acc').mean);
  const wins = diffs.filter((d) => d > 0).length;
  const perSeed = core.looped.map((r, i) => {
    const mean = (rr: typeof r) =>
      spread(longer.map((L) => rr.lengthGen?.find((l) => l.length === L)?.acc ?? NaN)).mean;
    return mean(r) - mean(core.single[i]!);
  });
  return {
    sections: [
      {
        title: 'Table 1: length generalization on the Markov language',
        blocks: [
          { kind: 'table', table },
          {
            kind: 'figure',
            name: 'table1-accuracy-vs-length',
            caption:
              'Total accuracy by test length; transitions applied cyclically beyond the training length.',
          },
          {
            kind: 'verdict',
            claim: 'Looped-Attn beats Single-Attn on lengths beyond training (total accuracy)',
            held:
              longer.length === 0
                ? 'n/a'
                : wins === longer.length && perSeed.filter((d) => d > 0).length > perSeed.length / 2
                  ? true
                  : wins > 0
                    ? 'partly'
                    : false,
            evidence:
              longer
                .map(
                  (L, i) =>
                    `L=${L}: Looped ${pct(at('looped', L, 'acc'))} vs Single ${pct(at('single', L, 'acc'))} (Δ ${(100 * diffs[i]!).toFixed(1)} pt)`,
                )
                .join('; ') +
              `; Looped ahead on average over longer lengths in ${perSeed.filter((d) => d > 0).length}/${perSeed.length} seeds`,
          },
        ],
      },
    ],
    summary: {
      title: 'Table 1 (total accuracy by length)',
      columns: ['length', '% simple', 'Single', 'Looped', 'Bayes'],
      rows: rows.map((r) => [r[0], r[1], r[6], r[7], r[8]]),
    },
    results: {
      rows: lengths.map((L) => ({
        length: L,
        simpleFraction: bayesAt(L, 'simpleFraction'),
        single: { acc: at('single', L, 'acc'), simpleAcc: at('single', L, 'simpleAcc') },
        looped: { acc: at('looped', L, 'acc'), simpleAcc: at('looped', L, 'simpleAcc') },
        bayes: bayesAt(L, 'bayes'),
      })),
      loopedAheadPerSeed: perSeed,
    },
  };
}
