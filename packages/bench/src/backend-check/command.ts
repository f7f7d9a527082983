// `loop-bench check-backend [--backend B] [--json]`: is this backend correct here? Exit 0 when every
// check passes, 1 when one fails, 2 when the backend cannot start (the reason on one line).
import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, type BackendName } from '../config/profiles';
import { ConfigError } from '../config/resolve';
import { checkBackend } from './compare';

interface CheckFlags {
  backend: string;
  json?: boolean;
  verbose?: boolean;
}

export function installCheckBackendCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('check-backend')
    .description(
      "compare a backend with tfjs' cpu backend on a small looped GPT: logits, gradients, a Hessian-vector product, adaptive stopping, a checkpoint and training steps",
    )
    .addOption(
      new Option('-b, --backend <backend>', `tfjs backend: ${BACKEND_NAMES.join('|')}`).default('auto'),
    )
    .option('--json', 'print the checks as JSON')
    .option('--verbose', "also log the backends 'auto' skipped and tfjs' own warnings")
    .action(async (raw) => {
      const flags = raw as CheckFlags;
      if (!(BACKEND_NAMES as readonly string[]).includes(flags.backend))
        throw new ConfigError(`--backend ${flags.backend}: expected one of ${BACKEND_NAMES.join(', ')}`);
      if (!flags.verbose) tf.env().set('PROD', true);
      const { selectBackend } = await import('../backend');
      const start = async (b: BackendName): Promise<string> => {
        let line = '';
        try {
          await selectBackend(
            b,
            (l) => {
              // The last line names the choice; with --verbose the skipped ones come first.
              if (flags.verbose) process.stderr.write(`${l}\n`);
              line = l;
            },
            undefined,
            flags.verbose === true,
          );
        } catch (err) {
          throw new ConfigError(`--backend ${b}: ${(err as Error).message.split('\n')[0]}`);
        }
        return line;
      };
      const result = await checkBackend(flags.backend as BackendName, start);
      const failed = result.checks.filter((c) => !c.ok).length;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        process.stdout.write(`${result.started}\n`);
        for (const c of result.checks)
          process.stdout.write(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}\n`);
        process.stdout.write(
          `check-backend ${result.backend}: ${result.checks.length - failed} passed, ${failed} failed\n`,
        );
      }
      setExit(failed > 0 ? 1 : 0);
    });
}
