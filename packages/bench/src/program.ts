import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { CheckpointError } from '@loop/models';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BACKEND_NAMES, PROFILE_NAMES, PROFILE_PURPOSE, definedProfiles } from './config/profiles';
import { ConfigError, readConfigFile, validateCliOptions } from './config/resolve';
import type { Experiment } from './experiment';
import { EXPERIMENTS } from './experiments/registry';
import { createLogger } from './log';
import { RunDir, RunDirError } from './io/run-dir';
import { writeReport, runExperiment, type RunOptions } from './runner';
import type { ReportDocument } from './report/types';
import { VERSION } from './version';
import { installMergeCommand, installSweepOptions } from './shard/commands';
import { installEvalCommand } from './experiments/algorithmic/eval-command';
import { installCheckBackendCommand } from './backend-check/command';

/** Extra subcommands that are not experiments (e.g. `report`, `merge`); each gets the program. */
export type CommandInstaller = (program: Command, exit: (code: number) => void) => void;

export const COMMANDS: CommandInstaller[] = [
  installReportCommand,
  installSweepOptions,
  installMergeCommand,
  installEvalCommand,
  installCheckBackendCommand,
];

export interface MainOptions {
  experiments?: Experiment[];
  /** Overrides used by tests (backend initialiser, streams). */
  run?: Partial<Omit<RunOptions, 'options' | 'file'>>;
  stderr?: NodeJS.WritableStream;
  stdout?: NodeJS.WritableStream;
}

function profileHelp(e: Experiment): string {
  const lines = definedProfiles(e.profiles).map(
    (p) => `  ${p.padEnd(6)} ${e.profiles[p]!.why} (${e.profiles[p]!.seeds} seed(s))`,
  );
  return `\nProfiles:\n${lines.join('\n')}\n${e.help ? `\n${e.help}\n` : ''}`;
}

/**
 * The `loop-bench` program. Exit codes: 0 success (or --help/--version), 2 invalid input (options,
 * config, output folder; nothing is written), 1 failure during the run.
 */
export function buildProgram(opts: MainOptions, setExit: (code: number) => void): Command {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const program = new Command()
    .name('loop-bench')
    .description(
      'Experiments that replicate the looped-transformer paper (SHIFT): tables, figures and reports.',
    )
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) })
    .showHelpAfterError('(add --help for usage)');

  for (const e of opts.experiments ?? EXPERIMENTS) {
    const cmd = program
      .command(e.name)
      .description(e.summary)
      .addOption(
        new Option('-p, --profile <profile>', `size of the run: ${PROFILE_NAMES.join('|')}`).default('quick'),
      )
      .addOption(
        new Option('-b, --backend <backend>', `tfjs backend: ${BACKEND_NAMES.join('|')}`).default('auto'),
      )
      .option(
        '--threads <n>',
        'wasm backend threads: a count or auto = one per core (default: $LOOP_WASM_THREADS, else 1; more threads speed up n_embd >= 256 models and slow small ones)',
      )
      .option('-o, --out <dir>', 'output folder (default runs/<experiment>-<profile>)')
      .option('--seed <n>', 'first random seed (default 0)')
      .option('--seeds <k>', "number of seeds (seed, seed+1, ...; default: the profile's)")
      .option(
        '-c, --config <file>',
        'JSON file overriding any config field (strict: unknown keys are errors)',
      )
      .option('--force', 'overwrite the run files in a non-empty --out')
      .option('--resume', 'continue a run in --out, reusing its finished units')
      .option('--tensorboard', 'also write TensorBoard event files to <out>/tensorboard')
      .option('-q, --quiet', 'no progress bars or log lines (errors still shown)')
      .option('--verbose', "also log the backends 'auto' skipped and tfjs' own warnings")
      .addHelpText('after', profileHelp(e));
    const own = (e.flags ?? []).map((f) => ({ flag: f, option: new Option(f.flags, f.description) }));
    for (const { option } of own) cmd.addOption(option);
    cmd.action(async (raw: Record<string, unknown>) => {
      // Experiment flags become config fields on top of the --config file.
      const common: Record<string, unknown> = { ...raw };
      const fromFlags: Record<string, unknown> = {};
      for (const { flag, option } of own) {
        const key = option.attributeName();
        const value = common[key];
        delete common[key];
        if (typeof value === 'string') fromFlags[flag.field] = flag.parse ? flag.parse(value) : value;
      }
      const options = validateCliOptions(common);
      const read = options.config ? readConfigFile(options.config) : undefined;
      const file = Object.keys(fromFlags).length > 0 ? { ...(read ?? {}), ...fromFlags } : read;
      const command = ['loop-bench', ...process.argv.slice(2)].join(' ');
      const logger = createLogger({ quiet: options.quiet, stream: stderr });
      await runExperiment(e, { command, stdout, logger, ...opts.run, options, ...(file ? { file } : {}) });
      setExit(0);
    });
  }
  for (const install of COMMANDS) install(program, setExit);
  program.addHelpText(
    'after',
    `\nProfiles: ${PROFILE_NAMES.map((p) => `\n  ${p.padEnd(6)} ${PROFILE_PURPOSE[p]}`).join('')}\n\nExit codes: 0 ok, 1 run failed, 2 invalid input (nothing written).`,
  );
  return program;
}

/** `loop-bench report DIR`: rebuilds report.md and report.html from DIR/results.json and figures/. */
function installReportCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('rebuild report.md and report.html of a run folder from its results.json and figures')
    .argument('<dir>', 'a run folder written by loop-bench')
    .action((dirArg) => {
      const path = resolve(dirArg);
      if (!existsSync(join(path, 'results.json')))
        throw new RunDirError(`report ${dirArg}: no results.json in that folder`);
      const dir = RunDir.attach(path);
      const saved = dir.readJson<{
        experiment: string;
        profile: string;
        report: Omit<ReportDocument, 'title'>;
      }>('results.json')!;
      writeReport(dir, {
        title: `loop-bench ${saved.experiment} — profile ${saved.profile}`,
        ...saved.report,
      });
      setExit(0);
    });
}

/** Runs the CLI on `argv` (as process.argv) and returns the exit code; never calls process.exit. */
export async function main(argv: string[], opts: MainOptions = {}): Promise<number> {
  const stderr = opts.stderr ?? process.stderr;
  let code = 0;
  const program = buildProgram(opts, (c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok =
        ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code) ||
        err.exitCode === 0;
      return ok ? 0 : 2;
    }
    if (err instanceof ConfigError || err instanceof RunDirError) {
      stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof CheckpointError) {
      stderr.write(`${err.message}; delete that checkpoint folder to retrain its unit from the start\n`);
      return 2;
    }
    stderr.write(`loop-bench: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
