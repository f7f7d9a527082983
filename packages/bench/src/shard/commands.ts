// CLI wiring of the sweep options: `--task` and `--shard i/n` on `algorithmic` and `reproduce`, and
// `loop-bench merge DIR... --out OUT`, which combines shard folders into the unsharded report.

import type { Command } from '@commander-js/extra-typings';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { TASK_NAMES } from '@loop/tasks';
import { BACKEND_NAMES } from '../config/profiles';
import { ConfigError, readConfigFile, validateCliOptions } from '../config/resolve';
import { algorithmicUnits } from '../experiments/algorithmic/index';
import type { AlgorithmicConfig } from '../experiments/algorithmic/config';
import { EXPERIMENTS } from '../experiments/registry';
import { checkRunDir, RUN_DIR_ENTRIES, RunDirError } from '../io/run-dir';
import { createLogger } from '../log';
import { runExperiment } from '../runner';
import { parseShard } from './shard';

/** `--task a,b|all` to a task list (ConfigError naming the bad name). */
export function parseTasks(text: string): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.includes('all')) return [...TASK_NAMES];
  for (const n of names) {
    if (!(TASK_NAMES as readonly string[]).includes(n))
      throw new ConfigError(`--task ${text}: unknown task '${n}'; allowed: ${TASK_NAMES.join(', ')}, all`);
  }
  if (names.length === 0)
    throw new ConfigError(`--task ${text}: give a task name, a comma-separated list or all`);
  return TASK_NAMES.filter((t) => names.includes(t));
}

function streams(program: Command): { stdout: Writable; stderr: Writable } {
  const out = program.configureOutput();
  const w = (which: 'writeOut' | 'writeErr', fallback: NodeJS.WriteStream): Writable =>
    new Writable({
      write(chunk: Buffer | string, _e, cb) {
        const text = chunk.toString();
        if (out[which]) out[which](text);
        else fallback.write(text);
        cb();
      },
    });
  return { stdout: w('writeOut', process.stdout), stderr: w('writeErr', process.stderr) };
}

/** Adds --shard to the `algorithmic`, `reproduce` and `markov` commands, and --task to the first two. */
export function installSweepOptions(program: Command, setExit: (code: number) => void): void {
  for (const name of ['algorithmic', 'reproduce', 'markov']) {
    const cmd = program.commands.find((c) => c.name() === name);
    const experiment = EXPERIMENTS.find((e) => e.name === name);
    if (!cmd || !experiment) continue;
    if (name !== 'markov')
      cmd.option(
        '--task <tasks>',
        `algorithmic tasks: ${TASK_NAMES.join('|')}|all, or a comma-separated list`,
      );
    cmd.option(
      '--shard <i/n>',
      name === 'markov'
        ? 'run the (language x seed) replicates with index = i mod n (0-based); combine with `loop-bench merge`'
        : 'run shard i of n (0-based) of the (task x method x seed) sweep, split task by task so the shards cost about the same',
    );
    cmd.action(async () => {
      const { task, shard, ...rest } = cmd.opts() as { task?: string; shard?: string } & Record<
        string,
        unknown
      >;
      const options = validateCliOptions(rest);
      const file: Record<string, unknown> = options.config ? readConfigFile(options.config) : {};
      if (task !== undefined) file['tasks'] = parseTasks(task);
      if (shard !== undefined) {
        parseShard(shard);
        file['shard'] = shard;
      }
      const { stdout, stderr } = streams(program);
      const logger = createLogger({ quiet: options.quiet, stream: stderr });
      const command = ['loop-bench', ...process.argv.slice(2)].join(' ');
      await runExperiment(experiment, { command, stdout, logger, options, file });
      setExit(0);
    });
  }
}

interface ShardConfig {
  experiment: string;
  profile: string;
  seed: number;
  seeds: number[];
  config: Record<string, unknown> & { shard?: string | null };
  backend: string;
}

function readShardConfig(dir: string): ShardConfig {
  const p = join(dir, 'config.json');
  if (!existsSync(p)) throw new RunDirError(`merge ${dir}: no config.json (not a loop-bench run folder)`);
  return JSON.parse(readFileSync(p, 'utf8')) as ShardConfig;
}

function copyUnits(fromDir: string, toDir: string): void {
  const from = join(fromDir, 'units');
  if (!existsSync(from)) return;
  mkdirSync(join(toDir, 'units'), { recursive: true });
  for (const f of readdirSync(from))
    if (f.endsWith('.json')) copyFileSync(join(from, f), join(toDir, 'units', f));
  // Saved final weights (algorithmic: weights/<unit>/) travel with their units.
  const weights = join(fromDir, 'weights');
  if (existsSync(weights)) cpSync(weights, join(toDir, 'weights'), { recursive: true });
}

