import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { moduleFile } from './module-file';

/** Package version, printed by `loop-bench --version` (kept equal to package.json by a test). */
export const VERSION = '0.1.0';

/**
 * The git commit of the loop-bench code that runs (`<sha>`, with `+dirty` when files under
 * packages/ differ from it), or null outside a git checkout (an installed package).
 */
export function gitCommit(): string | null {
  try {
    const cwd = dirname(moduleFile());
    const git = (args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 5000 });
    const head = git(['rev-parse', 'HEAD']);
    if (head.status !== 0) return null;
    const top = git(['rev-parse', '--show-toplevel']).stdout.trim();
    const dirty = git(['status', '--porcelain', '--', join(top, 'packages')]).stdout.trim().length > 0;
    return `${head.stdout.trim()}${dirty ? '+dirty' : ''}`;
  } catch {
    return null;
  }
}
