/**
 * Run f with the environment switch `name` on (unset: the default) or off ('0'), then restore it:
 * how the tests compare a native kernel with tfjs' own path (LOOP_NATIVE_MATMUL, LOOP_NATIVE_GELU,
 * LOOP_NATIVE_SUM, LOOP_NATIVE_LAYERNORM) and tfjs' own tape walk (LOOP_FAST_TAPE).
 */
export function withSwitch<T>(name: string, on: boolean, f: () => T): T {
  const saved = process.env[name];
  if (on) delete process.env[name];
  else process.env[name] = '0';
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}
