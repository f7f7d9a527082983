#!/usr/bin/env node
import { main } from './program';

// `loop-bench --help | head` closes stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`loop-bench: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
