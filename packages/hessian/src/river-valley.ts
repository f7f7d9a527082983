/**
 * River/valley decomposition of a Hessian spectrum (Definition 1 of the paper).
 * River: eigenvalues lambda < epsilon (near-zero and negative directions, as in the paper's
 * "below a small threshold"); valley: lambda >= epsilon. The valley is U-shaped when its condition
 * number lambda_max / lambda_min <= 1 + delta, else V-shaped.
 * Defaults (the paper leaves them open): epsilon = relativeEpsilon * max|lambda| with
 * relativeEpsilon = 1e-2 (unless an absolute epsilon is given), delta = 1 (kappa <= 2 is U),
 * lowCurvatureThreshold = 0.1 * valley lambda_max (Assumption 1's low-curvature set).
 */

export interface RiverValleyOptions {
  /** Absolute threshold; when omitted, relativeEpsilon * max|lambda| is used. */
  epsilon?: number;
  /** Threshold relative to the spectral radius (default 1e-2). */
  relativeEpsilon?: number;
  /** U-shape tolerance: U iff conditionNumber <= 1 + delta (default 1). */
  delta?: number;
  /** Valley eigenvalues below this count as low-curvature (default 0.1 * valley max). */
  lowCurvatureThreshold?: number;
}

export interface RiverValleySummary {
  /** Number of eigenvalues below epsilon (the river). */
  riverDim: number;
  /** Number of eigenvalues at or above epsilon (the valley). */
  valleyDim: number;
  /** lambda_max / lambda_min over the valley (1 for an empty valley). */
  conditionNumber: number;
  /** 'U' when conditionNumber <= 1 + delta (an empty valley counts as U), else 'V'. */
  shape: 'U' | 'V';
  epsilon: number;
  delta: number;
  /** Valley eigenvalues below lowCurvatureThreshold (Assumption 1's k). */
  lowCurvatureValleyCount: number;
  lowCurvatureThreshold: number;
  /** sum over valley of 1/lambda: Theorem 1's capacity (times ||C||) of the river force. */
  forceCapacity: number;
  /** The same sum restricted to the low-curvature valley eigenvalues (its dominant part). */
  lowCurvatureForceCapacity: number;
  valleyMin: number;
  valleyMax: number;
  /** Count and value of the most negative eigenvalue (part of the river by definition). */
  negativeCount: number;
  mostNegative: number;
}

export function riverValley(
  eigenvalues: ArrayLike<number>,
  options: RiverValleyOptions = {},
): RiverValleySummary {
  const n = eigenvalues.length;
  if (n === 0) throw new Error('eigenvalues must be non-empty');
  let radius = 0;
  let mostNegative = 0;
  let negativeCount = 0;
  for (let i = 0; i < n; i++) {
    const v = eigenvalues[i];
    if (!Number.isFinite(v)) throw new Error(`eigenvalues[${i}] must be finite, got ${v}`);
    radius = Math.max(radius, Math.abs(v));
    if (v < 0) {
      negativeCount++;
      mostNegative = Math.min(mostNegative, v);
    }
  }
  const relative = options.relativeEpsilon ?? 1e-2;
  if (!(relative > 0 && relative < 1)) throw new Error(`relativeEpsilon must be in (0, 1), got ${relative}`);
  const epsilon = options.epsilon ?? relative * radius;
  if (!(epsilon >= 0) || !Number.isFinite(epsilon))
    throw new Error(`epsilon must be a finite number >= 0, got ${epsilon}`);
  const delta = options.delta ?? 1;
  if (!(delta >= 0)) throw new Error(`delta must be >= 0, got ${delta}`);
  const valley: number[] = [];
  for (let i = 0; i < n; i++)
    if (eigenvalues[i] >= epsilon && eigenvalues[i] > 0) valley.push(eigenvalues[i]);
  const valleyMin = valley.length ? Math.min(...valley) : NaN;
  const valleyMax = valley.length ? Math.max(...valley) : NaN;
  const conditionNumber = valley.length ? valleyMax / valleyMin : 1;
  const threshold = options.lowCurvatureThreshold ?? (valley.length ? 0.1 * valleyMax : 0);
  let low = 0;
  let capacity = 0;
  let lowCapacity = 0;
  for (const v of valley) {
    capacity += 1 / v;
    if (v < threshold) {
      low++;
      lowCapacity += 1 / v;
    }
  }
  return {
    riverDim: n - valley.length,
    valleyDim: valley.length,
    conditionNumber,
    shape: conditionNumber <= 1 + delta ? 'U' : 'V',
    epsilon,
    delta,
    lowCurvatureValleyCount: low,
    lowCurvatureThreshold: threshold,
    forceCapacity: capacity,
    lowCurvatureForceCapacity: lowCapacity,
    valleyMin,
    valleyMax,
    negativeCount,
    mostNegative,
  };
}
