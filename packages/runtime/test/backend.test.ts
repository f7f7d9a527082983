import * as tf from '@tensorflow/tfjs';
import { describeAdapter, initBackend } from '../src';

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
    // Here WebGPU is not installed, finds no adapter or only llvmpipe (which auto refuses), or, under
    // jest's CommonJS transform, cannot load the ES-module-only webgpu package.
    expect(text).toMatch(/webgpu unavailable \(/);
    expect(text).toMatch(/backend: wasm/);
    // Without verbose: one line, the choice, naming what was tried.
    const quiet: string[] = [];
    await initBackend('auto', { log: (m) => quiet.push(m) });
    expect(quiet).toHaveLength(1);
    expect(quiet[0]).toMatch(/backend: wasm .*after trying tensorflow-gpu, webgpu, tensorflow/);
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

  it('calls an adapter software only for CPU implementations (auto never picks those)', () => {
    const llvmpipe = {
      vendor: 'mesa',
      architecture: 'software',
      description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)',
    };
    expect(describeAdapter(llvmpipe, false).software).toBe(true);
    expect(
      describeAdapter({ vendor: 'google', description: 'SwiftShader Device (Subzero)' }, false).software,
    ).toBe(true);
    expect(describeAdapter({ vendor: 'mesa', description: 'lavapipe' }, false).software).toBe(true);
    const h100 = { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' };
    expect(describeAdapter(h100, false)).toEqual({ ...h100, software: false });
    expect(describeAdapter(h100, true).software).toBe(true); // Dawn's own fallback flag
    expect(describeAdapter({ vendor: 'amd', device: 'Radeon RX 7900' }, false).description).toBe(
      'Radeon RX 7900',
    );
  });

  it("'cpu' works", async () => {
    expect(await initBackend('cpu', { log: () => {} })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
