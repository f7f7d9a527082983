/** The simple / complex / middle split by IC (see `MarkovLanguage.split`). */
import { TaskArgumentError, checkNumber } from '../validation';
import type { MarkovDataset, MarkovLanguage, MarkovSplit } from './types';

type SplitExamples = Parameters<MarkovLanguage['split']>[0];
type SplitOptions = NonNullable<Parameters<MarkovLanguage['split']>[1]>;

function checkSplitOptions(options: SplitOptions): {
  simpleFrac: number;
  complexFrac: number;
  by: MarkovSplit['by'];
} {
  const simpleFrac = checkNumber('simple', options.simple ?? 0.4, 0, 1);
  const complexFrac = checkNumber('complex', options.complex ?? 0.4, 0, 1);
  if (simpleFrac + complexFrac > 1) {
    throw new TaskArgumentError('simple', `simple + complex must be <= 1; got ${simpleFrac + complexFrac}`);
  }
  const by = options.by ?? 'sequences';
  if (by !== 'sequences' && by !== 'examples') {
    throw new TaskArgumentError('by', `by must be 'sequences' or 'examples'; got ${String(by)}`);
  }
  return { simpleFrac, complexFrac, by };
}

/** The examples' ICs, and their sequences where given. */
function icsOf(examples: SplitExamples): { ics: ArrayLike<number>; seqs: number[][] | undefined } {
  const isArrayLike = !('ic' in examples);
  const ics: ArrayLike<number> = isArrayLike ? examples : examples.ic;
  const seqs =
    !isArrayLike && 'sequences' in examples
      ? (examples as Pick<MarkovDataset, 'sequences'>).sequences
      : undefined;
  if (ics.length < 1) throw new TaskArgumentError('examples', 'examples must hold at least one IC value');
  return { ics, seqs };
}

/** Units to rank: every example, or every distinct sequence (identified by its tokens, else its IC). */
function rankingUnits(
  ics: ArrayLike<number>,
  seqs: number[][] | undefined,
  by: MarkovSplit['by'],
): { unitOf: number[]; unitIc: number[] } {
  const n = ics.length;
  const unitOf = new Array<number>(n);
  const unitIc: number[] = [];
  if (by === 'examples') {
    for (let i = 0; i < n; i++) {
      unitOf[i] = i;
      unitIc.push(ics[i] as number);
    }
  } else {
    const ids = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = seqs ? (seqs[i] as number[]).join(',') : String(ics[i]);
      let id = ids.get(key);
      if (id === undefined) {
        id = unitIc.length;
        ids.set(key, id);
        unitIc.push(ics[i] as number);
      }
      unitOf[i] = id;
    }
  }
  return { unitOf, unitIc };
}

export function splitByIc(examples: SplitExamples, options: SplitOptions): MarkovSplit {
  const { simpleFrac, complexFrac, by } = checkSplitOptions(options);
  const { ics, seqs } = icsOf(examples);
  const n = ics.length;
  const { unitOf, unitIc } = rankingUnits(ics, seqs, by);
  const u = unitIc.length;
  // Rank by IC, ties by first appearance.
  const order = Array.from({ length: u }, (_, i) => i).sort(
    (i, j) => (unitIc[i] as number) - (unitIc[j] as number) || i - j,
  );
  const nSimple = Math.floor(simpleFrac * u);
  const nComplex = Math.floor(complexFrac * u);
  const group = new Int8Array(u); // 0 middle, 1 simple, 2 complex
  order.forEach((unit, rank) => {
    group[unit] = rank < nSimple ? 1 : rank >= u - nComplex ? 2 : 0;
  });
  const simple: number[] = [];
  const complex: number[] = [];
  const middle: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = group[unitOf[i] as number];
    (g === 1 ? simple : g === 2 ? complex : middle).push(i);
  }
  return {
    by,
    simple,
    complex,
    middle,
    units: { simple: nSimple, complex: nComplex, middle: u - nSimple - nComplex },
    simpleMaxIC: nSimple > 0 ? (unitIc[order[nSimple - 1] as number] as number) : -Infinity,
    complexMinIC: nComplex > 0 ? (unitIc[order[u - nComplex] as number] as number) : Infinity,
  };
}
