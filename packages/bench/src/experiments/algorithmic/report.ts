// The report of the algorithmic study: for the whole sweep, a summary section then one section per
// task; for a shard, the list of its units (the merged shards make the whole report).

import type { ExperimentContext, ExperimentOutput } from '../../experiment';
import type { ReportSection } from '../../report/types';
import { formatShard, type Shard } from '../../shard/shard';
import type { Table } from '../../summary-table';
import { METHOD_LABEL, type AlgorithmicConfig, type TaskSettings } from './config';
import { timeBars } from './figures';
import type { PlannedUnit } from './plan';
import type { TaskRuns } from './seed-means';
import { accuracySummaryTable, efficiencyTable, settingsTable } from './sweep-tables';
import { taskReport, type TaskReport } from './task-section';
import type { UnitResult } from './unit-result';

/** The finished units of a task, per method in the configured order, each in seed order. */
function taskRuns(
  s: TaskSettings,
  plan: readonly PlannedUnit[],
  results: Map<string, UnitResult>,
  config: AlgorithmicConfig,
): TaskRuns {
  const byMethod: TaskRuns['byMethod'] = {};
  for (const m of config.methods) {
    byMethod[m] = plan.filter((u) => u.task === s.task && u.method === m).map((u) => results.get(u.key)!);
  }
  return { settings: s, byMethod };
}

/** The full report: every task's section (its figures rendered first), then the summary on top. */
export async function sweepReport(
  ctx: ExperimentContext<AlgorithmicConfig>,
  settings: readonly TaskSettings[],
  plan: readonly PlannedUnit[],
  results: Map<string, UnitResult>,
): Promise<ExperimentOutput> {
  const config = ctx.config;
  const tasks: TaskReport[] = [];
  for (const s of settings) tasks.push(await taskReport(ctx, taskRuns(s, plan, results, config)));
  await ctx.figure('algorithmic-train-time', timeBars(tasks.flatMap((t) => t.timeRows)));
  const summaries = tasks.map((t) => t.summary);
  const accTable = accuracySummaryTable(summaries, config.methods);
  const effTable = efficiencyTable(summaries);
  const params = new Map(tasks.map((t) => [t.summary.task, t.parameters]));
  // The columns of the efficiency table printed at the end: task, times, switch step, speedups.
  const printed = (_: unknown, j: number) => [0, 2, 3, 4, 8, 9].includes(j);
  return {
    results: {
      seeds: ctx.seeds,
      tasks: Object.fromEntries(
        tasks.map((t, i) => [t.summary.task, { settings: settings[i], summary: t.summary }]),
      ),
      units: plan.map((u) => results.get(u.key)!),
    },
    sections: [summarySection(ctx, settings, params, [accTable, effTable]), ...tasks.map((t) => t.section)],
    summary: [
      { ...accTable, note: undefined },
      {
        title: 'Training time (s) and SHIFT speedup vs Looped-Attn',
        columns: effTable.columns.filter(printed),
        rows: effTable.rows.map((r) => r.filter(printed)),
      },
    ],
  };
}

/** The sweep's first section: the methods, the settings per task and the accuracy and time tables. */
function summarySection(
  ctx: ExperimentContext<AlgorithmicConfig>,
  settings: readonly TaskSettings[],
  params: Map<string, number>,
  [accTable, effTable]: [Table, Table],
): ReportSection {
  const config = ctx.config;
  return {
    title: 'Algorithmic tasks (Appendix E.2): summary',
    blocks: [
      {
        kind: 'text',
        markdown: `Methods: ${config.methods.map((m) => METHOD_LABEL[m]).join(', ')}. Looped-Attn is FOP-Loop-Adaptive with input injection: trained with the loss after exactly T(n) loops per sample, tested with oracle T(n) and with adaptive (maximum-confidence) stopping. SHIFT trains Single-Attn until the SHIFT Criterion with Patience fires, then the same weights as Looped-Attn. Seeds: ${ctx.seeds.join(', ')}.`,
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
  };
}

/** A shard's report: which of the sweep's units it trained, with their time and final accuracy. */
export function shardReport(
  ctx: ExperimentContext<AlgorithmicConfig>,
  shard: Shard | null,
  plan: readonly PlannedUnit[],
  mine: readonly PlannedUnit[],
  results: Map<string, UnitResult>,
): ExperimentOutput {
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
