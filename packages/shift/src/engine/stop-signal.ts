// A clean stop on request: SIGINT (unless handleSigint is false) and the caller's AbortSignal only
// set a flag; the loop checks it before the next step, then checkpoints and returns.

import type { LoopState } from './loop-state';
import type { Run } from './run-context';

/** Sets `s.stopRequested` on SIGINT or abort until `remove()` is called. */
export function listenForStop<B>(run: Run<B>, s: LoopState): { remove(): void } {
  const onStop = () => {
    s.stopRequested = true;
  };
  const { signal } = run.options;
  signal?.addEventListener('abort', onStop);
  const sigint = run.options.handleSigint ?? true;
  if (sigint) process.on('SIGINT', onStop);
  return {
    remove() {
      signal?.removeEventListener('abort', onStop);
      if (sigint) process.removeListener('SIGINT', onStop);
    },
  };
}
