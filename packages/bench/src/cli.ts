#!/usr/bin/env node
import { main } from './program';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`loop-bench: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
