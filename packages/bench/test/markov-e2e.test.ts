import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { assignVariables, createToyAttention, loadCheckpoint, type ToyAttentionOptions } from '@loop/models';
import { runTs } from './helpers';

const unit = z.number().min(0).max(1);
const spreadOf = (inner: z.ZodNumber) =>
  z.object({ mean: inner, std: z.number().min(0), n: z.number().int().min(1) });
const intervalOf = (inner: z.ZodNumber) =>
  z.object({
    mean: inner,
    lower: z.number().nullable(),
    upper: z.number().nullable(),
    n: z.number().int().min(1),
  });
const verdictOf = z.union([z.boolean(), z.literal('partly'), z.literal('n/a')]);
const D = 3; // smoke profile: d = 3, V = 3
const V = 3;
const SINGLE_PARAMS = 3 * D * D + D * V; // W_Q, W_K, W_V (d x d) + W_O (d x V)
const LOOPED_PARAMS = SINGLE_PARAMS + 2; // + the two scalar gates

interface CoreRun {
  language: number;
  seed: number;
}

describe('loop-bench markov --profile smoke (spawned)', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-markov-')), 'run');
  let r: ReturnType<typeof runTs>;
  beforeAll(() => {
    r = runTs(
      'src/cli.ts',
      ['markov', '--profile', 'smoke', '--backend', 'wasm', '--out', out, '--tensorboard'],
      180_000,
    );
  });

  test('exits 0, prints the backend and a summary', () => {
    expect(r.err).not.toContain('could not be rendered');
    expect(r.code).toBe(0);
    expect(r.out).toContain('backend: wasm');
    expect(r.out).toContain('Table 1');
    // The end of the output: one line per claim's verdict, the seeds that ran, the report's path.
    const tail = r.out.slice(r.out.indexOf('Verdicts (evidence in the report):'));
    expect(tail).toMatch(
      /\n {2}(HELD|DID NOT HOLD|PARTLY|N\/A) +Looped-Attn ends higher than Single-Attn on high-IC/,
    );
    expect(tail).toContain('\nseeds: 0\n');
    expect(tail).toContain(`report: ${join(out, 'report.html')}`);
  });

  test('writes every file of a run folder, figures as SVG and PNG', () => {
    for (const f of ['config.json', 'metrics.jsonl', 'results.json', 'report.md', 'report.html'])
      expect(existsSync(join(out, f))).toBe(true);
    const figs = readdirSync(join(out, 'figures'));
    for (const name of [
      'obs1-loss',
      'obs1-accuracy-low',
      'obs1-accuracy-high',
      'obs2-entropy',
      'obs2-mutual-information',
      'obs2-eigenvalues-looped',
      'obs2-eigenvalues-single',
      'obs2-river-valley',
      'table1-accuracy-vs-length',
      'shift-loss',
      'shift-val-loss',
      'shift-grad-norm',
      'shift-efficiency',
      'shift-performance',
      'theory-force',
      'theory-loss',
      'theory-gradient-alignment',
    ]) {
      expect(figs).toContain(`${name}.svg`);
      expect(figs).toContain(`${name}.png`);
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(15);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('69.25% / 72.29%'); // the paper's Table 1 beside ours
    expect(md).toMatch(/\*\*(HELD|DID NOT HOLD|PARTLY|N\/A)\*\*/);
    expect(existsSync(join(out, 'tensorboard', 'single', 'lang12', 'seed0'))).toBe(true);
  });

  test('config.json records the commit of the code that ran', () => {
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).stdout.trim();
    expect(cfg.commit).toMatch(/^[0-9a-f]{40}(\+dirty)?$/);
    expect(cfg.commit.slice(0, 40)).toBe(head);
  });

  test("saves every core run's final weights, loadable into the toy model they came from", async () => {
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const core = res.results.core.runs as Record<'single' | 'looped', CoreRun[]>;
    const runs = (['single', 'looped'] as const).flatMap((kind) => core[kind].map((r) => ({ ...r, kind })));
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      const dir = join(out, 'weights', `${run.kind}-lang${run.language}-seed${run.seed}`);
      const state = await loadCheckpoint(dir);
      const model = createToyAttention(state.config as unknown as ToyAttentionOptions);
      assignVariables(model.variables, state.weights, model.variableNames);
      expect((state.extra as { finalLoops: number }).finalLoops).toBe(run.kind === 'single' ? 1 : 3);
      // The checkpoint holds the trained values, not the seed's initialisation.
      const init = createToyAttention(state.config as unknown as ToyAttentionOptions);
      expect(Array.from(model.variables[0]!.dataSync())).not.toEqual(
        Array.from(init.variables[0]!.dataSync()),
      );
      model.dispose();
      init.dispose();
    }
  });

  test('results.json has the expected schema and numbers in range', () => {
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.experiment).toBe('markov');
    expect(res.backend).toBe('wasm');
    const schema = z.object({
      observation1: z.object({
        budgets: z
          .array(
            z.object({
              epoch: z.number().int().positive(),
              single: z.object({ low: intervalOf(unit), high: intervalOf(unit), all: intervalOf(unit) }),
              looped: z.object({ low: intervalOf(unit), high: intervalOf(unit), all: intervalOf(unit) }),
            }),
          )
          .min(1),
        firstReachBayes: z.object({
          single: z.object({ low: z.array(z.number().nullable()).length(1) }),
          looped: z.object({ low: z.array(z.number().nullable()).length(1) }),
        }),
        verdicts: z.object({ loopedHigherHighIC: verdictOf, lateRise: verdictOf }),
      }),
      observation2: z.object({
        finalAssumption1: z
          .array(
            z.object({
              kSingle: z.number().int().min(0),
              kLooped: z.number().int().min(0),
              dimension: z.boolean(),
              dominance: z.boolean(),
            }),
          )
          .length(1),
      }),
      table1: z.object({
        rows: z
          .array(
            z.object({
              length: z.number().int(),
              exactSimpleFraction: spreadOf(unit),
              single: z.object({ acc: intervalOf(unit) }),
              looped: z.object({ acc: intervalOf(unit) }),
              trainingRule: spreadOf(unit),
              bayes: spreadOf(unit),
            }),
          )
          .length(3),
      }),
      shift: z.object({
        scp: z.array(z.object({ language: z.literal(12), seed: z.number() })),
        points: z
          .array(z.object({ role: z.string(), trainS: z.number().min(0), acc: unit, accHigh: unit }))
          .min(3),
      }),
      core: z.object({
        languages: z
          .array(
            z.object({
              seed: z.literal(12),
              alpha: z.number(),
              trainSize: z.number().int(),
              transitions: z.array(z.array(z.array(unit).length(3)).length(3)).length(3),
              simpleFraction: z.array(z.object({ length: z.number().int(), fraction: unit })),
            }),
          )
          .length(1),
        seeds: z.array(
          z.object({
            language: z.literal(12),
            bayes: z.object({ high: unit }),
            ceiling: z.object({ high: unit }),
          }),
        ),
      }),
      theory: z.object({
        simulation: z.object({
          u: z.object({ bound: z.number().positive(), dominantForce: z.number().min(0) }),
          v: z.object({ bound: z.number().positive(), dominantForce: z.number().min(0) }),
        }),
        alignment: z.object({ atInit: spreadOf(z.number().min(-1).max(1)) }),
      }),
    });
    const parsed = schema.parse(res.results);
    expect(parsed.table1.rows.map((x) => x.length)).toEqual([4, 5, 6]);
    // The best prefix map can never score below the Bayes predictor on the same group.
    for (const s of parsed.core.seeds) expect(s.ceiling.high).toBeGreaterThanOrEqual(s.bayes.high);
    // The "% simple" column recomputed from the recorded matrices and alpha alone (enumeration).
    const lang = parsed.core.languages[0]!;
    const P = lang.transitions;
    const seqs = (len: number): number[][] =>
      len === 0 ? [[]] : seqs(len - 1).flatMap((s) => [0, 1, 2].map((x) => [...s, x]));
    const p = (s: number[]) => s.slice(1).reduce((acc, x, t) => acc * P[t % 3]![s[t]!]![x]!, 1 / 3);
    const minP = Math.min(...seqs(4).map(p));
    for (const { length, fraction } of lang.simpleFraction) {
      const all = seqs(length);
      const w = all.map((s) => Math.pow(p(s), lang.alpha));
      const z = w.reduce((a, b) => a + b, 0);
      const share = all.reduce((a, s, i) => a + (p(s) >= minP * (1 - 1e-12) ? w[i]! : 0), 0) / z;
      expect(Math.abs(share - fraction)).toBeLessThan(1e-9);
    }
    expect(lang.simpleFraction.map((x) => x.length)).toEqual([4, 5, 6]);
    // Theorem 1: the unforced cumulative force stays below its bound.
    expect(parsed.theory.simulation.u.dominantForce).toBeLessThanOrEqual(parsed.theory.simulation.u.bound);
    expect(parsed.theory.simulation.v.dominantForce).toBeLessThanOrEqual(parsed.theory.simulation.v.bound);
  });

  test('metrics.jsonl: per-epoch training records and Hessian spectra of the right size', () => {
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const train = lines.filter(
      (l) => l.type === 'scalar' && l.series === 'train' && l.run === 'single/lang12/seed0',
    );
    expect(train.map((l) => l.step)).toEqual([0, 1, 2, 3, 4]);
    for (const l of train)
      for (const k of ['acc', 'accLow', 'accHigh', 'valAcc']) expect(l.values[k]).toBeGreaterThanOrEqual(0);
    const hist = lines.filter((l) => l.type === 'histogram' && l.series === 'hessian');
    expect(hist.filter((l) => l.run === 'single/lang12/seed0').map((l) => l.step)).toEqual([0, 2, 4]);
    for (const l of hist)
      expect(l.values).toHaveLength(l.run.startsWith('single') ? SINGLE_PARAMS : LOOPED_PARAMS);
  });
});

