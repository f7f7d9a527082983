// Measures model-side optimisation candidates for the looped GPT training step (forward + backward,
// no optimiser) against @loop/models' forward, alternating variants, and checks each is exact
// (same loss and gradients to float32 tolerance). The models helper owns that code; this script
// only reports. Usage:
//   node --conditions=@loop/source --import tsx tools/dev/perf-candidates.ts [backend] [C] [H] [T] [B] [loops] [rounds]
import * as tf from '@tensorflow/tfjs';
import {
  blockParams,
  causalMaskBias,
  createLoopedGPT,
  initBackend,
  layerNorm,
  readIn,
  readOut,
  stepLoss,
  type BlockParams,
} from '@loop/models';
import { randomBatch, gptConfigOf, type StepConfig } from '@loop/bench';
import { summarize } from '@loop/bench';

type Dims = { batch: number; seqLen: number; nHead: number };
interface Variant {
  gelu: 'tanh' | 'sigmoid';
  linear: 'add' | 'fused';
  heads: 'split3' | 'one5d';
}

const K = Math.sqrt(2 / Math.PI);

function gelu(x: tf.Tensor, v: Variant): tf.Tensor {
  const x3 = tf.mul(tf.mul(x, x), x);
  const inner = tf.mul(tf.add(x, tf.mul(x3, 0.044715)), K);
  // 0.5 (1 + tanh z) = sigmoid(2 z): same function, one kernel fewer, and Sigmoid is vectorised in XNNPACK.
  if (v.gelu === 'sigmoid') return tf.mul(x, tf.sigmoid(tf.mul(inner, 2)));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

function linear(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, v: Variant): tf.Tensor {
  if (v.linear === 'fused') return tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b });
  return tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b);
}

function attention(x: tf.Tensor, p: BlockParams, d: Dims, mask: tf.Tensor, v: Variant): tf.Tensor {
  const { batch: B, seqLen: T, nHead: H } = d;
  const C = x.shape[1] as number;
  const hd = C / H;
  const qkv = linear(x, p.attnW, p.attnB, v);
  let qh: tf.Tensor, kt: tf.Tensor, vh: tf.Tensor;
  if (v.heads === 'one5d') {
    // One transpose to [3, B, H, T, hd] instead of three; scale folded into the scores.
    const all = tf.transpose(tf.reshape(qkv, [B, T, 3, H, hd]), [2, 0, 3, 1, 4]);
    const [q, k, vv] = tf.split(all, 3, 0);
    qh = tf.reshape(q!, [B, H, T, hd]);
    kt = tf.transpose(tf.reshape(k!, [B, H, T, hd]), [0, 1, 3, 2]);
    vh = tf.reshape(vv!, [B, H, T, hd]);
    const scores = tf.add(tf.mul(tf.matMul(qh, kt), 1 / Math.sqrt(hd)), mask);
    const y = tf.matMul(tf.softmax(scores), vh);
    return linear(tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B * T, C]), p.attnProjW, p.attnProjB, v);
  }
  const [q, k, vv] = tf.split(qkv, 3, 1);
  qh = tf.transpose(tf.reshape(tf.mul(q!, 1 / Math.sqrt(hd)), [B, T, H, hd]), [0, 2, 1, 3]);
  kt = tf.transpose(tf.reshape(k!, [B, T, H, hd]), [0, 2, 3, 1]);
  vh = tf.transpose(tf.reshape(vv!, [B, T, H, hd]), [0, 2, 1, 3]);
  const y = tf.matMul(tf.softmax(tf.add(tf.matMul(qh, kt), mask)), vh);
  return linear(tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B * T, C]), p.attnProjW, p.attnProjB, v);
}

function block(x: tf.Tensor, p: BlockParams, d: Dims, mask: tf.Tensor, v: Variant): tf.Tensor {
  const x1 = tf.add(x, attention(layerNorm(x, p.ln1G, p.ln1B), p, d, mask, v));
  const h = gelu(linear(layerNorm(x1, p.ln2G, p.ln2B), p.fcW, p.fcB, v), v);
  return tf.add(x1, linear(h, p.fcProjW, p.fcProjB, v));
}

