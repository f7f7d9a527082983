/** Float64 vector helpers shared by the iterative estimators. */

/** A symmetric linear operator: returns H v (must not modify v). */
export type MatVec = (v: Float64Array) => Float64Array;

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** y += alpha * x, in place. */
export function axpy(alpha: number, x: ArrayLike<number>, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

export function scale(alpha: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = alpha * x[i];
  return y;
}

/** Classical Gram-Schmidt twice ("twice is enough") against an orthonormal list, in place. */
export function orthogonalize(v: Float64Array, basis: readonly Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) {
    for (const q of basis) axpy(-dot(q, v), q, v);
  }
}

/** Dense row-major n x n matrix-vector product, as a MatVec. */
export function denseMatVec(matrix: ArrayLike<number>, n: number): MatVec {
  if (matrix.length !== n * n) {
    throw new Error(`matrix must have n*n = ${n * n} entries, got ${matrix.length}`);
  }
  return (v) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) s += matrix[row + j] * v[j];
      out[i] = s;
    }
    return out;
  };
}

/** Validates a positive integer option and names it in the error. */
export function checkInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

export function checkVectorLength(name: string, v: ArrayLike<number>, n: number): void {
  if (v.length !== n) throw new Error(`${name} must have length ${n}, got ${v.length}`);
}
