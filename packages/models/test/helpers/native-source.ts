import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * SHA-256 of native/<name>.c followed by the local headers it includes, in order: what
 * scripts/build-native.mjs records in the generated module, so an edited source or shared header
 * without a rebuild fails the test.
 */
export function nativeSourceSha256(name: string): string {
  const dir = join(__dirname, '..', '..', 'native');
  const text = readFileSync(join(dir, `${name}.c`));
  const hash = createHash('sha256').update(text);
  for (const [, header] of text.toString('utf8').matchAll(/^#include "([^"]+)"/gm)) {
    hash.update(readFileSync(join(dir, header as string)));
  }
  return hash.digest('hex');
}
