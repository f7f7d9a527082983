/**
 * Calibration of the Markov language defaults against Table 1 of the SHIFT paper ("# Simple
 * Sequences": ~99.5% at length 5, 64.5% at 6, 0 at 7 and 8). For each (concentration, alpha) it
 * prints, averaged over seeds 0..19, the exact q-weighted share of sequences of length 5..8 whose
 * IC is <= the maximum IC over all length-4 sequences (= max training IC, since the training set
 * holds every sequence), and the exact expected Bayes-optimal last-token accuracy at length 4.
 * Run from packages/tasks: `npx tsx scripts/markov-calibration.ts`.
 */
import { createRng, markovLanguage } from '../src/index';

const SEEDS = 20;
console.log('| concentration | alpha | simple @5 | @6 | @7 | @8 | seeds with 0 at 7 | Bayes acc @4 |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const concentration of [1, 3, 10, 20]) {
  for (const alpha of [1, 2, 4, 6, 8]) {
    const shares: number[][] = [];
    let bayes = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const lang = markovLanguage({ seed, alpha, concentration });
      const threshold = Math.max(...lang.enumerate(4).map((s) => s.ic));
      shares.push(
        [5, 6, 7, 8].map((len) => {
          const all = lang.enumerate(len);
          const w = all.map((s) => Math.exp(-alpha * s.ic));
          const z = w.reduce((a, b) => a + b, 0);
          return all.reduce((a, s, i) => a + (s.ic <= threshold ? w[i]! : 0), 0) / z;
        }),
      );
      bayes += lang.expectedBayesAccuracy() / SEEDS;
    }
    const mean = [0, 1, 2, 3].map((j) => shares.reduce((a, r) => a + r[j]!, 0) / SEEDS);
    const zeroAt7 = shares.filter((r) => r[2]! < 0.005).length;
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    console.log(
      `| ${concentration} | ${alpha} | ${mean.map(pct).join(' | ')} | ${zeroAt7}/${SEEDS} | ${bayes.toFixed(3)} |`,
    );
  }
}

// Composition of the default-size training set (concentration 10, seeds 0..9): share of examples
// in the simple / complex pattern groups (split by distinct sequences), share of the most frequent
// sequence, and the exact Bayes-optimal accuracy (the best training accuracy any model can reach).
console.log('\n| alpha | examples simple | examples complex | top sequence | Bayes acc @4 |');
console.log('|---:|---:|---:|---:|---:|');
for (const alpha of [1, 2, 4, 6, 8]) {
  let simple = 0;
  let complex = 0;
  let top = 0;
  let bayes = 0;
  for (let seed = 0; seed < 10; seed++) {
    const lang = markovLanguage({ seed, alpha, concentration: 10 });
    const ds = lang.dataset({ rng: createRng(seed) });
    const sp = lang.split(ds);
    const counts = new Map<string, number>();
    ds.sequences.forEach((s) => counts.set(s.join(), (counts.get(s.join()) ?? 0) + 1));
    simple += sp.simple.length / ds.size / 10;
    complex += sp.complex.length / ds.size / 10;
    top += Math.max(...counts.values()) / ds.size / 10;
    bayes += lang.expectedBayesAccuracy() / 10;
  }
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`| ${alpha} | ${pct(simple)} | ${pct(complex)} | ${pct(top)} | ${bayes.toFixed(3)} |`);
}
