/**
 * Fits the Markov language of the SHIFT paper to the fingerprints its text kept (Table 1, App. E.1).
 *
 * Stage 1 (exact, by enumeration): for every Dirichlet concentration x alpha x language seed, the
 * "% simple" column at lengths 5-8 (share under q ~ p^alpha of sequences whose IC is at most the
 * largest length-4 IC) and the expected Bayes accuracy at length 4. A setting matches when the column
 * is within MATCH of the paper's 99.5 / 64.5 / 0 / 0 and the Bayes accuracy is in BAYES_WINDOW (the
 * paper's trained models reach 69.25% / 72.29% on the training data, so its Bayes accuracy is above
 * them and, with a perfectly predictable low-IC group, not far above).
 * Stage 2 (training): on the best-matching languages, both toy models of the paper (no positions)
 * in the slow regime (full batch, Adam 1e-3, 400 epochs) for each embedding width and training-set
 * size, 2 seeds; their final training accuracies against the paper's.
 *
 * Run from the repository root (about 10 minutes on 2 cores):
 *   node --conditions=@loop/source --import tsx packages/bench/scripts/markov-fit.ts [--stage2-shard i/n]
 * Writes results/markov-fit/fit.json (every setting of both stages) and docs/markov-fit.md.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { initBackend } from '@loop/models';
import { enableSecondOrderGradients } from '@loop/hessian';
import { markovLanguage } from '@loop/tasks';
import { silentProgress } from '../src/progress';
import type { ExperimentContext } from '../src/experiment';
import { markovData } from '../src/experiments/markov/data';
import { trainRun } from '../src/experiments/markov/train-run';

const PAPER = { simple: [0.995, 0.645, 0, 0], single: 0.6925, looped: 0.7229 };
const MATCH = [0.01, 0.02, 0.005, 0.005];
const BAYES_WINDOW: [number, number] = [0.72, 0.78];
const CONCENTRATIONS = [1, 3, 5, 7, 10, 15, 20, 30];
const ALPHAS = [2, 4, 6, 8, 10];
const SEEDS = 1000;
const DIMS = [4, 8];
const SIZES = [1000, 5000];
const TRAIN_SEEDS = [0, 1];
const CANDIDATES = 6;

interface Stage1 {
  concentration: number;
  alpha: number;
  seed: number;
  simple: number[];
  bayes: number;
  distance: number;
  match: boolean;
}

function stage1(): Stage1[] {
  const out: Stage1[] = [];
  for (const concentration of CONCENTRATIONS)
    for (const alpha of ALPHAS)
      for (let seed = 0; seed < SEEDS; seed++) {
        const l = markovLanguage({ seed, alpha, concentration });
        const simple = [5, 6, 7, 8].map((length) => l.simpleFraction({ length }));
        const bayes = l.expectedBayesAccuracy();
        const distance = Math.max(...simple.map((s, i) => Math.abs(s - PAPER.simple[i]!) / MATCH[i]!));
        out.push({
          concentration,
          alpha,
          seed,
          simple,
          bayes,
          distance,
          match: distance <= 1 && bayes >= BAYES_WINDOW[0] && bayes <= BAYES_WINDOW[1],
        });
      }
  return out;
}

const stubCtx = (): ExperimentContext<unknown> =>
  ({
    progress: silentProgress,
    metric: () => undefined,
    histogram: () => undefined,
  }) as unknown as ExperimentContext<unknown>;

/** Stage 2, resumable: rows already in `file` (JSON lines) are kept, new ones appended as they finish. */
async function stage2(cands: Stage1[], shard: { index: number; count: number }, file: string) {
  await initBackend('wasm', { log: () => {} });
  enableSecondOrderGradients();
  const done = new Set(
    (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []).map((l) => {
      const r = JSON.parse(l) as Record<string, number>;
      return `${r['language']}|${r['size']}|${r['dim']}|${r['seed']}`;
    }),
  );
  let k = 0;
  for (const c of cands)
    for (const size of SIZES)
      for (const dim of DIMS)
        for (const seed of TRAIN_SEEDS) {
          if (k++ % shard.count !== shard.index) continue;
          if (done.has(`${c.seed}|${size}|${dim}|${seed}`)) continue;
          const dataCfg = {
            vocabSize: 3,
            length: 4,
            size,
            valSize: 500,
            alpha: c.alpha,
            concentration: c.concentration,
            languages: [c.seed],
            splitBy: 'examples' as const,
          };
          const data = markovData(dataCfg, c.seed, seed);
          const res: Record<string, number> = {};
          for (const kind of ['single', 'looped'] as const) {
            const r = await trainRun(stubCtx(), {
              label: kind,
              seed,
              language: c.seed,
              data,
              dataCfg,
              model: { variant: 'paper', dim, loops: 3, gating: 'scalar' },
              train: {
                epochs: 400,
                batchSize: size,
                lr: 1e-3,
                optimizer: 'adam',
                weightDecay: 0,
                evalEvery: 10,
              },
              schedule: { kind },
            });
            res[kind] = r.final.acc;
            res[`${kind}High`] = r.final.accHigh;
          }
          const row = {
            concentration: c.concentration,
            alpha: c.alpha,
            language: c.seed,
            size,
            dim,
            seed,
            bayesTrain: data.bayes.all,
            bayesLow: data.bayes.low,
            ...res,
          };
          console.log(JSON.stringify(row));
          appendFileSync(file, `${JSON.stringify(row)}\n`);
        }
}

