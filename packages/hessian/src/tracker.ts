/**
 * HessianTracker: a training callback that, every k epochs, records the Hessian spectrum (full
 * eigendecomposition for small models, SLQ otherwise, within a budget of HVPs), the |lambda|
 * entropy, the mutual information with the previous snapshot (full mode), top eigenvalues, trace
 * and the river/valley summary, as JSON objects to a sink and/or a JSONL file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { eigSym } from './eig';
import { matrixEntropy, slqEntropy, type EntropyResult } from './entropy';
import { matrixFromMatVec } from './full-hessian';
import { modelHvp, type LossFn } from './hvp/hvp';
import { parameterCount } from './hvp/flatten';
import { mutualInformation, type MutualInformationResult } from './mutual-information';
import { riverValley, type RiverValleyOptions, type RiverValleySummary } from './river-valley';
import { slqQuadrature, type QuadratureRule } from './slq';

export interface HessianSnapshot {
  epoch: number;
  dim: number;
  method: 'full' | 'slq';
  hvps: number;
  seconds: number;
  entropy: EntropyResult;
  /** MI with the previous snapshot (full mode only; null otherwise or for the first snapshot). */
  mutualInformation: MutualInformationResult | null;
  /** Largest eigenvalues (descending): exact (full) or Ritz values of the first probe (SLQ). */
  topEigenvalues: number[];
  trace: number;
  /** Standard error of the SLQ trace across probes (0 in full mode). */
  traceStdErr: number;
  /** River/valley on the exact spectrum (full) or on the SLQ spectrum's dim quantiles (approximate). */
  riverValley: RiverValleySummary;
  /** Exact eigenvalues (ascending, full) or raw quadrature rules (SLQ); omitted with includeSpectrum: false. */
  spectrum?: { eigenvalues: number[] } | { quadrature: { nodes: number[]; weights: number[] }[] };
}

export interface HessianTrackerOptions {
  lossFn: LossFn;
  params: readonly tf.Variable[];
  /** Record every k epochs (epoch % every === 0). Default 1. */
  every?: number;
  /** 'auto' (default): full when dim <= fullMaxDim and dim <= maxHvps, else SLQ. */
  method?: 'auto' | 'full' | 'slq';
  /** Largest dimension for the full Hessian in auto mode (default 1500). */
  fullMaxDim?: number;
  /** Maximum HVPs per snapshot (default Infinity). SLQ steps/probes shrink to fit. */
  maxHvps?: number;
  slq?: { steps?: number; probes?: number };
  topK?: number;
  riverValley?: RiverValleyOptions;
  /** MI options, or false to skip MI (then eigenvectors are not needed: ~4x faster eigSym). */
  mutualInformation?: { alpha?: number; base?: number } | false;
  seed?: number;
  /** Receives every snapshot. */
  sink?: (snapshot: HessianSnapshot) => void;
  /** JSONL file rewritten atomically (temp + rename) after each snapshot. */
  path?: string;
  includeSpectrum?: boolean;
}

export class HessianTracker {
  readonly records: HessianSnapshot[] = [];
  private readonly options: HessianTrackerOptions;
  private readonly dim: number;
  private previousAbs: Float64Array | null = null;

  constructor(options: HessianTrackerOptions) {
    const every = options.every ?? 1;
    if (!Number.isInteger(every) || every < 1)
      throw new Error(`every must be a positive integer, got ${every}`);
    const maxHvps = options.maxHvps ?? Infinity;
    if (!(maxHvps >= 1)) throw new Error(`maxHvps must be >= 1, got ${maxHvps}`);
    if (options.method && !['auto', 'full', 'slq'].includes(options.method)) {
      throw new Error(`method must be 'auto', 'full' or 'slq', got ${String(options.method)}`);
    }
    this.options = options;
    this.dim = parameterCount(options.params);
    if (options.method === 'full' && this.dim > maxHvps) {
      throw new Error(
        `method 'full' needs ${this.dim} HVPs but maxHvps is ${maxHvps}; raise maxHvps or use 'slq'`,
      );
    }
  }

  /** Which method a snapshot will use. */
  get method(): 'full' | 'slq' {
    const m = this.options.method ?? 'auto';
    if (m !== 'auto') return m;
    const maxHvps = this.options.maxHvps ?? Infinity;
    return this.dim <= (this.options.fullMaxDim ?? 1500) && this.dim <= maxHvps ? 'full' : 'slq';
  }

  /** Call at the end of each epoch; records when epoch is a multiple of `every`. */
  onEpochEnd(epoch: number): HessianSnapshot | null {
    return epoch % (this.options.every ?? 1) === 0 ? this.snapshot(epoch) : null;
  }