async function main() {
  const [backend = 'wasm', C = '64', H = '4', T = '21', B = '32', L = '1', R = '5'] = process.argv.slice(2);
  await initBackend(backend as 'wasm', { log: () => {} });
  const c: StepConfig = {
    name: 'c',
    nEmbd: +C,
    nHead: +H,
    nLayer: 1,
    seqLen: +T,
    batch: +B,
    loops: +L,
    vocabSize: 6,
  };
  const cfg = gptConfigOf(c);
  const model = createLoopedGPT(cfg, { seed: 0 });
  const data = randomBatch(c, 1);
  const names = model.variableNames;
  const pmap = (): Record<string, tf.Tensor> =>
    Object.fromEntries(names.map((n, i) => [n, model.variables[i]!]));
  const mask = causalMaskBias(c.seqLen);

  const forwardVariant = (v: Variant, tokens: tf.Tensor2D): tf.Tensor3D[] => {
    const p = pmap();
    const d = { batch: tokens.shape[0], seqLen: c.seqLen, nHead: c.nHead };
    const e = readIn(cfg, p, tokens);
    const out: tf.Tensor3D[] = [];
    let h: tf.Tensor = e;
    for (let t = 1; t <= c.loops; t++) {
      let u: tf.Tensor = t > 1 ? tf.add(h, e) : h;
      u = block(u, blockParams(p, 0), d, mask, v);
      h = layerNorm(u, p['ln_f.g']!, p['ln_f.b']!);
      out.push(readOut(cfg, p, h, tokens.shape[0], c.seqLen));
    }
    return out;
  };
  type Runner = () => { loss: number; grads: Float32Array };
  const run = (lossFn: () => tf.Scalar): { loss: number; grads: Float32Array } => {
    const { value, grads } = tf.variableGrads(lossFn, model.variables);
    const flat = tf.concat(model.variables.map((x) => tf.reshape(grads[x.name]!, [-1])));
    const out = { loss: value.dataSync()[0]!, grads: flat.dataSync() as Float32Array };
    tf.dispose([value, flat, ...Object.values(grads)]);
    return out;
  };
  const full =
    (fwd: (t: tf.Tensor2D) => tf.Tensor3D[]): Runner =>
    () =>
      run(() => stepLoss(fwd(data.tokens), data.target, data.mask, data.steps));
  // Micro-batching: two halves, each loss divided by the full token count so the sum is exact.
  const halves = (() => {
    const h = c.batch / 2;
    const sl = (x: tf.Tensor2D, i: number) => tf.slice(x, [i * h, 0], [h, c.seqLen]) as tf.Tensor2D;
    return [0, 1].map((i) => ({
      tokens: sl(data.tokens, i),
      target: sl(data.target, i),
      mask: sl(data.mask, i),
    }));
  })();
  const micro: Runner = () => {
    let loss = 0;
    let acc: Float32Array | null = null;
    for (const part of halves) {
      const r = run(() =>
        stepLoss(
          model.forward(part.tokens, { loops: c.loops }),
          part.target,
          part.mask,
          data.steps.slice(0, c.batch / 2),
          { denominator: c.batch * c.seqLen },
        ),
      );
      loss += r.loss;
      if (!acc) acc = r.grads.slice();
      else for (let i = 0; i < acc.length; i++) acc[i]! += r.grads[i]!;
    }
    return { loss, grads: acc! };
  };
  const base: Variant = { gelu: 'tanh', linear: 'add', heads: 'split3' };
  const variants: [string, Runner][] = [
    ['@loop/models forward (baseline)', full((t) => model.forward(t, { loops: c.loops }))],
    ['same code, re-implemented here', full((t) => forwardVariant(base, t))],
    ['GELU via sigmoid(2z)', full((t) => forwardVariant({ ...base, gelu: 'sigmoid' }, t))],
    ['tf.fused.matMul bias', full((t) => forwardVariant({ ...base, linear: 'fused' }, t))],
    ['one 5-D head transpose', full((t) => forwardVariant({ ...base, heads: 'one5d' }, t))],
    [
      'GELU sigmoid + 5-D heads',
      full((t) => forwardVariant({ ...base, gelu: 'sigmoid', heads: 'one5d' }, t)),
    ],
  ];
  if (c.batch % 2 === 0) variants.push(['2 micro-batches of B/2', micro]);
  const ref = variants[0]![1]();
  const times = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as number[]);
  const err = variants.map(([, r]) => {
    const o = r();
    let m = 0;
    let s = 0;
    for (let i = 0; i < o.grads.length; i++) {
      m = Math.max(m, Math.abs(o.grads[i]! - ref.grads[i]!));
      s = Math.max(s, Math.abs(ref.grads[i]!));
    }
    return { dLoss: Math.abs(o.loss - ref.loss), dGrad: m / s };
  });
  for (let r = 0; r < +R; r++) {
    // Rotate the order every round so no variant always runs first (order effects: GC, caches).
    const order = variants.map((_, i) => (i + r) % variants.length);
    order.forEach((i) => {
      const fn = variants[i]![1];
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      fn();
      const dc = process.cpuUsage(c0);
      times[i]!.push(performance.now() - t0);
      cpu[i]!.push((dc.user + dc.system) / 1000);
    });
  }
  const b0 = summarize(times[0]!).median;
  const c0 = summarize(cpu[0]!).median;
  console.log(
    `${backend} C${C} H${H} T${T} B${B} L${L}: forward+backward, median of ${R} alternating rounds; CPU ms (process user+sys) is robust to machine load, wall ms is not`,
  );
  variants.forEach(([name], i) => {
    const s = summarize(times[i]!);
    const c = summarize(cpu[i]!);
    console.log(
      `${name.padEnd(32)} cpu ${c.median.toFixed(1).padStart(7)} [${c.q1.toFixed(1)}-${c.q3.toFixed(1)}] x${(c.median / c0).toFixed(3)} | wall ${s.median.toFixed(1).padStart(7)} x${(s.median / b0).toFixed(3)} | dloss ${err[i]!.dLoss.toExponential(1)} rel grad err ${err[i]!.dGrad.toExponential(1)}`,
    );
  });
}
main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
