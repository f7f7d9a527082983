// The second-order gradient fixes live in @loop/runtime (they patch tfjs' registry, as the runtime's
// other gradients do); re-exported here, where HVP users have always found them.
export { enableSecondOrderGradients, isSecondOrderEnabled, SECOND_ORDER_GRADIENTS } from '@loop/runtime';
export { logSoftmax, softmaxCrossEntropy } from './second-order/ops';
export { flatten, unflatten, assignFlat, parameterCount } from './hvp/flatten';
export {
  hvp,
  modelHvp,
  gradientVector,
  valueAndGradientVector,
  finiteDifferenceHvp,
  type LossFn,
  type CountedMatVec,
  type FiniteDifferenceOptions,
} from './hvp/hvp';
export { fullHessian, matrixFromMatVec, type FullHessianOptions } from './full-hessian';
export { eigSym, eigenvector, tridiagonalEig, type SymmetricEigen, type EigSymOptions } from './eig';
export { lanczos, ritzVectors, tridiagonalMatrix, type LanczosOptions, type LanczosResult } from './lanczos';
export {
  spectralDensity,
  slqQuadrature,
  smoothDensity,
  exactDensity,
  densityL1,
  quadratureTrace,
  type QuadratureRule,
  type SpectralDensity,
  type SpectralDensityOptions,
} from './slq';
export {
  topEigenvalues,
  lanczosEigenvalues,
  smallestEigenvalues,
  type TopEigenOptions,
  type EigenPairs,
  type LanczosEigenOptions,
  type LanczosEigenPairs,
} from './top-eigen';
export { hutchinsonTrace, hutchPlusPlusTrace, matrixTrace, type TraceEstimate } from './trace';
export { matrixEntropy, renyiEntropy, slqEntropy, type EntropyResult, type EntropyOptions } from './entropy';
export {
  mutualInformation,
  matrixAbs,
  normalizeKernel,
  type MutualInformationOptions,
  type MutualInformationResult,
} from './mutual-information';
export { riverValley, type RiverValleyOptions, type RiverValleySummary } from './river-valley';
export {
  simulateRiverValley,
  gradientAlignment,
  lossGradientAlignment,
  spectralNorm,
  type RiverValleySimulationConfig,
  type RiverValleySimulation,
  type RiverValleyStep,
  type LossAlignment,
} from './theory';
export {
  HessianTracker,
  quantileSpectrum,
  type HessianSnapshot,
  type HessianTrackerOptions,
} from './tracker';
export { createProbeRng, gaussianVector, rademacherVector, type ProbeRng } from './rng';
/** @deprecated Renamed `createProbeRng` (not @loop/tasks' `createRng`); kept for existing callers. */
export { createProbeRng as createRng, type ProbeRng as Rng } from './rng';
export { dot, norm, denseMatVec, orthogonalize, type MatVec } from './linalg';
