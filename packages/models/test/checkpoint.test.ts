import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  assignVariables,
  createLoopedGPT,
  decodeSafetensors,
  encodeSafetensors,
  exportOptimizerState,
  GPTConfig,
  importOptimizerState,
  initBackend,
  loadCheckpoint,
  recoverCheckpointDir,
  saveCheckpoint,
  snapshotVariables,
  stepLoss,
} from '../src';
import { TINY_GPT } from './helpers/tiny-gpt';

let dir: string;
beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'loop-ckpt-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const cfg: GPTConfig = { ...TINY_GPT, vocabSize: 4 };
const x = (): tf.Tensor2D =>
  tf.tensor2d(
    [
      [0, 1, 2, 3],
      [1, 1, 0, 2],
    ],
    [2, 4],
    'int32',
  );
const y = (): tf.Tensor2D =>
  tf.tensor2d(
    [
      [1, 2, 3, 3],
      [1, 0, 2, 3],
    ],
    [2, 4],
    'int32',
  );
const m = (): tf.Tensor2D =>
  tf.tensor2d(
    [
      [0, 1, 1, 1],
      [0, 0, 1, 1],
    ],
    [2, 4],
  );
const trainStep = (model: ReturnType<typeof createLoopedGPT>, opt: tf.Optimizer): void => {
  tf.tidy(() => {
    opt.minimize(() => stepLoss(model.forward(x(), { loops: 2 }), y(), m(), [1, 2]), false, model.variables);
  });
};

describe('safetensors format', () => {
  it('writes the documented layout (8-byte LE length, JSON header, raw LE data) and reads it back', () => {
    const buf = encodeSafetensors({
      a: { shape: [2], data: new Float32Array([1.5, -2]) },
      b: { shape: [1, 1], data: new Int32Array([7]) },
    });
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(buf.subarray(8, 8 + n).toString());
    expect(header.a).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(header.b).toEqual({ dtype: 'I32', shape: [1, 1], data_offsets: [8, 12] });
    expect(buf.readFloatLE(8 + n)).toBe(1.5);
    expect(buf.readFloatLE(8 + n + 4)).toBe(-2);
    expect(buf.readInt32LE(8 + n + 8)).toBe(7);
    const back = decodeSafetensors(buf);
    expect(Array.from(back.tensors.a.data)).toEqual([1.5, -2]);
    expect(back.tensors.b.data).toBeInstanceOf(Int32Array);
  });

  it('rejects truncated and corrupt buffers clearly', () => {
    const buf = encodeSafetensors({ a: { shape: [4], data: new Float32Array(4) } });
    expect(() => decodeSafetensors(buf.subarray(0, 5))).toThrow(/truncated/);
    expect(() => decodeSafetensors(buf.subarray(0, buf.length - 3))).toThrow(/truncated/);
    const bad = Buffer.from(buf);
    bad.write('#', 9);
    expect(() => decodeSafetensors(bad)).toThrow(/corrupt header JSON/);
  });
});