  /** Records a snapshot now. */
  snapshot(epoch: number): HessianSnapshot {
    const start = Date.now();
    const matvec = modelHvp(this.options.lossFn, this.options.params);
    const base = this.method === 'full' ? this.fullSnapshot(epoch, matvec) : this.slqSnapshot(epoch, matvec);
    const snap: HessianSnapshot = { ...base, hvps: matvec.calls, seconds: (Date.now() - start) / 1000 };
    this.records.push(snap);
    this.options.sink?.(snap);
    if (this.options.path) writeJsonl(this.options.path, this.records);
    return snap;
  }

  private fullSnapshot(
    epoch: number,
    matvec: (v: Float64Array) => Float64Array,
  ): Omit<HessianSnapshot, 'hvps' | 'seconds'> {
    const n = this.dim;
    const H = matrixFromMatVec(matvec, n);
    const miOptions = this.options.mutualInformation;
    const { values, vectors } = eigSym(H, n, { vectors: miOptions !== false });
    let mi: MutualInformationResult | null = null;
    if (miOptions !== false) {
      // |H| = Q |Lambda| Q^T, kept for the MI with the next snapshot.
      const abs = new Float64Array(n * n);
      for (let k = 0; k < n; k++) {
        const a = Math.abs(values[k]);
        if (a === 0) continue;
        for (let i = 0; i < n; i++) {
          const s = a * vectors[k * n + i];
          if (s !== 0) for (let j = 0; j < n; j++) abs[i * n + j] += s * vectors[k * n + j];
        }
      }
      if (this.previousAbs)
        mi = mutualInformation(this.previousAbs, abs, n, { ...miOptions, absolute: false });
      this.previousAbs = abs;
    }
    let trace = 0;
    for (const v of values) trace += v;
    const desc = Array.from(values).reverse();
    return {
      epoch,
      dim: n,
      method: 'full',
      entropy: matrixEntropy(values),
      mutualInformation: mi,
      topEigenvalues: desc.slice(0, this.options.topK ?? 5),
      trace,
      traceStdErr: 0,
      riverValley: riverValley(values, this.options.riverValley),
      ...(this.options.includeSpectrum === false ? {} : { spectrum: { eigenvalues: Array.from(values) } }),
    };
  }

  private slqSnapshot(
    epoch: number,
    matvec: (v: Float64Array) => Float64Array,
  ): Omit<HessianSnapshot, 'hvps' | 'seconds'> {
    const n = this.dim;
    const maxHvps = this.options.maxHvps ?? Infinity;
    const steps = Math.max(1, Math.min(this.options.slq?.steps ?? 30, n, maxHvps));
    const probes = Math.max(1, Math.min(this.options.slq?.probes ?? 5, Math.floor(maxHvps / steps)));
    const { quadrature } = slqQuadrature(matvec, n, {
      steps,
      probes,
      seed: (this.options.seed ?? 0) + epoch,
    });
    const perProbeTrace = quadrature.map((q) => n * q.nodes.reduce((s, x, k) => s + x * q.weights[k], 0));
    const trace = perProbeTrace.reduce((a, b) => a + b, 0) / probes;
    const sd =
      probes > 1
        ? Math.sqrt(perProbeTrace.reduce((a, b) => a + (b - trace) ** 2, 0) / (probes - 1) / probes)
        : NaN;
    const top = Array.from(quadrature[0].nodes).reverse();
    return {
      epoch,
      dim: n,
      method: 'slq',
      entropy: slqEntropy(quadrature, n),
      mutualInformation: null,
      topEigenvalues: top.slice(0, this.options.topK ?? 5),
      trace,
      traceStdErr: sd,
      riverValley: riverValley(quantileSpectrum(quadrature, n), this.options.riverValley),
      ...(this.options.includeSpectrum === false
        ? {}
        : {
            spectrum: {
              quadrature: quadrature.map((q) => ({
                nodes: Array.from(q.nodes),
                weights: Array.from(q.weights),
              })),
            },
          }),
    };
  }
}

/**
 * dim eigenvalues approximating the SLQ spectral measure: the (i + 1/2)/dim quantiles of the
 * probe-averaged discrete measure sum_k w_k delta(theta_k).
 */
export function quantileSpectrum(quadrature: readonly QuadratureRule[], dim: number): Float64Array {
  const atoms: { x: number; w: number }[] = [];
  for (const q of quadrature)
    for (let k = 0; k < q.nodes.length; k++)
      atoms.push({ x: q.nodes[k], w: q.weights[k] / quadrature.length });
  atoms.sort((a, b) => a.x - b.x);
  const total = atoms.reduce((s, a) => s + a.w, 0);
  const out = new Float64Array(dim);
  let cum = 0;
  let j = 0;
  for (let i = 0; i < dim; i++) {
    const target = ((i + 0.5) / dim) * total;
    while (j < atoms.length - 1 && cum + atoms[j].w < target) {
      cum += atoms[j].w;
      j++;
    }
    out[i] = atoms[j].x;
  }
  return out;
}

/** Rewrites the whole JSONL file through a temp file + rename, so readers never see a torn line. */
function writeJsonl(path: string, records: readonly HessianSnapshot[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  renameSync(tmp, path);
}
