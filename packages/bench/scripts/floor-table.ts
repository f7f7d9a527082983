/**
 * The floor search of the algorithmic study (the smallest scale at which Looped-Attn length-
 * generalizes): reads every published configuration in results/algorithmic-floor/<name>/
 * (config.json + results.json of a merged `loop-bench algorithmic` run) and writes the committed
 * table results/algorithmic-floor/floor.json and docs/algorithmic-floor.md.
 *
 * Criterion (fixed before the search): a configuration reaches the floor when Looped-Attn with
 * oracle T(n) loops scores >= 95% exact match at twice the longest training length on at least 2 of
 * 3 seeds. Adaptive stopping is reported beside it and stated separately.
 *
 * Run from the repository root: node --conditions=@loop/source --import tsx packages/bench/scripts/floor-table.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = 'results/algorithmic-floor';
const THRESHOLD = 0.95;

interface Unit {
  task: string;
  method: string;
  seed: number;
  trainTimeS: number;
  evalTimeS: number;
  lengths: { n: number; oracle: number | null; adaptive: number | null }[];
}

interface Row {
  name: string;
  task: string;
  settings: Record<string, unknown>;
  method: string;
  seed: number;
  coreMinutes: number;
  at2x: { oracle: number | null; adaptive: number | null };
  beyond: { oracle: number | null; adaptive: number | null };
  perLength: Unit['lengths'];
}

const mean = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

function rowsOf(name: string): Row[] {
  const cfg = JSON.parse(readFileSync(join(DIR, name, 'config.json'), 'utf8'));
  const res = JSON.parse(readFileSync(join(DIR, name, 'results.json'), 'utf8'));
  const c = cfg.config;
  return (res.results.units as Unit[]).map((u) => {
    const maxTrain = (c.perTask?.[u.task]?.maxTrainLength ?? c.maxTrainLength) as number;
    const at = (n: number) => u.lengths.find((l) => l.n === n);
    const beyond = u.lengths.filter((l) => l.n > maxTrain && l.n <= 2 * maxTrain);
    return {
      name,
      task: u.task,
      settings: {
        nEmbd: c.nEmbd,
        heads: c.heads,
        layers: c.layers,
        maxTrainLength: maxTrain,
        testLength: c.testLength,
        curriculumInterval: c.curriculumInterval,
        steps: c.steps,
        batchSize: c.batchSize,
        lr: c.lr,
        lrSchedule: c.lrSchedule,
        commit: cfg.commit ?? null,
      },
      method: u.method,
      seed: u.seed,
      coreMinutes: (u.trainTimeS + u.evalTimeS) / 60,
      at2x: { oracle: at(2 * maxTrain)?.oracle ?? null, adaptive: at(2 * maxTrain)?.adaptive ?? null },
      beyond: { oracle: mean(beyond.map((l) => l.oracle)), adaptive: mean(beyond.map((l) => l.adaptive)) },
      perLength: u.lengths,
    };
  });
}

const names = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((d) => existsSync(join(DIR, d, 'results.json')))
      .sort()
  : [];
const rows = names.flatMap(rowsOf);
const configs = names.map((name) => {
  const looped = rows.filter((r) => r.name === name && r.method === 'looped');
  const hits = (k: 'oracle' | 'adaptive') => looped.filter((r) => (r.at2x[k] ?? 0) >= THRESHOLD).length;
  return {
    name,
    settings: rows.find((r) => r.name === name)!.settings,
    seeds: looped.length,
    oracleHits: hits('oracle'),
    adaptiveHits: hits('adaptive'),
    reachesFloor: looped.length >= 3 && hits('oracle') >= 2,
    reachesFloorAdaptive: looped.length >= 3 && hits('adaptive') >= 2,
    coreMinutes: rows.filter((r) => r.name === name).reduce((s, r) => s + r.coreMinutes, 0),
  };
});
writeFileSync(
  join(DIR, 'floor.json'),
  `${JSON.stringify({ threshold: THRESHOLD, configs, rows }, null, 1)}\n`,
);

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
const lines = [
  '# The floor of looped length generalization (algorithmic tasks)',
  '',
  'The smallest configuration at which Looped-Attn (FOP-Loop-Adaptive: input injection, no positions,',
  'loss after exactly T(n) loops) length-generalizes, searched on CPU. **Criterion**, fixed before the',
  'search: Looped-Attn with oracle T(n) loops reaches >= 95% exact match at twice the longest training',
  'length on at least 2 of 3 seeds; adaptive stopping (the reference rule: maximum confidence, one step',
  'per single-length batch) is stated separately. Each configuration is a merged `loop-bench algorithmic`',
  `run in \`${DIR}/<name>/\` (report, results.json, config.json with the commit); this page and`,
  '`floor.json` are written from them by `packages/bench/scripts/floor-table.ts`. Each was run as',
  '`loop-bench algorithmic --profile full --config results/algorithmic-floor/configs/<name>.json --seeds 3`',
  'in two shards (`--shard 0/2`, `--shard 1/2`) merged with `loop-bench merge`.',
  '',
  '| configuration | task | n_embd / heads / layers | train to | steps | lr | seeds | oracle >= 95% at 2x | adaptive >= 95% at 2x | floor | core-min |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...configs.map((c) => {
    const s = Object.fromEntries(Object.entries(c.settings).map(([k, v]) => [k, String(v)]));
    return `| ${c.name} | ${rows.find((r) => r.name === c.name)!.task} | ${s['nEmbd']} / ${s['heads']} / ${s['layers']} | ${s['maxTrainLength']} (curriculum every ${s['curriculumInterval']}) | ${s['steps']} | ${s['lr']} ${s['lrSchedule']} | ${c.seeds} | ${c.oracleHits}/${c.seeds} | ${c.adaptiveHits}/${c.seeds} | ${c.reachesFloor ? 'yes' : 'no'} | ${c.coreMinutes.toFixed(0)} |`;
  }),
  '',
  'Per run (accuracy at twice the training length; mean over the lengths beyond training up to 2x):',
  '',
  '| configuration | method | seed | oracle at 2x | adaptive at 2x | oracle beyond | adaptive beyond | core-min |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.method} | ${r.seed} | ${pct(r.at2x.oracle)} | ${r.method === 'single' ? 'one pass' : pct(r.at2x.adaptive)} | ${pct(r.beyond.oracle)} | ${r.method === 'single' ? '–' : pct(r.beyond.adaptive)} | ${r.coreMinutes.toFixed(1)} |`,
  ),
  '',
];
writeFileSync('docs/algorithmic-floor.md', lines.join('\n'));
console.log(
  `wrote ${DIR}/floor.json and docs/algorithmic-floor.md (${configs.length} configurations, ${rows.length} runs)`,
);
