// `loop-bench reproduce`: the Markov study (whatever of markov, hessian, length-gen, shift, theory is
// registered) and the algorithmic study for one profile, each in a subfolder, plus one combined
// report with every table and figure.

import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { TASK_NAMES } from '@loop/tasks';
import { z } from 'zod';
import { BACKEND_NAMES, type BackendName } from '../config/profiles';
import { validateCliOptions } from '../config/resolve';
import { defineExperiment, type Experiment, type ExperimentContext } from '../experiment';
import type { ReportSection } from '../report/types';
import { runExperiment } from '../runner';
import { formatShard, ownsUnit, parseShard } from '../shard/shard';
import type { Table } from '../summary-table';

/** The Markov-study experiments that `experiments` may list (those not registered are reported as such). */
export const MARKOV_STUDY = ['markov', 'hessian', 'length-gen', 'shift', 'theory'] as const;

const schema = z.strictObject({
  /** Markov-study experiments to run (by name). */
  experiments: z.array(z.string().min(1)),
  /** Algorithmic tasks (`--task`); null: the algorithmic profile's tasks. */
  tasks: z.array(z.enum(TASK_NAMES)).min(1).nullable(),
  /** Run the algorithmic study. */
  algorithmic: z.boolean(),
  /** `i/n`: Markov experiment j runs in shard j mod n; the algorithmic units are sliced as `algorithmic --shard` does. */
  shard: z
    .string()
    .regex(/^\d+\/\d+$/, 'expected i/n, e.g. 0/4')
    .nullable(),
});
type ReproduceConfig = z.output<typeof schema>;

// `markov` runs every section of the Markov study (Obs. 1, Obs. 2, Table 1, SCP/SHIFT, theory) on
// shared training runs; the parts (hessian, length-gen, shift, theory) would repeat that work, so
// they are only run when listed in --config `experiments`.
const base = { experiments: ['markov'], tasks: null, algorithmic: true, shard: null };

interface SubRun {
  name: string;
  /** 'done': ran now or reused from a finished folder (--resume / merge): the report is the same. */
  status: 'done' | 'other shard' | 'not registered';
  wallTimeS: number | null;
  seeds: string;
  sections: ReportSection[];
}

interface SavedResults {
  wallTimeS: number;
  seeds: number[];
  report: { sections: ReportSection[] };
}

const discard = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

/** Copies a subfolder's figures to the top-level figures/ as `<sub>--<name>` and renames the blocks. */
function liftFigures(
  ctx: ExperimentContext<ReproduceConfig>,
  sub: string,
  sections: ReportSection[],
): ReportSection[] {
  const from = ctx.out.file(sub, 'figures');
  if (existsSync(from)) {
    mkdirSync(ctx.out.file('figures'), { recursive: true });
    for (const f of readdirSync(from))
      if (!f.startsWith('.')) copyFileSync(`${from}/${f}`, ctx.out.file('figures', `${sub}--${f}`));
  }
  return sections.map((s) => ({
    title: s.title,
    blocks: s.blocks.map((b) => (b.kind === 'figure' ? { ...b, name: `${sub}--${b.name}` } : b)),
  }));
}

async function runSub(
  ctx: ExperimentContext<ReproduceConfig>,
  e: Experiment,
  file: Record<string, unknown>,
): Promise<SubRun> {
  const dir = ctx.out.file(e.name);
  const done = ctx.out.readJson<SavedResults>(`${e.name}/results.json`);
  // On --resume a finished Markov experiment is reused; the algorithmic one always re-enters
  // runExperiment (its finished units load instantly) so a merged folder gets its full report.
  if (ctx.resume && done && e.name !== 'algorithmic') {
    ctx.log.info(`reproduce: reusing finished ${e.name}`);
    return {
      name: e.name,
      status: 'done',
      wallTimeS: done.wallTimeS,
      seeds: done.seeds.join(', '),
      sections: liftFigures(ctx, e.name, done.report.sections),
    };
  }
  const backend = (BACKEND_NAMES as readonly string[]).includes(ctx.backend)
    ? (ctx.backend as BackendName)
    : 'auto';
  const options = validateCliOptions({
    profile: ctx.profile,
    backend,
    out: dir,
    seed: ctx.seed,
    force: !ctx.resume,
    resume: ctx.resume,
  });
  ctx.log.info(`reproduce: running ${e.name} (profile ${ctx.profile}) into ${dir}`);
  const r = await runExperiment(e, {
    options,
    file,
    initBackend: async () => ctx.backend,
    stdout: discard(),
    logger: ctx.log,
    progress: ctx.progress,
    command: `loop-bench reproduce (${e.name})`,
  });
  const saved = ctx.out.readJson<SavedResults>(`${e.name}/results.json`)!;
  return {
    name: e.name,
    status: 'done',
    wallTimeS: r.wallTimeS,
    seeds: saved.seeds.join(', '),
    sections: liftFigures(ctx, e.name, r.output.sections),
  };
}