async function main(): Promise<void> {
  const arg = process.argv.indexOf('--stage2-shard');
  const s1 = stage1();
  const matches = s1.filter((x) => x.match).sort((a, b) => a.distance - b.distance);
  const cands = matches.slice(0, CANDIDATES);
  if (arg > 0) {
    const [i, n] = process.argv[arg + 1]!.split('/').map(Number);
    mkdirSync('results/markov-fit', { recursive: true });
    await stage2(cands, { index: i!, count: n! }, `results/markov-fit/stage2-${i}of${n}.jsonl`);
    return;
  }
  // Without --stage2-shard: gather stage 2 shards and write the fit and the docs page.
  const stage2Rows: Record<string, number>[] = [];
  for (let i = 0; existsSync(`results/markov-fit/stage2-${i}of2.jsonl`); i++)
    for (const line of readFileSync(`results/markov-fit/stage2-${i}of2.jsonl`, 'utf8').split('\n'))
      if (line) {
        const r = JSON.parse(line) as Record<string, number>;
        const key = (x: Record<string, number>) => `${x['language']}|${x['size']}|${x['dim']}|${x['seed']}`;
        if (!stage2Rows.some((x) => key(x) === key(r))) stage2Rows.push(r);
      }
  mkdirSync('results/markov-fit', { recursive: true });
  writeFileSync(
    'results/markov-fit/fit.json',
    JSON.stringify(
      {
        paper: PAPER,
        match: MATCH,
        bayesWindow: BAYES_WINDOW,
        stage1: {
          columns: ['concentration', 'alpha', 'seed', 'simple5', 'simple6', 'simple7', 'simple8', 'bayes4'],
          rows: s1.map((x) => [
            x.concentration,
            x.alpha,
            x.seed,
            ...x.simple.map((v) => +v.toFixed(5)),
            +x.bayes.toFixed(5),
          ]),
        },
        candidates: cands,
        stage2: stage2Rows,
      },
      null,
      0,
    ),
  );
  writeFileSync('docs/markov-fit.md', page(s1, cands, stage2Rows));
  console.log('wrote results/markov-fit/fit.json and docs/markov-fit.md');
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function page(s1: Stage1[], cands: Stage1[], s2: Record<string, number>[]): string {
  const lines: string[] = [];
  lines.push("# Fitting the paper's Markov language");
  lines.push('');
  lines.push(
    'The paper (App. E.1) lost its alpha, dataset size, embedding width and how its three transition matrices were drawn. ' +
      'What survived are fingerprints: the "% simple" column of Table 1 (100 / 99.5 / 64.5 / 0 / 0 at lengths 4-8) and the ' +
      "trained models' accuracy on the training data (69.25% Single-Attn, 72.29% Looped-Attn). This page is written by " +
      '`packages/bench/scripts/markov-fit.ts`; every setting tried is in `results/markov-fit/fit.json`.',
  );
  lines.push('');
  lines.push('## Stage 1: the % simple column, exactly');
  lines.push('');
  lines.push(
    `Every (Dirichlet concentration, alpha, language seed 0-${SEEDS - 1}): the share under q ~ p^alpha of the sequences of each length whose IC is at most the largest length-4 IC, by enumeration, and the expected Bayes accuracy at length 4. ` +
      `A draw matches when each share is within ${MATCH.map((m) => `${100 * m}`).join(' / ')} pt of 99.5 / 64.5 / 0 / 0 and its Bayes accuracy is in [${BAYES_WINDOW.join(', ')}].`,
  );
  lines.push('');
  lines.push(
    '| concentration | alpha | mean % simple @5 / 6 / 7 / 8 | column matches | also Bayes in window | best matching seeds (distance) |',
  );
  lines.push('|---:|---:|---|---:|---:|---|');
  for (const c of CONCENTRATIONS)
    for (const a of ALPHAS) {
      const fam = s1.filter((x) => x.concentration === c && x.alpha === a);
      const mean = [0, 1, 2, 3].map((j) => fam.reduce((s, x) => s + x.simple[j]!, 0) / fam.length);
      const col = fam.filter((x) => x.distance <= 1);
      const ok = fam.filter((x) => x.match).sort((p, q) => p.distance - q.distance);
      lines.push(
        `| ${c} | ${a} | ${mean.map(pct).join(' / ')} | ${col.length} | ${ok.length} | ${ok
          .slice(0, 4)
          .map((x) => `${x.seed} (${x.distance.toFixed(2)})`)
          .join(', ')} |`,
      );
    }
  lines.push('');
  lines.push(
    `Distance: the largest deviation from the paper's column in units of the tolerance (<= 1 matches). The ${cands.length} closest matches over all families:`,
  );
  lines.push('');
  lines.push('| concentration | alpha | language seed | % simple @5 / 6 / 7 / 8 | Bayes @4 |');
  lines.push('|---:|---:|---:|---|---:|');
  for (const x of cands)
    lines.push(
      `| ${x.concentration} | ${x.alpha} | ${x.seed} | ${x.simple.map(pct).join(' / ')} | ${pct(x.bayes)} |`,
    );
  lines.push('');
  lines.push('## Stage 2: trained accuracy on the candidates');
  lines.push('');
  lines.push(
    "Both of the paper's toy models (no positional encoding) trained in the slow regime (full batch, Adam 1e-3, 400 epochs) on each candidate, " +
      `for each embedding width d in {${[...new Set(s2.map((r) => r['dim']))].sort((a, b) => a! - b!).join(', ')}} (16 on the first three candidates, from an earlier grid: it behaves as 8) and training-set size in {${SIZES.join(', ')}}, seeds ${TRAIN_SEEDS.join(', ')}: final accuracy on the training data, mean over seeds. The paper: Single-Attn 69.25%, Looped-Attn 72.29%.`,
  );
  lines.push('');
  lines.push(
    '| language | size | d | Bayes (train) | Single-Attn | Looped-Attn | Looped − Single | distance to paper (pt) |',
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
  const groups = new Map<string, Record<string, number>[]>();
  for (const r of s2) {
    const key = `${r['language']}|${r['size']}|${r['dim']}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const byDistance: { key: string; dist: number }[] = [];
  for (const [key, rs] of groups) {
    const m = (f: string) => rs.reduce((s, r) => s + r[f]!, 0) / rs.length;
    const dist = 100 * (Math.abs(m('single') - PAPER.single) + Math.abs(m('looped') - PAPER.looped));
    byDistance.push({ key, dist });
    const [lang, size, dim] = key.split('|');
    lines.push(
      `| ${lang} | ${size} | ${dim} | ${pct(m('bayesTrain'))} | ${pct(m('single'))} | ${pct(m('looped'))} | ${(100 * (m('looped') - m('single'))).toFixed(1)} | ${dist.toFixed(1)} |`,
    );
  }
  const bySetting = new Map<string, number[]>();
  for (const { key, dist } of byDistance) {
    const [, size, dim] = key.split('|');
    const k = `${size}|${dim}`;
    bySetting.set(k, [...(bySetting.get(k) ?? []), dist]);
  }
  lines.push('');
  lines.push('Mean distance to the paper over the candidates, per (size, d):');
  lines.push('');
  lines.push('| size | d | mean distance (pt) |');
  lines.push('|---:|---:|---:|');
  for (const [k, ds] of [...bySetting].sort(
    (a, b) => a[1].reduce((s, x) => s + x, 0) - b[1].reduce((s, x) => s + x, 0),
  )) {
    const [size, dim] = k.split('|');
    lines.push(`| ${size} | ${dim} | ${(ds.reduce((s, x) => s + x, 0) / ds.length).toFixed(1)} |`);
  }
  lines.push('');
  // The choice, from the numbers above.
  const best = byDistance.reduce((a, b) => (b.dist < a.dist ? b : a));
  const [bl, bs, bd] = best.key.split('|');
  const wide = s2.filter((r) => r['dim']! >= 8);
  const atBayes = wide.filter(
    (r) =>
      Math.abs(r['single']! - r['bayesTrain']!) < 0.005 && Math.abs(r['looped']! - r['bayesTrain']!) < 0.005,
  );
  const narrow = s2.filter((r) => r['dim'] === 4);
  const below = narrow.filter((r) => r['single']! < r['bayesTrain']! - 0.005);
  lines.push('## The choice');
  lines.push('');
  lines.push(
    `- Width: at d >= 8 both models end exactly at the Bayes predictor in ${atBayes.length} of ${wide.length} runs, so no gap between them can appear; at d = 4 Single-Attn stays below it in ${below.length} of ${narrow.length} runs, as the paper's models do (69.25% / 72.29% against Bayes accuracies of 72-78% for the draws that match the column). d = 4.`,
  );
  lines.push(
    `- Closest trained setting: language ${bl}, ${bs} sequences, d = ${bd}, ${best.dist.toFixed(1)} pt from the paper's two accuracies (sum of absolute differences). Size ${bs}, full batch.`,
  );
  lines.push(
    '- Family: Dirichlet(10) rows with alpha 6 (the defaults of `@loop/tasks`): it holds that draw and the next matching ones (12, 966, 491, 263 in order of distance); ' +
      'Dirichlet(7) with alpha 4 matches as often (599, 853, ...). The `paper` profile runs draws 12, 966 and 491; `full` adds 263.',
  );
  lines.push('');
  return lines.join('\n');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
