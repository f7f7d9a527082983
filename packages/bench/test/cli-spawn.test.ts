import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PKG, runTs } from './helpers';

describe('CLI in a spawned process (charts, report, tensorboard)', () => {
  test('demo experiment writes SVG/PNG figures, a self-contained HTML report and event files', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-spawn-')), 'run');
    const r = runTs('test/fixtures/demo-cli.ts', [
      'demo',
      '--profile',
      'smoke',
      '--out',
      out,
      '--tensorboard',
    ]);
    expect(r.err).not.toContain('could not be rendered');
    expect(r.code).toBe(0);
    const svg = readFileSync(join(out, 'figures', 'loss.svg'), 'utf8');
    expect(svg).toMatch(/<svg[\s\S]*<\/svg>/);
    const png = readFileSync(join(out, 'figures', 'loss.png'));
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]); // PNG signature
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/(src|href)="https?:/); // nothing fetched from the network
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('![loss](figures/loss.svg)');
    const tb = join(out, 'tensorboard', 'm', 'seed0');
    expect(existsSync(tb)).toBe(true);
    expect(readdirSync(tb)[0]).toMatch(/^events\.out\.tfevents\./);
    expect(r.out).toContain('Summary');
    expect(r.err).toContain('backend none');
  });

  test('a reader that closes stdout early (loop-bench --help | head -1) is not an error', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=@loop/source', '--import', 'tsx', 'src/cli.ts', '--help'],
      {
        cwd: PKG,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Like `| head -1` once head has exited: the reading end is closed before the help is written.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
