import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src';

describe('initBackend', () => {
  it("'auto' falls back to wasm here and names what it tried", async () => {
    const lines: string[] = [];
    const name = await initBackend('auto', { log: (m) => lines.push(m) });
    expect(name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const text = lines.join('\n');
    expect(text).toMatch(/tensorflow-gpu unavailable/);
    expect(text).toMatch(/tfjs-node-gpu/);
    expect(text).toMatch(/tensorflow unavailable/);
    expect(text).toMatch(/backend: wasm/);
    // a real op runs on it
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(y.dataSync())).toEqual([11]);
  });

  it('an explicit preference that is missing throws with install instructions', async () => {
    await expect(initBackend('tensorflow', { log: () => {} })).rejects.toThrow(
      /npm install @tensorflow\/tfjs-node/,
    );
  });

  it('rejects an unknown preference naming the allowed values', async () => {
    await expect(initBackend('gpu' as never, { log: () => {} })).rejects.toThrow(/auto, tensorflow-gpu/);
  });

  it("'cpu' works", async () => {
    expect(await initBackend('cpu', { log: () => {} })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
