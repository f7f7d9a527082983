/**
 * Symmetric eigendecomposition in float64: Householder tridiagonalisation followed by the
 * implicit QL algorithm (the EISPACK tred2/tql2 pair as in JAMA), on flat Float64Arrays.
 * Flat storage and a transposed accumulator keep the inner loops contiguous, which is several
 * times faster than a Matrix-of-arrays implementation for the n ~ 1000 Hessians of toy models.
 */

export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** Eigenvectors, row k = unit eigenvector of values[k] (n x n, row-major); empty when not requested. */
  vectors: Float64Array;
  n: number;
}

export interface EigSymOptions {
  /** Compute eigenvectors (default true). Values only is O(n^2) after the O(n^3) reduction. */
  vectors?: boolean;
}

/** Eigen-decomposes the symmetric part (A + A^T)/2 of a row-major n x n matrix. */
export function eigSym(matrix: ArrayLike<number>, n: number, options: EigSymOptions = {}): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a positive integer, got ${n}`);
  if (matrix.length !== n * n)
    throw new Error(`matrix must have n*n = ${n * n} entries, got ${matrix.length}`);
  const wantVectors = options.vectors ?? true;
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = matrix[i * n + j];
      const b = matrix[j * n + i];
      if (!Number.isFinite(a)) throw new Error(`matrix[${i}][${j}] must be finite, got ${a}`);
      V[i * n + j] = 0.5 * (a + b);
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(V, d, e, n, wantVectors);
  // tred2 works on the transpose of JAMA's V, so eigenvector k is already row k.
  tql2(d, e, V, n, wantVectors);
  return { values: d, vectors: wantVectors ? V : new Float64Array(0), n };
}

/** Eigenvector k of an eigSym result as its own array. */
export function eigenvector(eig: SymmetricEigen, k: number): Float64Array {
  if (eig.vectors.length === 0) throw new Error('eigenvector: eigSym was called with { vectors: false }');
  return eig.vectors.slice(k * eig.n, (k + 1) * eig.n);
}

/** Eigen-decomposition of the symmetric tridiagonal matrix with diagonal alpha and off-diagonal beta. */
export function tridiagonalEig(
  alpha: ArrayLike<number>,
  beta: ArrayLike<number>,
  options: EigSymOptions = {},
): SymmetricEigen {
  const n = alpha.length;
  if (n < 1) throw new Error('tridiagonalEig: alpha must be non-empty');
  if (beta.length !== n - 1)
    throw new Error(`tridiagonalEig: beta must have length ${n - 1}, got ${beta.length}`);
  const wantVectors = options.vectors ?? true;
  const d = Float64Array.from(alpha);
  const e = new Float64Array(n);
  for (let i = 1; i < n; i++) e[i] = beta[i - 1];
  let W = new Float64Array(0);
  if (wantVectors) {
    W = new Float64Array(n * n);
    for (let i = 0; i < n; i++) W[i * n + i] = 1;
  }
  tql2(d, e, W, n, wantVectors);
  return { values: d, vectors: W, n };
}

/** JAMA's tred2 with every V[i][j] stored at V[j * n + i], so its inner k-loops run over contiguous memory. */
function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number, accumulate: boolean): void {
  for (let j = 0; j < n; j++) d[j] = V[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[j * n + i - 1];
        V[j * n + i] = 0;
        V[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[i * n + j] = f;
        g = e[j] + V[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[j * n + k] * d[k];
          e[k] += V[j * n + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[j * n + k] -= f * e[k] + g * d[k];
        d[j] = V[j * n + i - 1];
        V[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  if (!accumulate) {
    for (let j = 0; j < n; j++) d[j] = V[j * n + j];
    e[0] = 0;
    return;
  }
  for (let i = 0; i < n - 1; i++) {
    V[i * n + n - 1] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[(i + 1) * n + k] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[(i + 1) * n + k] * V[j * n + k];
        for (let k = 0; k <= i; k++) V[j * n + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[j * n + n - 1];
    V[j * n + n - 1] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on (d, e); W holds eigenvectors as ROWS (the transpose of JAMA's V). */
function tql2(d: Float64Array, e: Float64Array, W: Float64Array, n: number, accumulate: boolean): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 200) throw new Error('eigSym: QL iteration did not converge (non-finite input?)');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (accumulate) {
            const rowI = i * n;
            const rowI1 = (i + 1) * n;
            for (let k = 0; k < n; k++) {
              const hk = W[rowI1 + k];
              W[rowI1 + k] = s * W[rowI + k] + c * hk;
              W[rowI + k] = c * W[rowI + k] - s * hk;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  // Sort ascending (selection sort keeps vectors paired; O(n^2) swaps of rows at most).
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      if (accumulate) {
        for (let j = 0; j < n; j++) {
          const t = W[i * n + j];
          W[i * n + j] = W[k * n + j];
          W[k * n + j] = t;
        }
      }
    }
  }
}