/** Every planned algorithmic unit must be in `dir/units`; otherwise nothing would be trained silently. */
function checkAlgorithmicUnits(dir: string, cfg: ShardConfig): void {
  const plan = algorithmicUnits(cfg.config as unknown as AlgorithmicConfig, cfg.seeds);
  const missing = plan.filter((u) => !existsSync(join(dir, 'units', `${u.key}.json`))).map((u) => u.key);
  if (missing.length > 0) {
    throw new RunDirError(
      `merge: ${missing.length} unit(s) missing from the shard folders: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}; run (or --resume) the shards that own them`,
    );
  }
}

/**
 * Combines shard folders: checks they are the shards 0..n-1 of one run (same experiment, profile,
 * seeds and config), copies their finished units into OUT, then runs the experiment with --resume
 * and no shard, which loads every unit and writes the full report exactly as an unsharded run.
 */
export async function mergeShards(
  dirs: string[],
  out: string,
  opts: { force: boolean; quiet: boolean; stdout: Writable; stderr: Writable; command: string },
): Promise<void> {
  if (dirs.length === 0) throw new ConfigError('merge: give at least one shard folder');
  const configs = dirs.map(readShardConfig);
  const first = configs[0]!;
  const core = (c: ShardConfig) =>
    JSON.stringify({
      e: c.experiment,
      p: c.profile,
      s: c.seed,
      ss: c.seeds,
      c: { ...c.config, shard: null },
    });
  configs.forEach((c, i) => {
    if (core(c) !== core(first))
      throw new ConfigError(
        `merge: ${dirs[i]} is not a shard of the same run as ${dirs[0]} (experiment, profile, seeds or config differ)`,
      );
  });
  const shards = configs.map((c) => parseShard(c.config.shard ?? null));
  const n = shards[0]?.count ?? 1;
  const seen = new Set<number>();
  shards.forEach((s, i) => {
    if ((s?.count ?? 1) !== n)
      throw new ConfigError(
        `merge: ${dirs[i]} is shard ${s ? `${s.index}/${s.count}` : 'all'}, others have n = ${n}`,
      );
    seen.add(s?.index ?? 0);
  });
  const absent = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
  if (absent.length > 0)
    throw new ConfigError(
      `merge: shard(s) ${absent.map((i) => `${i}/${n}`).join(', ')} missing; give all ${n} shard folders`,
    );
  const experiment = EXPERIMENTS.find((e) => e.name === first.experiment);
  if (!experiment)
    throw new ConfigError(`merge: experiment '${first.experiment}' of ${dirs[0]} is not registered`);

  checkRunDir(out, opts.force ? 'force' : 'fresh');
  const outPath = resolve(out);
  if (opts.force && existsSync(outPath)) {
    // Only loop-bench's own entries (run files and experiment subfolders) are removed.
    for (const e of [...RUN_DIR_ENTRIES, ...EXPERIMENTS.map((x) => x.name)])
      rmSync(join(outPath, e), { recursive: true, force: true });
  }
  mkdirSync(outPath, { recursive: true });
  if (first.experiment === 'reproduce') {
    for (const dir of dirs) {
      for (const sub of readdirSync(dir)) {
        const subDir = join(dir, sub);
        if (!statSync(subDir).isDirectory() || !existsSync(join(subDir, 'config.json'))) continue;
        if (sub === 'algorithmic') copyUnits(subDir, join(outPath, sub));
        else if (existsSync(join(subDir, 'results.json')) && !existsSync(join(outPath, sub, 'results.json')))
          cpSync(subDir, join(outPath, sub), { recursive: true });
      }
    }
    const algo = dirs.map((d) => join(d, 'algorithmic')).find((d) => existsSync(join(d, 'config.json')));
    if (algo) checkAlgorithmicUnits(join(outPath, 'algorithmic'), readShardConfig(algo));
  } else {
    for (const dir of dirs) copyUnits(dir, outPath);
    if (first.experiment === 'algorithmic') checkAlgorithmicUnits(outPath, first);
  }
  const backend = (BACKEND_NAMES as readonly string[]).includes(first.backend) ? first.backend : 'auto';
  const options = validateCliOptions({
    profile: first.profile,
    backend,
    out: outPath,
    seed: first.seed,
    seeds: first.seeds.length,
    resume: true,
    quiet: opts.quiet,
  });
  const logger = createLogger({ quiet: opts.quiet, stream: opts.stderr });
  await runExperiment(experiment, {
    options,
    file: { ...first.config, shard: null },
    stdout: opts.stdout,
    logger,
    command: opts.command,
  });
}

/** `loop-bench merge DIR... --out OUT`. */
export function installMergeCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description(
      'combine the shard folders of a --shard i/n sweep into one run folder and report (as the unsharded run)',
    )
    .argument('<dirs...>', 'the shard folders (all n of them)')
    .requiredOption('-o, --out <dir>', 'output folder of the merged run')
    .option('--force', 'overwrite the run files in a non-empty --out')
    .option('-q, --quiet', 'no progress bars or log lines')
    .action(async (dirs, o) => {
      const { stdout, stderr } = streams(program);
      await mergeShards(dirs, o.out, {
        force: o.force === true,
        quiet: o.quiet === true,
        stdout,
        stderr,
        command: ['loop-bench', ...process.argv.slice(2)].join(' '),
      });
      setExit(0);
    });
}
