#!/usr/bin/env node
// `npm start`: build the packages, then run the paper reproduction (quick profile) on the default
// embedded backend into runs/reproduce-quick/. Extra arguments go to loop-bench, e.g.
// `npm start -- --backend cpu`. A second `npm start` continues the run in that folder (an
// interrupted one where it stopped, a finished one by reloading its units); `npm start -- --fresh`
// starts over. `--no-build` skips the build (the CLI then runs from its sources if it was never built).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const take = (flag) => {
  const i = args.indexOf(flag);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
};
const fresh = take('--fresh');
const noBuild = take('--no-build');
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : 'runs/reproduce-quick';

// Ctrl-C reaches every process of the terminal's group: let the child stop, then say how to go on.
process.on('SIGINT', () => {});
function interrupted() {
  process.stderr.write(
    `\nnpm start: interrupted. Run \`npm start\` again to continue where it stopped (finished parts of ${out} are kept); \`npm start -- --fresh\` starts over.\n`,
  );
  process.exit(130);
}

function run(command, commandArgs, onRefused) {
  const r = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (r.signal === 'SIGINT' || r.status === 130) interrupted();
  if (r.status === 2 && onRefused) onRefused();
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!noBuild) {
  console.log('Building the packages (nx run-many -t build) ...');
  run('npx', ['nx', 'run-many', '-t', 'build', '--parallel=2']);
}
const chosen = args.includes('--force') || args.includes('--resume');
const continuing = !fresh && !chosen && existsSync(path.resolve(root, out, 'config.json'));
const mode = chosen ? [] : continuing ? ['--resume'] : ['--force'];
if (continuing) console.log(`Continuing the run in ${out} (\`npm start -- --fresh\` starts over) ...`);
run(
  'node',
  [
    path.join('packages', 'bench', 'bin', 'loop-bench.mjs'),
    'reproduce',
    '--profile',
    'quick',
    ...(outIndex >= 0 ? [] : ['--out', out]),
    ...mode,
    ...args,
  ],
  continuing
    ? () =>
        process.stderr.write(
          `npm start: the run in ${out} cannot be continued (above). \`npm start -- --fresh\` starts over in it; move the folder first to keep it.\n`,
        )
    : undefined,
);
