import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from './atomic';

/** Entries a run folder may contain; `--force` removes only these (never unrelated files). */
export const RUN_DIR_ENTRIES = [
  'config.json',
  'metrics.jsonl',
  'results.json',
  'report.md',
  'report.html',
  'figures',
  'tensorboard',
  'units',
  'checkpoints',
] as const;

export type OpenMode = 'fresh' | 'force' | 'resume';

/** Thrown when the output folder cannot be used as asked; the CLI turns it into exit code 2. */
export class RunDirError extends Error {
  override name = 'RunDirError';
}

/**
 * Decides whether a run may use `dir`: a missing or empty folder is always fine; a non-empty one
 * needs `force` (its run files are removed first) or `resume` (kept, completed units reused).
 * Pure: inspects the folder but changes nothing, so the CLI can check before any work.
 */
export function checkRunDir(dir: string, mode: OpenMode): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw new RunDirError(`--out ${dir}: exists and is not a folder; choose another path`);
  }
  const entries = readdirSync(dir).filter((e) => !e.startsWith('.'));
  if (entries.length === 0 || mode !== 'fresh') return;
  throw new RunDirError(
    `--out ${dir}: folder is not empty (${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', ...' : ''}); ` +
      'pass --force to overwrite its run files, --resume to continue the run, or choose another folder',
  );
}

/**
 * A run folder: `config.json`, an append-only `metrics.jsonl`, `results.json`, `figures/`,
 * `units/` (finished resumable units), `report.md`/`report.html`. Every whole-file write is atomic
 * (temp file + rename); metrics lines are appended with a single write each.
 */
export class RunDir {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /** Opens (creating) the folder after `checkRunDir`; `force` clears previous run files. */
  static open(dir: string, mode: OpenMode): RunDir {
    const path = resolve(dir);
    checkRunDir(path, mode);
    mkdirSync(path, { recursive: true });
    if (mode === 'force') {
      for (const e of RUN_DIR_ENTRIES) rmSync(join(path, e), { recursive: true, force: true });
    }
    // metrics.jsonl is rebuilt on every run (on resume, finished units replay their metrics).
    writeFileAtomic(join(path, 'metrics.jsonl'), '');
    return new RunDir(path);
  }

  /** Uses an existing run folder as it is (e.g. to rebuild its report); writes nothing. */
  static attach(dir: string): RunDir {
    return new RunDir(resolve(dir));
  }

  file(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  writeJson(relPath: string, value: unknown): string {
    const p = this.file(relPath);
    writeJsonAtomic(p, value);
    return p;
  }

  writeText(relPath: string, text: string | Uint8Array): string {
    const p = this.file(relPath);
    writeFileAtomic(p, text);
    return p;
  }

  readJson<T = unknown>(relPath: string): T | undefined {
    const p = this.file(relPath);
    if (!existsSync(p)) return undefined;
    return JSON.parse(readFileSync(p, 'utf8')) as T;
  }

  exists(relPath: string): boolean {
    return existsSync(this.file(relPath));
  }

  /** Appends one JSON line to metrics.jsonl (one write call, O_APPEND). */
  appendMetric(record: object): void {
    appendFileSync(this.file('metrics.jsonl'), `${JSON.stringify(record)}\n`);
  }
}
