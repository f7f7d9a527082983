import cliProgress from 'cli-progress';

/** One task with a known amount of work (epochs, steps, units). */
export interface ProgressTask {
  /** Advances by `n` (default 1); `info` is shown after the bar (e.g. current loss). */
  tick(n?: number, info?: string): void;
  done(): void;
}

export interface Progress {
  start(label: string, total: number): ProgressTask;
}

/**
 * Progress bars on stderr. On a terminal: a live bar; otherwise (CI logs, redirected output)
 * cli-progress's noTTYOutput prints a readable line every `intervalMs`.
 */
export function createProgress(options: { quiet?: boolean; intervalMs?: number } = {}): Progress {
  return {
    start(label, total) {
      if (options.quiet) return { tick: () => undefined, done: () => undefined };
      const bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted} {info}`,
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: options.intervalMs ?? 5000,
          hideCursor: false,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(1, total), 0, { info: '' });
      let stopped = false;
      // Without a TTY, cli-progress prints from a timer, which never fires while synchronous
      // training blocks the event loop: print the periodic line from tick() instead.
      const interval = options.intervalMs ?? 5000;
      const tty = process.stderr.isTTY === true;
      let lastLine = Date.now();
      return {
        tick: (n = 1, info = '') => {
          bar.increment(n, { info });
          if (!tty && Date.now() - lastLine >= interval) {
            lastLine = Date.now();
            bar.render();
          }
        },
        done: () => {
          if (!stopped) bar.stop();
          stopped = true;
        },
      };
    },
  };
}

/** A Progress that prints nothing (tests, programmatic use). */
export const silentProgress: Progress = { start: () => ({ tick: () => undefined, done: () => undefined }) };