describe('checkpoints', () => {
  it('round trip restores identical logits and an identical next training step', async () => {
    const a = createLoopedGPT(cfg, { seed: 1 });
    const optA = tf.train.adam(0.01);
    trainStep(a, optA);
    trainStep(a, optA);
    const ck = path.join(dir, 'run', 'ckpt');
    await saveCheckpoint(ck, {
      weights: snapshotVariables(a.variables, a.variableNames),
      config: cfg as unknown as Record<string, string>,
      step: 2,
      optimizer: await exportOptimizerState(optA, a.variables, a.variableNames, { name: 'adam', lr: 0.01 }),
      rng: { seed: 42, calls: 7 },
    });
    const entries = await fs.readdir(path.join(dir, 'run'));
    expect(entries).toEqual(['ckpt']); // no temp directories left behind

    const loaded = await loadCheckpoint(ck, { expectConfig: cfg as unknown as Record<string, string> });
    expect(loaded.step).toBe(2);
    expect(loaded.rng).toEqual({ seed: 42, calls: 7 });
    const b = createLoopedGPT(cfg, { seed: 99 });
    assignVariables(b.variables, loaded.weights, b.variableNames);
    const optB = tf.train.adam(0.01);
    await importOptimizerState(optB, b.variables, b.variableNames, loaded.optimizer!);

    const la = a.forward(x(), { loops: 2 })[1].dataSync();
    const lb = b.forward(x(), { loops: 2 })[1].dataSync();
    expect(Array.from(lb)).toEqual(Array.from(la));
    trainStep(a, optA);
    trainStep(b, optB);
    a.variables.forEach((v, i) =>
      expect(Array.from(b.variables[i].dataSync())).toEqual(Array.from(v.dataSync())),
    );
    // and the step really changed the weights (Adam state matters: a fresh Adam would differ)
    const c = createLoopedGPT(cfg, { seed: 5 });
    assignVariables(c.variables, loaded.weights, c.variableNames);
    trainStep(c, tf.train.adam(0.01));
    const differs = c.variables.some((v, i) =>
      Array.from(v.dataSync()).some((val, j) => val !== a.variables[i].dataSync()[j]),
    );
    expect(differs).toBe(true);

    // overwrite in place (atomic replace) works and keeps the directory clean
    await saveCheckpoint(ck, {
      weights: snapshotVariables(a.variables, a.variableNames),
      config: cfg as unknown as Record<string, string>,
      step: 3,
    });
    expect((await loadCheckpoint(ck)).step).toBe(3);
    expect(await fs.readdir(path.join(dir, 'run'))).toEqual(['ckpt']);
    [a, b, c].forEach((mdl) => mdl.dispose());
  });

  it('a truncated weights file, a corrupt state file and a mismatched config fail clearly', async () => {
    const a = createLoopedGPT(cfg, { seed: 1 });
    const ck = path.join(dir, 'bad');
    await saveCheckpoint(ck, {
      weights: snapshotVariables(a.variables, a.variableNames),
      config: cfg as unknown as Record<string, string>,
      step: 1,
    });
    await expect(
      loadCheckpoint(ck, { expectConfig: { ...cfg, nEmbd: 16 } as unknown as Record<string, string> }),
    ).rejects.toThrow(/config mismatch/);
    const file = path.join(ck, 'model.safetensors');
    const full = await fs.readFile(file);
    await fs.writeFile(file, full.subarray(0, full.length - 10));
    await expect(loadCheckpoint(ck)).rejects.toThrow(/model\.safetensors is truncated/);
    await fs.writeFile(path.join(ck, 'state.json'), '{"format": "loop-check');
    await expect(loadCheckpoint(ck)).rejects.toThrow(/state\.json is corrupt or truncated/);
    await expect(loadCheckpoint(path.join(dir, 'missing'))).rejects.toThrow(/cannot read .*state\.json/);
    const other = createLoopedGPT({ ...cfg, nEmbd: 4 }, { seed: 1 });
    expect(() =>
      assignVariables(other.variables, snapshotVariables(a.variables, a.variableNames), other.variableNames),
    ).toThrow(/has shape \[4, 8\] but the variable has \[4, 4\]/);
    a.dispose();
    other.dispose();
  });

  it('a kill between the two renames of a save loses nothing: the aside copy is put back', async () => {
    const a = createLoopedGPT(cfg, { seed: 3 });
    const ck = path.join(dir, 'crash');
    const weights = snapshotVariables(a.variables, a.variableNames);
    await saveCheckpoint(ck, { weights, config: null, step: 7 });
    // Simulate the crash window by hand: the previous checkpoint was moved aside, the new one
    // never renamed in.
    await fs.rename(ck, `${ck}.old-123-1000`);
    await fs.mkdir(`${ck}.tmp-123-1001`);
    expect(recoverCheckpointDir(ck)).toBe(true);
    const back = await loadCheckpoint(ck);
    expect(back.step).toBe(7);
    await expect(fs.stat(`${ck}.old-123-1000`)).rejects.toThrow();
    expect(recoverCheckpointDir(path.join(dir, 'never-written'))).toBe(false);
    a.dispose();
  });
});
