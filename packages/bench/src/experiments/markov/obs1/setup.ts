// The record every part of Observation 1 reads: the runs, their grouping by language and the paired
// measurements (as functions of a run subset, so pooled and per-language figures share one definition).

import { pairedCI, pairedVerdict, type Interval } from '../../../verdict-rules';
import type { CoreRuns, SeedSummary } from '../core';
import type { TrainRunResult } from '../train-run';
import { at, budgetsOf, firstReach, lateRise, type Field, type Group } from './measures';

export function languagesOf(core: CoreRuns): number[] {
  return [...new Set(core.seeds.map((s) => s.language))];
}

/** Indices of the runs of `language` (all runs when undefined). */
export function indicesOf(core: CoreRuns, language?: number): number[] {
  return core.seeds.flatMap((s, i) => (language === undefined || s.language === language ? [i] : []));
}

/** What every part of Observation 1 reads: the runs, their grouping and the paired measurements. */
export function obs1Setup(core: CoreRuns) {
  const langs = languagesOf(core);
  const E = core.single[0]?.final.epoch ?? 0;
  const all = indicesOf(core);
  const pick = (m: 'single' | 'looped', idx: number[], f: (r: TrainRunResult) => number) =>
    idx.map((i) => f(core[m][i]!));
  const bayesOf = (s: SeedSummary, g: Group) => s.bayes[g.bayes];
  // The epoch each model first reaches the Bayes predictor on each group.
  const reach = (m: 'single' | 'looped', g: Group, idx: number[]) =>
    idx.map((i) => firstReach(core[m][i]!, g.field, bayesOf(core.seeds[i]!, g)));
  const finalHigh = (idx: number[]) =>
    pairedCI(
      pick('looped', idx, (r) => r.final.accHigh),
      pick('single', idx, (r) => r.final.accHigh),
    );
  // Late rise: Looped-Attn's high-IC gain after Single-Attn stalls.
  const rises = all.map((i) => lateRise(core.single[i]!, core.looped[i]!));
  const riseCI = (idx: number[]) =>
    pairedCI(
      idx.map((i) => rises[i]!.looped),
      idx.map((i) => rises[i]!.single),
    );
  return {
    core,
    langs,
    E,
    budgets: budgetsOf(E),
    all,
    perLang: langs.map((lang) => ({ lang, idx: indicesOf(core, lang) })),
    pick,
    accAt: (epoch: number, field: Field) => (r: TrainRunResult) => at(r, epoch)?.[field] ?? NaN,
    bayesOf,
    reach,
    finalHigh,
    rises,
    riseCI,
  };
}

export type Obs1 = ReturnType<typeof obs1Setup>;

/** The paired rules of the two "Looped beats Single" claims (pooled and per language). */
export function verdictsOf(o: Obs1) {
  const { all, perLang, finalHigh, riseCI } = o;
  return {
    verdictHigh: pairedVerdict(
      finalHigh(all),
      perLang.map((p) => finalHigh(p.idx)),
    ),
    verdictRise: pairedVerdict(
      riseCI(all),
      perLang.map((p) => riseCI(p.idx)),
    ),
  };
}

/** Paired high-IC difference Looped − Single at each budget (pooled). */
export function highDiffAt(o: Obs1): Interval[] {
  return o.budgets.map((b) =>
    pairedCI(o.pick('looped', o.all, o.accAt(b, 'accHigh')), o.pick('single', o.all, o.accAt(b, 'accHigh'))),
  );
}
