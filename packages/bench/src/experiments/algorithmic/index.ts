// `loop-bench algorithmic`: Single-Attn, Looped-Attn (FOP-Loop-Adaptive, input injection), SHIFT
// (SCP) and optionally the no-injection ablation on the algorithmic tasks of Appendix E.2.

import { TASK_NAMES, type TaskName } from '@loop/tasks';
import { existsSync } from 'node:fs';
import { defineExperiment, type ExperimentContext, type ExperimentOutput } from '../../experiment';
import type { ReportBlock, ReportSection } from '../../report/types';
import { balancedSlice, formatShard, parseShard } from '../../shard/shard';
import type { Table } from '../../summary-table';
import {
  ALGORITHMIC_PROFILES,
  METHOD_LABEL,
  algorithmicSchema,
  taskSettings,
  type AlgorithmicConfig,
  type Method,
  type TaskSettings,
} from './config';
import { costLine, estimateCost } from './cost';
import { accuracyCurve, lengthCurve, lossCurve, timeBars } from './figures';
import {
  accuracySummaryTable,
  curveRows,
  efficiencyTable,
  identicalNote,
  lengthRows,
  lengthTable,
  lossRows,
  stoppingTable,
  seedTable,
  summarizeTask,
  taskVerdicts,
  type TaskRuns,
} from './report';
import { trainUnit, unitKey, type UnitResult } from './train-unit';

export interface PlannedUnit {
  task: TaskName;
  method: Method;
  seed: number;
  key: string;
}

/** The sweep's units in their fixed order (task, then method, then seed); shards slice this list. */
/**
 * Relative training cost of a unit by method, for splitting a sweep across shards: a looped step
 * costs about T(n) single steps (5-9x at the cpu profile's shapes, measured by its cost probe);
 * SHIFT trains single until it switches, counted as half way.
 */
export const METHOD_COST: Record<Method, number> = { single: 1, shift: 3, looped: 5, 'looped-wo': 5 };

export function algorithmicUnits(
  config: Pick<AlgorithmicConfig, 'tasks' | 'methods'>,
  seeds: readonly number[],
): PlannedUnit[] {
  const tasks = TASK_NAMES.filter((t) => config.tasks.includes(t));
  const units: PlannedUnit[] = [];
  for (const task of tasks) {
    for (const method of config.methods)
      for (const seed of seeds) units.push({ task, method, seed, key: unitKey(task, method, seed) });
  }
  return units;
}

