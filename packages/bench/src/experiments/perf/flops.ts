/**
 * Matmul FLOPs of one training step of the looped GPT (multiply-add = 2 FLOPs). Only matrix
 * products are counted (LayerNorm, softmax, GELU and AdamW are elementwise, O(N C) each, and are
 * left out, as in the usual "model FLOPs" convention), so achieved GFLOP/s = matmulFlops / time.
 *
 * With N = B*T tokens, C = n_embd, V = read-in width, O = read-out classes, T = seq, L = loops:
 *   read-in   one-hot [N,V] x [V,C]                         2 N V C       (once)
 *   per layer qkv 6 N C^2, attn proj 2 N C^2, MLP 16 N C^2   24 N C^2
 *             scores q k^T and att v (full T x T, causal mask added, not skipped)   4 B T^2 C
 *   head      [N,C] x [C,O] after every loop                2 N C O      (L times)
 * Backward of a product A W costs one product for dA and one for dW (each = forward FLOPs).
 * Exceptions, because tfjs only differentiates along paths to the variables:
 *   read-in: only dW (the one-hot input needs no gradient)  -> 1x forward
 *   heads of loops 1..L-1: not on the loss path when every sample is scored after L loops
 *                                                           -> 0x
 *   the last head                                           -> 2x
 * so train = 3 * L * nLayer * (24 N C^2 + 4 B T^2 C) + 2 * 2 N V C + (L + 2) * 2 N C O.
 */
export interface StepShape {
  batch: number;
  seqLen: number;
  nEmbd: number;
  nLayer: number;
  /** Read-in width (one-hot vocabulary). */
  vocabSize: number;
  /** Read-out classes (default vocabSize). */
  outputSize?: number;
  loops: number;
}

export interface StepFlops {
  forward: number;
  backward: number;
  total: number;
}

export function trainStepFlops(s: StepShape): StepFlops {
  for (const k of ['batch', 'seqLen', 'nEmbd', 'nLayer', 'vocabSize', 'loops'] as const) {
    const v = s[k];
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`trainStepFlops: ${k} must be a positive integer; got ${String(v)}`);
  }
  const { batch: B, seqLen: T, nEmbd: C, nLayer, vocabSize: V, loops: L } = s;
  const O = s.outputSize ?? V;
  const N = B * T;
  const readIn = 2 * N * V * C;
  const layer = 24 * N * C * C + 4 * B * T * T * C;
  const head = 2 * N * C * O;
  const forward = readIn + L * nLayer * layer + L * head;
  const backward = readIn + 2 * L * nLayer * layer + 2 * head;
  return { forward, backward, total: forward + backward };
}

/** FLOPs of an [m,k] x [k,n] product. */
export function matmulFlops(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}
