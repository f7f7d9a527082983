// `loop-bench algorithmic`: Single-Attn, Looped-Attn (FOP-Loop-Adaptive, input injection), SHIFT
// (SCP) and optionally the no-injection ablation on the algorithmic tasks of Appendix E.2.

import { TASK_NAMES } from '@loop/tasks';
import { existsSync } from 'node:fs';
import { defineExperiment, type ExperimentContext } from '../../experiment';
import { balancedSlice, formatShard, parseShard, type Shard } from '../../shard/shard';
import { algorithmicSchema, taskSettings, type AlgorithmicConfig, type TaskSettings } from './config';
import { costLine, estimateCost } from './cost';
import { algorithmicUnits, METHOD_COST, type PlannedUnit } from './plan';
import { ALGORITHMIC_PROFILES } from './profiles';
import { shardReport, sweepReport } from './report';
import { trainUnit } from './train-unit';
import type { UnitResult } from './unit-result';

export { algorithmicUnits, METHOD_COST, type PlannedUnit } from './plan';

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
    const plan = algorithmicUnits(ctx.config, ctx.seeds);
    const mine = balancedSlice(
      shard,
      plan,
      (u) => METHOD_COST[u.method],
      (u) => u.task,
    );
    ctx.log.info(`algorithmic: ${mine.length} of ${plan.length} units (shard ${formatShard(shard)})`);
    await logCost(ctx, settings, mine, shard);
    const results = await trainUnits(ctx, settings, mine);
    if (mine.length < plan.length) return shardReport(ctx, shard, plan, mine, results);
    return sweepReport(ctx, settings, plan, results);
  },
});

/** With `costProbe`: times a few steps per task and logs what the units still to train will cost. */
async function logCost(
  ctx: ExperimentContext<AlgorithmicConfig>,
  settings: readonly TaskSettings[],
  mine: readonly PlannedUnit[],
  shard: Shard | null,
): Promise<void> {
  const todo = mine.filter((u) => !(ctx.resume && existsSync(ctx.out.file('units', `${u.key}.json`))));
  if (!ctx.config.costProbe || todo.length === 0) return;
  const cost = await estimateCost(ctx.config, settings, todo);
  ctx.log.info(
    costLine(
      cost,
      todo.map((u) => u.key),
      shard?.count ?? 1,
    ),
  );
}

/** Trains (or, resuming, reloads) each unit in plan order. */
async function trainUnits(
  ctx: ExperimentContext<AlgorithmicConfig>,
  settings: readonly TaskSettings[],
  units: readonly PlannedUnit[],
): Promise<Map<string, UnitResult>> {
  const settingsOf = new Map(settings.map((s) => [s.task, s]));
  const results = new Map<string, UnitResult>();
  for (const u of units) {
    results.set(
      u.key,
      await ctx.unit(u.key, () => trainUnit(ctx, settingsOf.get(u.task)!, u.method, u.seed)),
    );
  }
  return results;
}
