// A Progress that remembers its open bars, so that a failed run can close them all: a bar left
// open keeps its timer, and so the process, alive.

import type { Progress, ProgressTask } from './progress';

/** Wraps a Progress so that every task still open can be closed at once. */
export function trackOpenTasks(inner: Progress): Progress & { closeAll(): void } {
  const open = new Set<ProgressTask>();
  return {
    start(label, total) {
      const task = inner.start(label, total);
      open.add(task);
      return {
        tick: (n, info) => task.tick(n, info),
        done: () => {
          open.delete(task);
          task.done();
        },
      };
    },
    closeAll() {
      for (const task of open) task.done();
      open.clear();
    },
  };
}
