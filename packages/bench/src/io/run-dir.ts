import {
  accessSync,
  appendFileSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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
  'weights',
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
  let link = false;
  try {
    link = lstatSync(dir).isSymbolicLink();
  } catch {
    // nothing there
  }
  if (link && !existsSync(dir))
    throw new RunDirError(
      `--out ${dir}: is a symbolic link to a path that does not exist; fix the link or choose another path`,
    );
  if (!existsSync(dir)) {
    // The nearest existing ancestor must be a writable folder, or the run could not start.
    let up = resolve(dir);
    while (!existsSync(up) && dirname(up) !== up) up = dirname(up);
    const writable = (() => {
      try {
        accessSync(up, constants.W_OK);
        return statSync(up).isDirectory();
      } catch {
        return false;
      }
    })();
    if (!writable)
      throw new RunDirError(
        `--out ${dir}: cannot be created (${up} is not a writable folder); choose another path`,
      );
    return;
  }
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

/** The lock a writing run holds on its folder (a dot file: never counted as run content). */
export const LOCK_FILE = '.loop-bench.lock';
/** Where a resumed run collects its metrics until it finishes (the old metrics.jsonl stays until then). */
const PENDING_METRICS = '.metrics.jsonl.pending';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder's lock (refusing a second live writer, taking over a dead one's); returns its path. */
function acquireLock(path: string): string {
  const lock = join(path, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) {
        throw new RunDirError(
          `--out ${path}: another loop-bench (pid ${pid}) is writing to this folder; wait for it to finish or choose another folder`,
        );
      }
      rmSync(lock, { force: true }); // left by a run that died
    }
  }
  throw new RunDirError(`--out ${path}: could not take the folder's lock (${lock})`);
}

/**
 * A run folder: `config.json`, an append-only `metrics.jsonl`, `results.json`, `figures/`,
 * `units/` (finished resumable units), `report.md`/`report.html`. Every whole-file write is atomic
 * (temp file + rename); metrics lines are appended with a single write each. A writing run holds
 * `.loop-bench.lock`. A resumed run leaves `metrics.jsonl` as it was until `finish()`, so a resume
 * that fails changes nothing but adding the units it finished.
 */
export class RunDir {
  readonly path: string;
  private readonly metricsFile: string;
  private lock: string | null = null;
  private readonly releaseOnExit = (): void => this.release();

  private constructor(path: string, metricsFile = 'metrics.jsonl') {
    this.path = path;
    this.metricsFile = metricsFile;
  }

  /** Opens (creating) the folder after `checkRunDir` and takes its lock; `force` clears previous run files. */
  static open(dir: string, mode: OpenMode): RunDir {
    const path = resolve(dir);
    checkRunDir(path, mode);
    try {
      mkdirSync(path, { recursive: true });
    } catch (err) {
      throw new RunDirError(
        `--out ${dir}: cannot create the folder (${(err as Error).message}); choose another path`,
      );
    }
    const run = new RunDir(path, mode === 'resume' ? PENDING_METRICS : 'metrics.jsonl');
    run.lock = acquireLock(path);
    process.once('exit', run.releaseOnExit);
    if (mode === 'force') {
      for (const e of RUN_DIR_ENTRIES) rmSync(join(path, e), { recursive: true, force: true });
    }
    // Metrics are rebuilt on every run (on resume, finished units replay theirs).
    writeFileAtomic(join(path, run.metricsFile), '');
    return run;
  }

  /** Uses an existing run folder as it is (e.g. to rebuild its report); writes nothing. */
  static attach(dir: string): RunDir {
    return new RunDir(resolve(dir));
  }

  /** The run succeeded: a resumed run's metrics replace metrics.jsonl; the lock is released. */
  finish(): void {
    if (this.metricsFile !== 'metrics.jsonl')
      renameSync(this.file(this.metricsFile), this.file('metrics.jsonl'));
    this.release();
  }

  /** The run failed or ended: drops a resumed run's pending metrics and the lock. */
  release(): void {
    if (this.metricsFile !== 'metrics.jsonl') rmSync(this.file(this.metricsFile), { force: true });
    if (this.lock) rmSync(this.lock, { force: true });
    this.lock = null;
    process.removeListener('exit', this.releaseOnExit);
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
    return readJsonFile<T>(p);
  }

  exists(relPath: string): boolean {
    return existsSync(this.file(relPath));
  }

  /** Appends one JSON line to metrics.jsonl (one write call, O_APPEND). */
  appendMetric(record: object): void {
    appendFileSync(this.file(this.metricsFile), `${JSON.stringify(record)}\n`);
  }
}

/** A run folder's JSON file, or a RunDirError naming it when it cannot be read or parsed. */
export function readJsonFile<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new RunDirError(
      `${path}: not readable JSON (${(err as Error).message.split('\n')[0]}); delete it (a unit is then recomputed) or start over with --force`,
    );
  }
}
