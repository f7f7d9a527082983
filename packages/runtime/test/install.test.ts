import * as tf from '@tensorflow/tfjs';
import {
  arithmeticGradientsRegistered,
  fastGradientsInstalled,
  installRuntime,
  isFastMatMulGradientRegistered,
  isSecondOrderEnabled,
  wasmKernelsRegistered,
} from '../src';

// installRuntime against what it claims: the registry and engine state it reports, and behaviour
// against a closed form. Stock tfjs' tape walk loses the second derivative through a kernel that
// saves its output (Tanh); tanh''(x) = -2 tanh(x) (1 - tanh(x)^2) is the oracle. Jest gives this file
// its own tfjs, so it starts from stock tfjs.

const quiet = { log: () => {} };
const X = [-1.5, -0.3, 0.4, 2];
const closedForm = X.map((x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2));

/** tanh'' at X by double backpropagation; null where tfjs finds no path (stock: "Cannot compute gradient"). */
function tanhSecondDerivative(): number[] | null {
  const x = tf.tensor1d(X);
  try {
    const d2 = tf.grad((t: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.tanh(u)))(t)))(x);
    const out = Array.from(d2.dataSync());
    d2.dispose();
    return out;
  } catch (err) {
    if (!/Cannot compute gradient/.test(String(err))) throw err;
    return null;
  } finally {
    x.dispose();
  }
}

const exact = (got: number[] | null): boolean =>
  got !== null && got.every((v, i) => Math.abs(v - closedForm[i]!) < 1e-5);

describe('installRuntime', () => {
  it('installs only what is asked, reports it, and undoes it (cpu)', async () => {
    const stockMatMul = tf.getGradient('BatchMatMul');
    const bare = await installRuntime({ ...quiet, backend: 'cpu', fastTape: false });
    expect(bare.backend).toBe('cpu');
    expect(bare.gradients).toEqual([]);
    expect(bare.fastTape).toBe(false);
    expect(bare.wasmThreads).toBeNull();
    expect(exact(tanhSecondDerivative())).toBe(false); // stock tfjs drops the path

    const full = await installRuntime({ ...quiet, backend: 'cpu', secondOrder: true });
    expect(full.gradients).toEqual(
      expect.arrayContaining(['BatchMatMul', 'Add', 'Sum', 'Tanh', 'Exp', 'Max']),
    );
    expect(full.fastTape).toBe(true);
    expect([
      fastGradientsInstalled(),
      isFastMatMulGradientRegistered(),
      arithmeticGradientsRegistered(),
    ]).toEqual([true, true, true]);
    expect(isSecondOrderEnabled()).toBe(true);
    expect(exact(tanhSecondDerivative())).toBe(true);

    full.uninstall();
    full.uninstall(); // idempotent
    expect([
      fastGradientsInstalled(),
      isFastMatMulGradientRegistered(),
      arithmeticGradientsRegistered(),
    ]).toEqual([false, false, false]);
    expect(isSecondOrderEnabled()).toBe(false);
    expect(tf.getGradient('BatchMatMul')).toBe(stockMatMul);
    expect(exact(tanhSecondDerivative())).toBe(false);
  });

  it('installs again after an uninstall, and the fast walk alone keeps the second derivative', async () => {
    const again = await installRuntime({ ...quiet, backend: 'cpu' });
    expect(again.fastTape).toBe(true);
    expect(isSecondOrderEnabled()).toBe(false);
    expect(exact(tanhSecondDerivative())).toBe(true);
    again.uninstall();
    expect(fastGradientsInstalled()).toBe(false);
  });

  it('registers the wasm kernels only with native, and takes them back', async () => {
    const plain = await installRuntime({ ...quiet, backend: 'wasm', native: false, fastTape: false });
    expect(plain.backend).toBe('wasm');
    expect(plain.wasmThreads).toBe(1);
    expect(wasmKernelsRegistered()).toBe(false);
    expect(plain.nativeKernels).toBe(false);
    const fast = await installRuntime({ ...quiet, backend: 'wasm' });
    expect(fast.nativeKernels).toBe(true);
    fast.uninstall();
    expect(wasmKernelsRegistered()).toBe(false);
    // a product still runs, on tfjs' own kernel
    const p = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(p.dataSync())).toEqual([11]);
  });
});