function settingsTable(
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

async function fullOutput(
  ctx: ExperimentContext<AlgorithmicConfig>,
  settings: TaskSettings[],
  plan: PlannedUnit[],
  results: Map<string, UnitResult>,
): Promise<ExperimentOutput> {
  const config = ctx.config;
  const methods = config.methods;
  const sections: ReportSection[] = [];
  const params = new Map<string, number>();
  const summaries = [];
  const timeRows = [];
  const perTask: Record<string, unknown> = {};
  for (const s of settings) {
    const byMethod: TaskRuns['byMethod'] = {};
    for (const m of methods) {
      byMethod[m] = plan.filter((u) => u.task === s.task && u.method === m).map((u) => results.get(u.key)!);
    }
    params.set(s.task, byMethod[methods[0]!]![0]!.parameters);
    const t: TaskRuns = { settings: s, byMethod };
    const summary = summarizeTask(t);
    summaries.push(summary);
    const switches = (byMethod.shift ?? []).map((r) => r.shiftStep).filter((x): x is number => x !== null);
    const base = `algorithmic-${s.task}`;
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
    for (const m of methods)
      timeRows.push({ task: s.task, method: METHOD_LABEL[m], seconds: summary.trainTimeS[m] ?? 0 });
    const rulesTable = stoppingTable(t, config.adaptiveRule);
    const identical = identicalNote(t);
    const perSeed = seedTable(summary);
    const blocks: ReportBlock[] = [
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
      ...(identical ? [identical] : []),
      { kind: 'table', table: lengthTable(t, config.adaptiveRule) },
      ...(rulesTable ? [{ kind: 'table' as const, table: rulesTable }] : []),
      ...(perSeed ? [{ kind: 'table' as const, table: perSeed }] : []),
      ...taskVerdicts(summary, config.adaptiveRule),
    ];
    sections.push({ title: `Algorithmic task: ${s.task} (paper Fig. 14)`, blocks });
    perTask[s.task] = { settings: s, summary };
  }
  await ctx.figure('algorithmic-train-time', timeBars(timeRows));
  const accTable = accuracySummaryTable(summaries, methods);
  const effTable = efficiencyTable(summaries);
  sections.unshift({
    title: 'Algorithmic tasks (Appendix E.2): summary',
    blocks: [
      {
        kind: 'text',
        markdown: `Methods: ${methods.map((m) => METHOD_LABEL[m]).join(', ')}. Looped-Attn is FOP-Loop-Adaptive with input injection: trained with the loss after exactly T(n) loops per sample, tested with oracle T(n) and with adaptive (maximum-confidence) stopping. SHIFT trains Single-Attn until the SHIFT Criterion with Patience fires, then the same weights as Looped-Attn. Seeds: ${ctx.seeds.join(', ')}.`,
      },
      { kind: 'table', table: settingsTable(settings, config, params) },
      { kind: 'table', table: accTable },
      { kind: 'table', table: effTable },
      {
        kind: 'figure',
        name: 'algorithmic-train-time',
        caption: 'Training wall time per task and method (paper Fig. 11)',
      },
    ],
  });
  return {
    results: {
      seeds: ctx.seeds,
      tasks: perTask,
      units: plan.map((u) => results.get(u.key)!),
    },
    sections,
    summary: [
      { ...accTable, note: undefined },
      {
        title: 'Training time (s) and SHIFT speedup vs Looped-Attn',
        columns: effTable.columns.filter((_, j) => [0, 2, 3, 4, 8, 9].includes(j)),
        rows: effTable.rows.map((r) => r.filter((_, j) => [0, 2, 3, 4, 8, 9].includes(j))),
      },
    ],
  };
}

export const algorithmicExperiment = defineExperiment({
  name: 'algorithmic',
  summary:
    'Appendix E.2: Single-Attn vs Looped-Attn vs SHIFT on parity, copy, addition, binary-sum, unique-set, multiplication',
  help: [
    'Options added to this command: --task parity|copy|addition|binary-sum|unique-set|multiplication|all',
    "(comma-separated list allowed; default: the profile's tasks) and --shard i/n (0-based: run only shard i",
    'of n of the (task x method x seed) units, split task by task so that the shards cost about the same;',
    'combine the shard folders with `loop-bench merge`).',
  ].join('\n'),
  schema: algorithmicSchema,
  profiles: ALGORITHMIC_PROFILES,
  async run(ctx) {
    const shard = parseShard(ctx.config.shard);
    const settings = TASK_NAMES.filter((t) => ctx.config.tasks.includes(t)).map((t) =>
      taskSettings(ctx.config, t),
    );
    const settingsOf = new Map(settings.map((s) => [s.task, s]));
    const plan = algorithmicUnits(ctx.config, ctx.seeds);
    const mine = balancedSlice(
      shard,
      plan,
      (u) => METHOD_COST[u.method],
      (u) => u.task,
    );
    const results = new Map<string, UnitResult>();
    ctx.log.info(`algorithmic: ${mine.length} of ${plan.length} units (shard ${formatShard(shard)})`);
    const todo = mine.filter((u) => !(ctx.resume && existsSync(ctx.out.file('units', `${u.key}.json`))));
    if (ctx.config.costProbe && todo.length > 0) {
      const cost = await estimateCost(ctx.config, settings, todo);
      ctx.log.info(
        costLine(
          cost,
          todo.map((u) => u.key),
          shard?.count ?? 1,
        ),
      );
    }
    for (const u of mine) {
      results.set(
        u.key,
        await ctx.unit(u.key, () => trainUnit(ctx, settingsOf.get(u.task)!, u.method, u.seed)),
      );
    }
    if (mine.length < plan.length) {
      const rows = mine.map((u) => {
        const r = results.get(u.key)!;
        return [u.key, r.trainTimeS.toFixed(1), r.evals[r.evals.length - 1]?.valAcc ?? null];
      });
      const table: Table = {
        title: `Units of shard ${formatShard(shard)}`,
        columns: ['unit', 'train time (s)', 'final val acc'],
        rows,
      };
      return {
        results: { shard: formatShard(shard), seeds: ctx.seeds, units: mine.map((u) => results.get(u.key)!) },
        sections: [
          {
            title: `Algorithmic tasks: shard ${formatShard(shard)}`,
            blocks: [
              {
                kind: 'text',
                markdown: `This folder holds ${mine.length} of the sweep's ${plan.length} units. Combine all shard folders with \`loop-bench merge DIR...\` to get the full report.`,
              },
              { kind: 'table', table },
            ],
          },
        ],
        summary: [table],
      };
    }
    return fullOutput(ctx, settings, plan, results);
  },
});
