import { fileURLToPath } from 'node:url';

/** This module's file in the ESM and CJS builds and under jest/tsx (src/ or dist/: callers look around it). */
export function moduleFile(): string {
  if (typeof __filename === 'string' && __filename.length > 0) return __filename;
  return fileURLToPath(import.meta.url);
}
