/**
 * The README's runnable example. Run from packages/tasks: `npx tsx scripts/example.ts`.
 */
import { createRng, curriculum, getTask, markovLanguage } from '../src/index';

const rng = createRng(42);
const task = getTask('addition');

// One training batch at curriculum step 20,000: lengths uniform in 1..maxLength.
const maxLength = curriculum(task, 20_000);
const train = task.batch({ size: 64, maxLength, rng: rng.fork('train') });
console.log('train batch', train.shape, 'max length', maxLength, 'steps of row 0:', train.steps[0]);

// A test example at the reference test length (padding n + 2), read back for humans.
const ex = task.sample(task.reference.testLength, rng.fork('test'));
console.log(task.decodeExample(ex), `T(n) = ${ex.steps}, T_max = ${task.maxTestSteps(ex.length)}`);

// Markov language: training set, simple/complex split, Table-1 style length-generalization sets.
const lang = markovLanguage({ seed: 0 });
const data = lang.dataset({ rng: rng.fork('markov') });
const split = lang.split(data);
console.log(
  `markov: ${data.size} sequences, ${split.simple.length} simple (IC <= ${split.simpleMaxIC.toFixed(2)}),`,
  `${split.complex.length} complex (IC >= ${split.complexMinIC.toFixed(2)}),`,
  `Bayes-optimal accuracy ${lang.bayesOptimalAccuracy(data).toFixed(3)}`,
);
for (const s of lang.lengthGeneralizationSets({ size: 1000, rng: rng.fork('markov-test'), train: data })) {
  console.log(`  length ${s.length}: ${s.simpleCount} / 1000 simple (IC <= ${s.threshold.toFixed(2)})`);
}
