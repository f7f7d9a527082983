import { formatAdapter, initBackend, webgpuAdapter } from '@loop/models';
import type { BackendName } from './config/profiles';

/**
 * Chooses and initialises the tfjs backend through @loop/models' `initBackend` (which also
 * registers the project's gradient fixes) and returns the backend in use.
 */
export async function selectBackend(
  pref: BackendName,
  log: (line: string) => void,
  threads?: number | 'auto',
  verbose = false,
): Promise<string> {
  return initBackend(pref, { log, verbose, ...(threads !== undefined ? { threads } : {}) });
}

/** The backend as reports print it: on webgpu, with the adapter it ran on (GPU timings depend on it). */
export function describeBackend(backend: string): string {
  const a = backend === 'webgpu' ? webgpuAdapter() : null;
  return a === null ? backend : `webgpu (adapter: ${formatAdapter(a)})`;
}
