import { resolveWasmThreads } from '../src';

describe('resolveWasmThreads', () => {
  it('takes the option, else LOOP_WASM_THREADS, else 1', () => {
    expect(resolveWasmThreads(undefined, {})).toBe(1);
    expect(resolveWasmThreads(3, { LOOP_WASM_THREADS: '2' })).toBe(3);
    expect(resolveWasmThreads(undefined, { LOOP_WASM_THREADS: '2' })).toBe(2);
    const auto = resolveWasmThreads('auto', {});
    expect(auto).toBeGreaterThanOrEqual(1);
    expect(auto).toBeLessThanOrEqual(8);
  });

  it('names the field and the allowed values on bad input', () => {
    expect(() => resolveWasmThreads(0, {})).toThrow(
      /threads must be 'auto' or an integer in 1\.\.64; got '0'/,
    );
    expect(() => resolveWasmThreads(undefined, { LOOP_WASM_THREADS: 'many' })).toThrow(
      /LOOP_WASM_THREADS must be 'auto' or an integer/,
    );
  });
});
