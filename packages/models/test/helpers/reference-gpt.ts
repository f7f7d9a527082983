/**
 * Independent float64 reference of the looped GPT-2 forward written from the specification in
 * plain JS loops (no tfjs), used as the oracle for the hand-computed forward, injection and
 * finite-difference tests.
 */
export type Weights = Record<string, { shape: number[]; data: Float64Array }>;

export interface RefConfig {
  vocabSize: number;
  nEmbd: number;
  nHead: number;
  nLayer: number;
  inputInjection: boolean;
  positional: 'none' | 'learned';
  readIn: 'onehot' | 'embedding';
  outputSize?: number;
}

const EPS = 1e-5;

function vecMat(
  x: number[],
  w: { shape: number[]; data: Float64Array },
  b?: { data: Float64Array },
): number[] {
  const [n, m] = w.shape;
  const out = new Array<number>(m).fill(0);
  for (let j = 0; j < m; j++) {
    let s = b ? b.data[j] : 0;
    for (let i = 0; i < n; i++) s += x[i] * w.data[i * m + j];
    out[j] = s;
  }
  return out;
}

function ln(x: number[], g: Float64Array, b: Float64Array): number[] {
  const n = x.length;
  const mu = x.reduce((a, v) => a + v, 0) / n;
  const v = x.reduce((a, xi) => a + (xi - mu) ** 2, 0) / n;
  return x.map((xi, i) => ((xi - mu) / Math.sqrt(v + EPS)) * g[i] + b[i]);
}

function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

function block(xs: number[][], W: Weights, i: number, H: number): number[][] {
  const p = (n: string): { shape: number[]; data: Float64Array } => W[`h.${i}.${n}`];
  const T = xs.length;
  const C = xs[0].length;
  const hd = C / H;
  const qkv = xs.map((x) =>
    vecMat(ln(x, p('ln_1.g').data, p('ln_1.b').data), p('attn.c_attn.w'), p('attn.c_attn.b')),
  );
  const y: number[][] = xs.map(() => new Array<number>(C).fill(0));
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      const scores: number[] = [];
      for (let s = 0; s <= t; s++) {
        let dot = 0;
        for (let k = 0; k < hd; k++) dot += qkv[t][h * hd + k] * qkv[s][C + h * hd + k];
        scores.push(dot / Math.sqrt(hd));
      }
      const mx = Math.max(...scores);
      const ex = scores.map((s) => Math.exp(s - mx));
      const z = ex.reduce((a, b) => a + b, 0);
      for (let s = 0; s <= t; s++)
        for (let k = 0; k < hd; k++) y[t][h * hd + k] += (ex[s] / z) * qkv[s][2 * C + h * hd + k];
    }
  }
  const x1 = xs.map((x, t) => {
    const a = vecMat(y[t], p('attn.c_proj.w'), p('attn.c_proj.b'));
    return x.map((v, j) => v + a[j]);
  });
  return x1.map((x) => {
    const hid = vecMat(ln(x, p('ln_2.g').data, p('ln_2.b').data), p('mlp.c_fc.w'), p('mlp.c_fc.b')).map(gelu);
    const m = vecMat(hid, p('mlp.c_proj.w'), p('mlp.c_proj.b'));
    return x.map((v, j) => v + m[j]);
  });
}

/** logits[loop][b][t][v] for tokens[b][t]. */
export function referenceForward(
  cfg: RefConfig,
  W: Weights,
  tokens: number[][],
  loops: number,
): number[][][][] {
  const out: number[][][][] = [];
  const perSample = tokens.map((seq) => {
    const e = seq.map((tok, t) => {
      const row = Array.from(
        { length: cfg.nEmbd },
        (_, j) => W['wte.w'].data[tok * cfg.nEmbd + j] + (cfg.readIn === 'onehot' ? W['wte.b'].data[j] : 0),
      );
      if (cfg.positional === 'learned')
        for (let j = 0; j < cfg.nEmbd; j++) row[j] += W['wpe.w'].data[t * cfg.nEmbd + j];
      return row;
    });
    const res: number[][][] = [];
    let h: number[][] = cfg.inputInjection ? e.map((r) => r.map(() => 0)) : e;
    for (let l = 0; l < loops; l++) {
      let u = cfg.inputInjection ? h.map((r, t) => r.map((v, j) => v + e[t][j])) : h;
      for (let i = 0; i < cfg.nLayer; i++) u = block(u, W, i, cfg.nHead);
      h = u.map((x) => ln(x, W['ln_f.g'].data, W['ln_f.b'].data));
      res.push(h.map((x) => vecMat(x, W['lm_head.w'], W['lm_head.b'])));
    }
    return res;
  });
  for (let l = 0; l < loops; l++) out.push(perSample.map((r) => r[l]));
  return out;
}

/** Reference step loss (token-mean CE over the mask, sample b at loop steps[b]). */
export function referenceStepLoss(
  cfg: RefConfig,
  W: Weights,
  tokens: number[][],
  target: number[][],
  mask: number[][],
  steps: number[],
): number {
  const loops = Math.max(...steps);
  const logits = referenceForward(cfg, W, tokens, loops);
  let total = 0;
  let count = 0;
  tokens.forEach((seq, b) => {
    seq.forEach((_, t) => {
      if (!mask[b][t]) return;
      const x = logits[steps[b] - 1][b][t];
      const mx = Math.max(...x);
      const lse = mx + Math.log(x.reduce((a, v) => a + Math.exp(v - mx), 0));
      total += (lse - x[target[b][t]]) * mask[b][t];
      count += mask[b][t];
    });
  });
  return total / count;
}
