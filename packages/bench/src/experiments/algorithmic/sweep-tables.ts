// The tables of the sweep's summary section: settings per task, accuracy beyond the training
// lengths per task and method, and SHIFT's training time against Looped-Attn.

import { pct } from '../../stats';
import type { Table } from '../../summary-table';
import { METHOD_LABEL, type AlgorithmicConfig, type Method, type TaskSettings } from './config';
import { seconds, ratio } from './format';
import { TARGET_TOLERANCE } from './seed-means';
import type { TaskSummary } from './task-summary';

/** The resolved settings of every task, with the training options they share in the note. */
export function settingsTable(
  settings: readonly TaskSettings[],
  config: AlgorithmicConfig,
  params: Map<string, number>,
): Table {
  return {
    title: 'Settings per task',
    columns: [
      'task',
      'n_embd',
      'layers',
      'heads',
      'parameters',
      'train lengths',
      'test lengths',
      'curriculum',
      'steps',
      'lr',
    ],
    rows: settings.map((s) => [
      s.task,
      config.nEmbd,
      s.layers,
      s.heads,
      params.get(s.task) ?? null,
      `1..${s.maxTrainLength}`,
      `1..${s.testLength}`,
      s.curriculumInterval === 0
        ? 'none (all lengths from step 0)'
        : `+1 every ${s.curriculumInterval} steps from 1`,
      s.steps,
      s.lr,
    ]),
    note: `Batch ${config.batchSize}, AdamW (wd ${config.weightDecay}, clip ${config.clipNorm}, ${config.lrSchedule} lr), evaluation every ${config.evalEvery} steps on ${config.valSize} validation samples (lengths 1..max train), ${config.testSize} samples per test length. SCP: plateauDelta ${config.scp.plateauDelta}, plateauPatience ${config.scp.plateauPatience}, gradDelta ${config.scp.gradDelta}, gradPatience ${config.scp.gradPatience}${config.scp.maxWait ? `, maxWait ${config.scp.maxWait}` : ''} (evaluations). Same initial weights (seed) for every method of a task; Single-Attn is the same model run with one loop.`,
  };
}

const METHOD_ORDER: Method[] = ['single', 'looped', 'shift', 'looped-wo'];

/** Per task and method: accuracy at the longest test length / mean beyond the training lengths. */
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

/** Per task: training times, SHIFT's switch step and the time each method took to Looped-Attn's final accuracy. */
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
        e?.switchStep != null ? Math.round(e.switchStep) : e ? 'never' : '–',
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