describe('the other Markov experiments run on their own (smoke)', () => {
  test.each([
    ['hessian', 'observation2'],
    ['length-gen', 'table1'],
    ['shift', 'shift'],
    ['theory', 'theory'],
  ])('%s', (name, key) => {
    const out = join(mkdtempSync(join(tmpdir(), `bench-${name}-`)), 'run');
    const r = runTs(
      'src/cli.ts',
      [name, '--profile', 'smoke', '--backend', 'wasm', '--out', out, '--quiet'],
      180_000,
    );
    expect(r.err).not.toContain('could not be rendered');
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.experiment).toBe(name);
    expect(Object.keys(res.results)).toContain(key);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });
});

describe('loop-bench markov --shard i/n + merge (smoke, 2 seeds)', () => {
  test('two shards merged give the unsharded results (wall times aside)', () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-markov-shard-'));
    const args = ['--profile', 'smoke', '--backend', 'cpu', '--seeds', '2', '--quiet'];
    const whole = runTs('src/cli.ts', ['markov', ...args, '--out', join(root, 'whole')], 180_000);
    expect(whole.code).toBe(0);
    for (const i of [0, 1]) {
      const r = runTs(
        'src/cli.ts',
        ['markov', ...args, '--shard', `${i}/2`, '--out', join(root, `s${i}`)],
        180_000,
      );
      expect(r.code).toBe(0);
      const units = readdirSync(join(root, `s${i}`, 'units'));
      // Shard i owns replicate i (language 12, seed i): its two core runs and its SHIFT runs.
      expect(units.filter((u) => u.startsWith('core-')).sort()).toEqual(
        [`core-looped-lang12-seed${i}`, `core-single-lang12-seed${i}`].map((u) => expect.stringContaining(u)),
      );
    }
    const m = runTs(
      'src/cli.ts',
      ['merge', join(root, 's0'), join(root, 's1'), '--out', join(root, 'merged'), '--quiet'],
      180_000,
    );
    expect(m.code).toBe(0);
    const strip = (dir: string) =>
      JSON.stringify(JSON.parse(readFileSync(join(root, dir, 'results.json'), 'utf8')).results, (k, v) =>
        /(Ms|S|wallTimeS|seconds)$/.test(k) ||
        k === 'timeToLoopedS' ||
        k === 'speedupAtScp' ||
        k === 'speedupAtScpCI' ||
        k === 'modelledSpeedupAtScp'
          ? undefined
          : v,
      );
    expect(strip('merged')).toBe(strip('whole'));
  });
});
