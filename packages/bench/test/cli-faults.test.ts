// Bad input and faults as a user meets them: one line naming the field or file and the fix, exit 2,
// no stack trace, and a folder that a failed start leaves byte for byte as it was.
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from './helpers';

const tmp = (name: string) => join(mkdtempSync(join(tmpdir(), `faults-${name}-`)), 'run');
const cli = (args: string[]) => runTs('src/cli.ts', [...args, '--quiet'], 180_000);

/** Every file under `dir` with its bytes, for before/after comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[p] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

/** The CLI refused with exit 2 and one line containing `text`, no stack trace. */
function refused(r: { code: number | null; err: string }, text: string | RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err).toMatch(text);
  expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

const config = (dir: string, value: object) => {
  const f = join(dir, '..', 'cfg.json');
  writeFileSync(f, JSON.stringify(value));
  return f;
};

describe('bad --out', () => {
  it('a broken symbolic link: refused, nothing created', () => {
    const out = tmp('link');
    symlinkSync(join(out, '..', 'missing', 'target'), out);
    refused(cli(['theory', '--profile', 'smoke', '--backend', 'cpu', '--out', out]), /--out .*symbolic link/);
    expect(existsSync(join(out, '..', 'missing'))).toBe(false);
  });
  it('a path below a file: refused before anything runs', () => {
    const file = join(tmp('file'), '..', 'plain.txt');
    writeFileSync(file, 'x');
    refused(
      cli(['theory', '--profile', 'smoke', '--backend', 'cpu', '--out', join(file, 'run')]),
      /cannot be created/,
    );
  });
});

describe('absurd values are refused up front (nothing written)', () => {
  it.each([
    [{ data: { size: 1e9 } }, /data\.size/],
    [{ train: { epochs: 1e12 } }, /train\.epochs/],
    [{ hessian: { samples: 5000 } }, /hessian\.samples \(5000\) must be at most data\.size \(200\)/],
  ])('%j', (value, message) => {
    const out = tmp('limits');
    refused(
      cli(['markov', '--profile', 'smoke', '--backend', 'cpu', '--config', config(out, value), '--out', out]),
      message,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('a missing backend', () => {
  it('--backend tensorflow-gpu where it is not installed: one line with the fix, nothing written', () => {
    let installed = true;
    try {
      require.resolve('@tensorflow/tfjs-node-gpu');
    } catch {
      installed = false;
    }
    if (installed) return; // then it is a real backend here, nothing to refuse
    const out = tmp('gpu');
    const r = cli(['theory', '--profile', 'smoke', '--backend', 'tensorflow-gpu', '--out', out]);
    refused(r, /^--backend tensorflow-gpu: .*npm install @tensorflow\/tfjs-node-gpu/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});

describe('--resume on a damaged or busy folder leaves it as it was', () => {
  const base = tmp('resume');
  const smoke = ['theory', '--profile', 'smoke', '--backend', 'cpu', '--out', base];
  beforeAll(() => {
    expect(cli(smoke).code).toBe(0);
  });

  it('a corrupt unit: names the file; metrics.jsonl and every other file untouched', () => {
    const unit = join(base, 'units', readdirSync(join(base, 'units'))[0]!);
    const good = readFileSync(unit);
    writeFileSync(unit, '{"key": "trunc');
    const before = snapshot(base);
    refused(
      cli([...smoke, '--resume']),
      new RegExp(`${unit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not readable JSON`),
    );
    expect(snapshot(base)).toEqual(before);
    writeFileSync(unit, good);
  });

  it('a corrupt config.json: names it, nothing changes', () => {
    const cfg = join(base, 'config.json');
    const good = readFileSync(cfg);
    writeFileSync(cfg, '{');
    const before = snapshot(base);
    refused(cli([...smoke, '--resume']), /config\.json: not readable JSON/);
    expect(snapshot(base)).toEqual(before);
    writeFileSync(cfg, good);
  });

  it('another backend than the units were computed on: refused', () => {
    const before = snapshot(base);
    const r = cli(['theory', '--profile', 'smoke', '--backend', 'wasm', '--out', base, '--resume']);
    refused(r, /computed on cpu, this run is on wasm; pass --backend cpu/);
    expect(snapshot(base)).toEqual(before);
  });

  it('a second writer: refused while the first holds the lock; a dead holder is taken over', () => {
    const lock = join(base, '.loop-bench.lock');
    writeFileSync(lock, `${process.pid}\n`); // this test process: alive
    const before = snapshot(base);
    refused(
      cli([...smoke, '--resume']),
      new RegExp(`another loop-bench \\(pid ${process.pid}\\) is writing`),
    );
    expect(snapshot(base)).toEqual(before);
    writeFileSync(lock, '999999999\n'); // no such process
    expect(cli([...smoke, '--resume']).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
    unlinkSync(join(base, 'results.json'));
  });
});

describe('a truncated checkpoint', () => {
  it('names the file and says how to go on, exit 2', () => {
    const out = tmp('ckpt');
    const args = ['algorithmic', '--profile', 'smoke', '--backend', 'cpu', '--task', 'parity', '--out', out];
    expect(cli(args).code).toBe(0);
    // Unfinish the looped unit so --resume continues it from its checkpoint, then truncate that.
    unlinkSync(join(out, 'units', 'parity-looped-seed0.json'));
    const model = join(out, 'checkpoints', 'parity-looped-seed0', 'checkpoint', 'model.safetensors');
    truncateSync(model, 10);
    const r = cli([...args, '--resume']);
    refused(r, /model\.safetensors.*delete that checkpoint folder/);
  });
});
