import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { moduleFile } from '../../module-file';

/** How to install the peer on Debian/Ubuntu (torch linked against OpenBLAS, not the reference BLAS). */
export const PEER_INSTALL_HINT =
  'install it with `apt-get install -y python3-torch libopenblas0-pthread` (Debian/Ubuntu; use /usr/bin/python3) or `pip install torch`';

/** What the peer says about itself (torch_step.py `info`). */
export interface PeerInfo {
  torch: string;
  python: string;
  threads: number;
  blas: string;
  blasLibraries: string[];
  configBlas: string[];
  /** glibc's trim and mmap thresholds fixed by the peer (timings independent of what ran before). */
  mallocThresholdsPinned: boolean;
}

export type PeerStatus =
  | { available: true; info: PeerInfo; python: string; script: string }
  | { available: false; reason: string; python: string; script: string };

/** peers/torch_step.py next to the package (from src/experiments/perf/ or dist/); LOOP_BENCH_TORCH_PEER overrides. */
export function defaultPeerScript(): string {
  const env = process.env['LOOP_BENCH_TORCH_PEER'];
  if (env) return resolve(env);
  const here = dirname(moduleFile());
  const candidates = [
    join(here, '..', '..', '..', 'peers', 'torch_step.py'),
    join(here, '..', 'peers', 'torch_step.py'),
  ];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

/** A running `torch_step.py --serve`: one JSON request line in, one JSON line out. */
export class TorchPeer {
  private queue: Pending[] = [];
  private exited: string | null = null;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly info: PeerInfo,
  ) {}

  /**
   * Starts the peer; never throws: a missing python, a missing torch or a crash gives
   * `{ available: false, reason }` with the reason in words.
   */
  static async start(
    python: string,
    script: string,
    threads: number,
    timeoutMs = 120_000,
  ): Promise<{ status: PeerStatus; peer: TorchPeer | null }> {
    const fail = (reason: string) => ({
      status: { available: false as const, reason, python, script },
      peer: null,
    });
    if (!existsSync(script)) return fail(`peer script ${script} not found`);
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(python, [script, '--serve', '--threads', String(threads)], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      return fail(`cannot run ${python}: ${(err as Error).message}`);
    }
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<{ ok: true; line: string } | { ok: false; reason: string }>((done) => {
      const timer = setTimeout(
        () => done({ ok: false, reason: `no answer from ${python} within ${timeoutMs / 1000} s` }),
        timeoutMs,
      );
      child.once('error', (err) => {
        clearTimeout(timer);
        const code = (err as NodeJS.ErrnoException).code;
        done({
          ok: false,
          reason: code === 'ENOENT' ? `python not found: ${python}` : `cannot run ${python}: ${err.message}`,
        });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        setTimeout(
          () =>
            done({
              ok: false,
              reason: `${python} exited with code ${String(code)}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
            }),
          50,
        );
      });
      lines.once('line', (line) => {
        clearTimeout(timer);
        done({ ok: true, line });
      });
    });
    if (!first.ok) {
      child.kill();
      return fail(first.reason);
    }
    let head: Record<string, unknown>;
    try {
      head = JSON.parse(first.line) as Record<string, unknown>;
    } catch {
      child.kill();
      return fail(`peer printed non-JSON: ${first.line.slice(0, 200)}`);
    }
    if (head['ok'] !== true) {
      child.kill();
      return fail(typeof head['error'] === 'string' ? head['error'] : 'peer reported an error');
    }
    const info: PeerInfo = {
      torch: String(head['torch']),
      python: String(head['python']),
      threads: Number(head['threads']),
      blas: String(head['blas']),
      blasLibraries: (head['blasLibraries'] as string[]) ?? [],
      configBlas: (head['configBlas'] as string[]) ?? [],
      mallocThresholdsPinned: head['mallocThresholdsPinned'] === true,
    };
    const peer = new TorchPeer(child, info);
    child.removeAllListeners('exit');
    child.on('exit', (code) => {
      peer.exited = `peer exited with code ${String(code)}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`;
      for (const p of peer.queue.splice(0)) p.reject(new Error(peer.exited));
    });
    lines.on('line', (line) => {
      const p = peer.queue.shift();
      if (!p) return;
      try {
        const out = JSON.parse(line) as Record<string, unknown>;
        if (out['ok'] === true) p.resolve(out);
        else
          p.reject(
            new Error(`peer error: ${typeof out['error'] === 'string' ? out['error'] : JSON.stringify(out)}`),
          );
      } catch {
        p.reject(new Error(`peer printed non-JSON: ${line.slice(0, 200)}`));
      }
    });
    return { status: { available: true, info, python, script }, peer };
  }

  request(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }

  /** Times `repeats` training steps (after `warmup`) of a config; milliseconds per step. */
  async step(
    config: Record<string, unknown>,
    repeats: number,
    warmup: number,
    seed: number,
  ): Promise<{ ms: number[]; cpuMs: number[]; loss: number }> {
    const r = await this.request({ op: 'step', config, repeats, warmup, seed });
    return {
      ms: r['ms'] as number[],
      cpuMs: (r['cpuMs'] as number[] | undefined) ?? [],
      loss: Number(r['loss']),
    };
  }

  /**
   * Times `repeats` gradients (forward + backward) and HVPs (double backprop of <grad, v>) of a
   * config's step loss, alternately, after `warmup` pairs; milliseconds each. With `check`, also
   * the HVP's relative error against central differences of the gradient (float64, step 1e-6).
   */
  async hvp(
    config: Record<string, unknown>,
    repeats: number,
    warmup: number,
    seed: number,
    check = false,
  ): Promise<{ gradMs: number[]; hvpMs: number[]; checkRelErr: number | null }> {
    const r = await this.request({ op: 'hvp', config, repeats, warmup, seed, check });
    const err = r['checkRelErr'];
    return {
      gradMs: r['gradMs'] as number[],
      hvpMs: r['hvpMs'] as number[],
      checkRelErr: typeof err === 'number' ? err : null,
    };
  }

  async matmul(size: number, repeats: number): Promise<number[]> {
    const r = await this.request({ op: 'matmul', size, repeats });
    return r['ms'] as number[];
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}
