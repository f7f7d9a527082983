// Observation 1's figures: accuracy curves per language and group, and the pooled loss curves.

import { lineChart, lossChart, type Datum } from '../../../charts/specs';
import type { ExperimentContext } from '../../../experiment';
import { spread } from '../../../stats';
import { curve, GROUPS, MODEL_NAME } from './measures';
import { indicesOf, type Obs1 } from './setup';

/** Accuracy curves, one facet per language, with the Bayes predictor as a flat line. */
export async function accuracyFigures(ctx: ExperimentContext<unknown>, o: Obs1): Promise<void> {
  const { core, langs, bayesOf } = o;
  for (const g of GROUPS.slice(0, 2)) {
    const data: Datum[] = [];
    for (const lang of langs) {
      const idx = indicesOf(core, lang);
      const tag = `language ${lang}`;
      for (const m of ['single', 'looped'] as const)
        for (const d of curve(
          idx.map((i) => core[m][i]!),
          MODEL_NAME[m],
          g.field,
        ))
          data.push({ ...d, language: tag });
      const b = spread(idx.map((i) => bayesOf(core.seeds[i]!, g))).mean;
      for (const e of core.single[idx[0]!]!.epochs)
        data.push({ epoch: e.epoch, model: 'Bayes predictor', value: b, lower: b, upper: b, language: tag });
    }
    await ctx.figure(
      `obs1-accuracy-${g.bayes}`,
      lineChart({
        title: `Training accuracy on ${g.label} sequences, mean and 95% interval over seeds, per language`,
        data,
        x: 'epoch',
        y: 'value',
        yTitle: 'accuracy',
        color: 'model',
        column: 'language',
        band: { lower: 'lower', upper: 'upper' },
        yScale: { domain: [0, 1] },
        width: 260,
        height: 200,
      }),
    );
  }
}

/** Training and validation loss, mean over every run (all languages and seeds). */
export async function lossFigure(ctx: ExperimentContext<unknown>, o: Obs1): Promise<void> {
  const { core } = o;
  const lossData: Datum[] = [];
  for (const m of ['single', 'looped'] as const) {
    const runs = core[m];
    runs[0]?.epochs.forEach((e, i) => {
      const at = (f: 'trainLoss' | 'valLoss') => spread(runs.map((r) => r.epochs[i]?.[f] ?? NaN)).mean;
      lossData.push(
        { epoch: e.epoch, loss: at('trainLoss'), model: MODEL_NAME[m], split: 'train' },
        { epoch: e.epoch, loss: at('valLoss'), model: MODEL_NAME[m], split: 'validation' },
      );
    });
  }
  await ctx.figure(
    'obs1-loss',
    lossChart({
      title: `Training and validation loss, mean over ${core.single.length} runs`,
      data: lossData.filter((d) => Number.isFinite(d['loss'])),
      x: 'epoch',
      xTitle: 'epoch',
    }),
  );
}
