// FLOP estimates for the efficiency accounting (multiply-add = 2 FLOPs; backward ~ 2x forward,
// so one training step ~ 3x the forward pass). Only matmul-like terms are counted.

/** Minimal GPT shape needed for the estimate (a subset of @loop/models' GPTConfig). */
export interface GptShape {
  vocabSize: number;
  nEmbd: number;
  nLayer: number;
  outputSize?: number;
}

/**
 * Forward FLOPs of one loop of the block stack on `batch` sequences of `seqLen` tokens:
 * per layer and token 24 C^2 (qkv 6C^2, projection 2C^2, MLP 16C^2) + 4 T C (scores and weighted
 * sum), plus the read-out 2 C O per token (LN_f + head run after every loop).
 */
export function gptLoopFlops(config: GptShape, batch: number, seqLen: number): number {
  const C = config.nEmbd;
  const O = config.outputSize ?? config.vocabSize;
  const perToken = config.nLayer * (24 * C * C + 4 * seqLen * C) + 2 * C * O;
  return batch * seqLen * perToken;
}

/** Training FLOPs of one step: 3 x (read-in + loops x loop FLOPs). All samples run the batch's max loops. */
export function gptTrainFlops(config: GptShape, batch: number, seqLen: number, loops: number): number {
  const readIn = 2 * batch * seqLen * config.vocabSize * config.nEmbd;
  return 3 * (readIn + loops * gptLoopFlops(config, batch, seqLen));
}

/**
 * Training FLOPs of one step of the toy linear-attention model: per loop the query/key/value maps
 * (3 x 2 d^2 per token), scores and weighted sum (2 x 2 T d per token), then the head (2 d V).
 */
export function toyTrainFlops(
  dim: number,
  vocabSize: number,
  batch: number,
  seqLen: number,
  loops: number,
): number {
  const perLoop = batch * seqLen * (6 * dim * dim + 4 * seqLen * dim);
  const head = 2 * batch * dim * vocabSize;
  return 3 * (loops * perLoop + head);
}