/**
 * `loop-bench reproduce` over the studies it is handed (the registry passes its own list, so this
 * file imports no registry and the two form no import circle).
 */
export function createReproduceExperiment(studies: readonly Experiment[]): Experiment {
  return defineExperiment({
    name: 'reproduce',
    summary: 'the Markov study and the algorithmic study for a profile, with one combined report',
    help: [
      'Each experiment runs into <out>/<name>/ with its own profile settings and seed count (--seed sets the',
      'first seed); <out>/report.md and report.html combine all of them. --task restricts the algorithmic',
      'tasks; --shard i/n runs a deterministic slice (combine with `loop-bench merge`); --resume continues.',
    ].join('\n'),
    schema,
    profiles: {
      smoke: { seeds: 1, config: base, why: "every experiment's smoke profile (seconds each)" },
      quick: { seeds: 1, config: base, why: "every experiment's quick profile: the `npm start` run" },
      full: { seeds: 1, config: base, why: "every experiment's full profile (hours on CPU)" },
      paper: { seeds: 1, config: base, why: "every experiment's paper profile (for a GPU)" },
    },
    async run(ctx) {
      const shard = parseShard(ctx.config.shard);
      const subs: SubRun[] = [];
      for (const [j, name] of ctx.config.experiments.entries()) {
        const e = studies.find((x) => x.name === name);
        if (!e) {
          subs.push({ name, status: 'not registered', wallTimeS: null, seeds: '–', sections: [] });
          continue;
        }
        if (!ownsUnit(shard, j)) {
          subs.push({ name, status: 'other shard', wallTimeS: null, seeds: '–', sections: [] });
          continue;
        }
        subs.push(await runSub(ctx, e, {}));
      }
      if (ctx.config.algorithmic) {
        const e = studies.find((x) => x.name === 'algorithmic');
        if (!e)
          subs.push({
            name: 'algorithmic',
            status: 'not registered',
            wallTimeS: null,
            seeds: '–',
            sections: [],
          });
        else
          subs.push(
            await runSub(ctx, e, {
              shard: ctx.config.shard,
              ...(ctx.config.tasks ? { tasks: ctx.config.tasks } : {}),
            }),
          );
      }
      const overview: Table = {
        title: 'Experiments of this reproduction',
        columns: ['experiment', 'status', 'seeds', 'wall time (s)', 'folder'],
        rows: subs.map((s) => [
          s.name,
          s.status,
          s.seeds,
          s.wallTimeS === null ? null : Number(s.wallTimeS.toFixed(1)),
          s.status === 'done' ? `${s.name}/` : '–',
        ]),
        note: `Profile ${ctx.profile}, backend ${ctx.backend}, shard ${formatShard(shard)}. Each experiment's own report (report.md, results.json, metrics.jsonl, figures) is in its folder.`,
      };
      return {
        results: {
          shard: formatShard(shard),
          experiments: subs.map((s) => ({
            name: s.name,
            status: s.status,
            seeds: s.seeds,
            wallTimeS: s.wallTimeS,
            dir: s.name,
          })),
        },
        sections: [
          { title: 'Reproduction overview', blocks: [{ kind: 'table', table: overview }] },
          ...subs.flatMap((s) => s.sections),
        ],
        summary: [overview],
        seedsRun: subs
          .filter((s) => s.status === 'done')
          .map((s) => `${s.name} ${s.seeds}`)
          .join('; '),
      };
    },
  });
}
