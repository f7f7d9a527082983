// Test sets at other sequence lengths (length generalization) and the reference accuracies a model
// is compared with on them.

import { markovBatchOf } from '@loop/shift';
import { createRng } from '@loop/tasks';
import type { MarkovData } from '../data';
import type { LengthSet } from './types';

/** Reference accuracies of a test length's set. */
export interface LengthReference {
  length: number;
  /** Share of the sampled set with IC <= the largest training IC. */
  simpleFraction: number;
  /** The same share computed exactly by enumeration (the paper's "% simple" column). */
  exactSimpleFraction: number;
  /** Bayes predictor (the cyclic matrix of the last step: beyond the training length, never a training target). */
  bayes: number;
  bayesSimple: number | null;
  /** The rule learnable from training data: the training length's last-step argmax, at every length. */
  trainingRule: number;
  trainingRuleSimple: number | null;
}

/** Test sets of other lengths (same language, cyclic transitions, same sampling rule). */
export function lengthSets(
  data: MarkovData,
  lengths: readonly number[],
  size: number,
  seed: number,
): {
  sets: LengthSet[];
  bayes: LengthReference[];
} {
  const sets = data.language.lengthGeneralizationSets({
    lengths,
    size,
    rng: createRng(seed).fork('length-gen'),
    train: data.train,
  });
  return {
    sets: sets.map((s) => {
      const simple: number[] = [];
      s.dataset.ic.forEach((ic, i) => {
        if (ic <= s.threshold) simple.push(i);
      });
      return { length: s.length, batch: markovBatchOf(s.dataset), simple };
    }),
    bayes: sets.map((s) => {
      const simpleSeqs = s.dataset.sequences.filter((_, i) => s.dataset.ic[i]! <= s.threshold);
      const l = data.language;
      return {
        length: s.length,
        simpleFraction: s.simpleFraction,
        exactSimpleFraction: l.simpleFraction({ length: s.length, threshold: s.threshold }),
        bayes: l.bayesOptimalAccuracy(s.dataset),
        bayesSimple: simpleSeqs.length ? l.bayesOptimalAccuracy(simpleSeqs) : null,
        trainingRule: l.trainingRuleAccuracy(s.dataset),
        trainingRuleSimple: simpleSeqs.length ? l.trainingRuleAccuracy(simpleSeqs) : null,
      };
    }),
  };
}
