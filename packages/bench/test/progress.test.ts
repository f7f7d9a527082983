import { createProgress } from '../src/progress';

// Training loops are synchronous, so timers never fire during them; without a TTY the periodic
// progress line must come from tick() itself.
it('prints periodic lines while the event loop is blocked (no TTY)', () => {
  const writes: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  const wasTTY = process.stderr.isTTY;
  Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
  try {
    const task = createProgress({ intervalMs: 40 }).start('busy', 10);
    for (let i = 0; i < 10; i++) {
      const until = Date.now() + 25;
      while (Date.now() < until) {
        // busy-wait: a synchronous training step
      }
      task.tick(1, `step ${i}`);
    }
    task.done();
  } finally {
    Object.defineProperty(process.stderr, 'isTTY', { value: wasTTY, configurable: true });
    spy.mockRestore();
  }
  const lines = writes
    .join('')
    .split('\n')
    .filter((l) => l.includes('busy ['));
  // 250 ms of blocked work at one line per 40 ms: the start line, >= 4 periodic ones, the final one.
  expect(lines.length).toBeGreaterThanOrEqual(5);
  expect(lines[lines.length - 1]).toContain('10/10');
});
