// `loop-bench eval RUN`: score the saved models of an algorithmic run at chosen lengths and loop
// counts (oracle T(n), every stopping rule, fixed loops) and show examples loop by loop.

import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import * as tf from '@tensorflow/tfjs';
import { STOPPING_RULES, type StoppingRule } from '@loop/models';
import { getTask } from '@loop/tasks';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { BACKEND_NAMES, type BackendName } from '../../config/profiles';
import { ConfigError } from '../../config/resolve';
import { RunDirError } from '../../io/run-dir';
import { renderTextTable, type Cell } from '../../summary-table';
import { evaluateUnit, loadUnit, savedUnits, showExamples, type EvalRow, type LoadedUnit } from './eval';

interface EvalFlags {
  unit: string;
  lengths?: string;
  size: string;
  dataSeed?: string;
  rules: string;
  patience?: string;
  loops?: string;
  show: string;
  showLength?: string;
  json?: boolean;
  backend: string;
  verbose?: boolean;
}

/** `1-20`, `1,2,5`, `8-12,20` -> sorted unique integers in [min, max]. */
export function parseIntList(flag: string, text: string, min: number, max: number): number[] {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || lo > hi || lo < min || hi > max)
      throw new ConfigError(
        `${flag} ${text}: expected integers or ranges in ${min}..${max}, e.g. 1-20 or 1,5,10`,
      );
    for (let x = lo; x <= hi; x++) out.add(x);
  }
  return [...out].sort((a, b) => a - b);
}

function parseRules(text: string): StoppingRule[] {
  if (text === 'all') return [...STOPPING_RULES];
  const rules = text.split(',').map((r) => r.trim());
  for (const r of rules)
    if (!(STOPPING_RULES as readonly string[]).includes(r))
      throw new ConfigError(
        `--rules ${text}: unknown rule ${r}; expected all or any of ${STOPPING_RULES.join(', ')}`,
      );
  return rules as StoppingRule[];
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function rowsTable(
  u: LoadedUnit,
  rows: EvalRow[],
  rules: readonly StoppingRule[],
  loops: readonly number[],
): string {
  const looped = u.loops !== '1';
  const columns = [
    'n',
    looped ? 'oracle T(n)' : 'one pass',
    ...(looped ? rules.map((r) => `${r} (loops)`) : []),
    ...loops.map((k) => `${k} loops`),
  ];
  const body: Cell[][] = rows.map((r) => [
    r.n,
    looped ? `${pct(r.oracle)} (${r.oracleLoops})` : pct(r.oracle),
    ...(looped ? rules.map((x) => `${pct(r.rules[x]!.acc)} (${r.rules[x]!.loops.toFixed(1)})`) : []),
    ...loops.map((k) => pct(r.fixed[String(k)]!)),
  ]);
  return renderTextTable({
    title: `${u.key}: step ${u.step}, trained on lengths 1..${u.maxTrainLength}, ${looped ? 'T(n) loops' : 'one pass'} (${u.source})`,
    columns,
    rows: body,
  });
}

export function installEvalCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('eval')
    .description('score the saved models of an algorithmic run at chosen lengths and loop counts')
    .argument('<run>', 'a folder written by loop-bench algorithmic (weights/ or checkpoints/ inside)')
    .option('-u, --unit <keys>', 'units to score, comma-separated (e.g. parity-looped-seed0), or all', 'all')
    .option('-l, --lengths <list>', "test lengths, e.g. 1-20 or 10,15,20 (default: the run's, 1..testLength)")
    .option('--size <n>', 'samples per length', '256')
    .option(
      '--data-seed <n>',
      "seed of the test samples (default: each unit's own seed, i.e. its run's test sets)",
    )
    .option('--rules <list>', `stopping rules: all or any of ${STOPPING_RULES.join(', ')}`, 'all')
    .option('--patience <k>', 'fixed-point rule: loops the answer must stay unchanged (default 3)')
    .option('--loops <list>', 'also score these fixed loop counts, e.g. 1,5,10')
    .option('--show <n>', 'print n examples with the answer after every loop', '0')
    .option('--show-length <n>', 'length of the examples --show prints (default the longest tested)')
    .option('--json', 'print the scores as JSON instead of tables')
    .addOption(
      new Option('-b, --backend <backend>', `tfjs backend: ${BACKEND_NAMES.join('|')}`).default('auto'),
    )
    .option('--verbose', "also log the backends 'auto' skipped and tfjs' own warnings")
    .action(async (runArg, raw) => {
      const flags = raw as EvalFlags;
      const run = resolve(runArg);
      if (!existsSync(run)) throw new RunDirError(`eval ${runArg}: no such folder`);
      if (!(BACKEND_NAMES as readonly string[]).includes(flags.backend))
        throw new ConfigError(`--backend ${flags.backend}: expected one of ${BACKEND_NAMES.join(', ')}`);
      const size = parseIntList('--size', flags.size, 1, 100_000)[0]!;
      const show = parseIntList('--show', flags.show, 0, 1000)[0]!;
      const rules = parseRules(flags.rules);
      const patience = flags.patience ? parseIntList('--patience', flags.patience, 1, 100)[0] : undefined;
      const loops = flags.loops ? parseIntList('--loops', flags.loops, 1, 1000) : [];
      const dataSeed = flags.dataSeed
        ? parseIntList('--data-seed', flags.dataSeed, 0, 2 ** 31)[0]
        : undefined;
      const available = savedUnits(run);
      const keys = flags.unit === 'all' ? available : flags.unit.split(',').map((k) => k.trim());
      if (keys.length === 0)
        throw new RunDirError(
          `eval ${runArg}: no saved models (weights/ or checkpoints/); train with loop-bench algorithmic first`,
        );

      if (!flags.verbose) tf.env().set('PROD', true);
      const { selectBackend } = await import('../../backend');
      try {
        await selectBackend(flags.backend as BackendName, () => undefined, undefined, flags.verbose === true);
      } catch (err) {
        throw new ConfigError(`--backend ${flags.backend}: ${(err as Error).message}`);
      }
      const out: unknown[] = [];
      for (const key of keys) {
        const u = await loadUnit(run, key);
        try {
          const task = getTask(u.task);
          const lengths = flags.lengths
            ? parseIntList('--lengths', flags.lengths, 1, task.maxLength)
            : Array.from({ length: Math.min(u.testLength, task.maxLength) }, (_, i) => i + 1);
          const seed = dataSeed ?? u.seed;
          const rows = evaluateUnit(u, {
            lengths,
            size,
            dataSeed: seed,
            rules,
            loops,
            ...(patience !== undefined ? { patience } : {}),
          });
          if (flags.json) {
            out.push({ unit: key, source: u.source, step: u.step, dataSeed: seed, size, rows });
          } else {
            process.stdout.write(rowsTable(u, rows, rules, loops));
            process.stdout.write(
              `(exact match over ${size} samples per length, data seed ${seed}; in brackets the mean loops used)\n\n`,
            );
          }
          if (show > 0) {
            const n = flags.showLength
              ? parseIntList('--show-length', flags.showLength, 1, task.maxLength)[0]!
              : lengths[lengths.length - 1]!;
            const lines = showExamples(u, n, show, {
              dataSeed: seed,
              rules,
              ...(patience !== undefined ? { patience } : {}),
            });
            (flags.json ? process.stderr : process.stdout).write(`${lines.join('\n')}\n\n`);
          }
        } finally {
          u.model.dispose();
        }
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      setExit(0);
    });
}
