/** Logger writing to stderr (stdout is kept for the final summary table). */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export function createLogger(options: { quiet?: boolean; stream?: NodeJS.WritableStream } = {}): Logger {
  const stream = options.stream ?? process.stderr;
  return {
    info: (m) => {
      if (!options.quiet) stream.write(`${m}\n`);
    },
    warn: (m) => {
      stream.write(`warning: ${m}\n`);
    },
  };
}
