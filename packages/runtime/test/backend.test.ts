import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src';

describe('initBackend', () => {
  it("'auto' falls back to wasm here and names what it tried (why each was skipped with verbose)", async () => {
    const lines: string[] = [];
    const name = await initBackend('auto', { log: (m) => lines.push(m), verbose: true });
    expect(name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const text = lines.join('\n');
    expect(text).toMatch(/tensorflow-gpu unavailable/);
    expect(text).toMatch(/tfjs-node-gpu/);
    expect(text).toMatch(/tensorflow unavailable/);
    expect(text).toMatch(/backend: wasm/);
    // Without verbose: one line, the choice, naming what was tried.
    const quiet: string[] = [];
    await initBackend('auto', { log: (m) => quiet.push(m) });
    expect(quiet).toHaveLength(1);
    expect(quiet[0]).toMatch(/backend: wasm .*after trying tensorflow-gpu, tensorflow/);
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
