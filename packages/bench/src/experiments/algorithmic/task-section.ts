// One task's part of the sweep's report (paper Fig. 14): its four figures, its tables and its
// verdicts, from the units of every method and seed.

import type { Datum } from '../../charts/specs';
import type { ExperimentContext } from '../../experiment';
import type { ReportBlock, ReportSection } from '../../report/types';
import { METHOD_LABEL, type AlgorithmicConfig, type TaskSettings } from './config';
import { accuracyCurve, lengthCurve, lossCurve } from './figures';
import { curveRows, lengthRows, lossRows } from './figure-rows';
import type { TaskRuns } from './seed-means';
import { identicalNote, lengthTable, seedTable, stoppingTable } from './task-tables';
import { summarizeTask, type TaskSummary } from './task-summary';
import { taskVerdicts } from './verdicts';

export interface TaskReport {
  summary: TaskSummary;
  section: ReportSection;
  /** Mean training time per method, rows of the sweep's time chart. */
  timeRows: Datum[];
  /** Parameter count of the task's models (every method trains the same model). */
  parameters: number;
}

/** Renders the task's figures (in this order) and assembles its section. */
export async function taskReport(
  ctx: ExperimentContext<AlgorithmicConfig>,
  t: TaskRuns,
): Promise<TaskReport> {
  const config = ctx.config;
  const s = t.settings;
  const summary = summarizeTask(t);
  await renderFigures(ctx, t);
  const rulesTable = stoppingTable(t, config.adaptiveRule);
  const identical = identicalNote(t);
  const perSeed = seedTable(summary);
  const blocks: ReportBlock[] = [
    ...figureBlocks(s),
    ...(identical ? [identical] : []),
    { kind: 'table', table: lengthTable(t, config.adaptiveRule) },
    ...(rulesTable ? [{ kind: 'table' as const, table: rulesTable }] : []),
    ...(perSeed ? [{ kind: 'table' as const, table: perSeed }] : []),
    ...taskVerdicts(summary, config.adaptiveRule),
  ];
  return {
    summary,
    section: { title: `Algorithmic task: ${s.task} (paper Fig. 14)`, blocks },
    timeRows: config.methods.map((m) => ({
      task: s.task,
      method: METHOD_LABEL[m],
      seconds: summary.trainTimeS[m] ?? 0,
    })),
    parameters: t.byMethod[config.methods[0]!]![0]!.parameters,
  };
}

const figureBase = (s: TaskSettings): string => `algorithmic-${s.task}`;

/** Loss, training accuracy, validation accuracy and accuracy by length; SHIFT's switches marked. */
async function renderFigures(ctx: ExperimentContext<AlgorithmicConfig>, t: TaskRuns): Promise<void> {
  const s = t.settings;
  const base = figureBase(s);
  const switches = (t.byMethod.shift ?? []).map((r) => r.shiftStep).filter((x): x is number => x !== null);
  await ctx.figure(
    `${base}-loss`,
    lossCurve(`${s.task}: training and validation loss`, lossRows(t), switches),
  );
  await ctx.figure(
    `${base}-train-acc`,
    accuracyCurve(`${s.task}: training accuracy`, curveRows(t, 'trainAcc'), switches),
  );
  await ctx.figure(
    `${base}-val-acc`,
    accuracyCurve(
      `${s.task}: validation accuracy (lengths 1..${s.maxTrainLength})`,
      curveRows(t, 'valAcc'),
      switches,
    ),
  );
  await ctx.figure(
    `${base}-length`,
    lengthCurve(`${s.task}: accuracy vs test length`, lengthRows(t), s.maxTrainLength, s.testLength),
  );
}

function figureBlocks(s: TaskSettings): ReportBlock[] {
  const base = figureBase(s);
  return [
    {
      kind: 'figure',
      name: `${base}-loss`,
      caption: `${s.task}: training loss (fresh batch at the current curriculum, solid) and validation loss (lengths 1..${s.maxTrainLength}, dashed), mean over seeds; red: SHIFT's switch to Looped-Attn`,
    },
    {
      kind: 'figure',
      name: `${base}-train-acc`,
      caption: `${s.task}: training accuracy (fresh batch at the current curriculum), mean over seeds; red: SHIFT's switch to Looped-Attn`,
    },
    {
      kind: 'figure',
      name: `${base}-val-acc`,
      caption: `${s.task}: validation accuracy on lengths 1..${s.maxTrainLength}`,
    },
    {
      kind: 'figure',
      name: `${base}-length`,
      caption: `${s.task}: exact-match accuracy at every length 1..${s.testLength}; grey: the training range; solid: adaptive stopping, dotted: oracle T(n) loops, dashed: Single-Attn's one pass`,
    },
  ];
}
