// The WebGPU backend on a real device (Dawn's Node binding; in CI Mesa's llvmpipe Vulkan driver)
// against tfjs' cpu backend: logits, loss, gradients and a Hessian-vector product of a small looped
// GPT within float32 tolerance, adaptive stopping, a checkpoint round trip, the engine's training
// step and a flat tensor count. It runs `loop-bench check-backend --backend webgpu --json` in a
// child process: Dawn schedules its events on the real global setImmediate, which jest's sandbox
// does not expose to the test. Where no adapter can be created (no `webgpu` package, no Vulkan
// driver) every test is skipped and the reason printed: skipped, never passed.
import { CHECK_IDS, type BackendCheck } from '../src/backend-check/compare';
import { runTs } from './helpers';

const run = runTs('src/cli.ts', ['check-backend', '--backend', 'webgpu', '--json'], 300_000);
/**
 * Skipped only where WebGPU is absent (the packages are not installed, or no adapter exists), and
 * never when CI installed a driver (LOOP_REQUIRE_WEBGPU=1): any other exit is a failing check.
 */
const ABSENT = /Cannot find (package|module) '(webgpu|@tensorflow\/tfjs-backend-webgpu)'|no WebGPU adapter/;
const unavailable =
  run.code === 2 && ABSENT.test(run.err) && process.env.LOOP_REQUIRE_WEBGPU !== '1'
    ? run.err.trim().split('\n').pop()
    : undefined;
if (unavailable) console.warn(`webgpu suite skipped: ${unavailable}`);
const result = unavailable
  ? null
  : (JSON.parse(run.code === 0 || run.code === 1 ? run.out : 'null') as BackendCheck | null);
const itOnDevice = unavailable ? it.skip : it;
// The CI log's record of where the suite ran and what it found.
if (result)
  console.log(
    `webgpu suite: ${result.checks.filter((c) => c.ok).length} of ${result.checks.length} checks passed; ${result.started}`,
  );
/** `auto` is tested against a software adapter (which it must skip); on hardware it would take it. */
const itOnSoftware = result && /software/.test(result.started) ? it : it.skip;

describe(`webgpu backend against cpu (${unavailable ? `skipped: ${unavailable}` : 'on a WebGPU adapter'})`, () => {
  itOnDevice('check-backend completed and named its adapter', () => {
    expect({ code: run.code, err: run.code === 0 ? '' : run.err }).toEqual({ code: 0, err: '' });
    expect(result).not.toBeNull();
    expect(result!.backend).toBe('webgpu');
    expect(result!.started).toMatch(/^\[loop\] backend: webgpu \(.*adapter .+\)/);
    expect(result!.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
  });

  itOnSoftware("'auto' skips a software adapter for the next backend, saying why", () => {
    const auto = runTs('src/cli.ts', ['check-backend', '--backend', 'auto', '--verbose'], 300_000);
    expect(auto.err).toMatch(/webgpu unavailable \(.*only a software adapter/);
    expect(auto.out).toMatch(/backend: wasm .*after trying tensorflow-gpu, webgpu, tensorflow/);
  });

  itOnDevice.each([...CHECK_IDS])('%s', (id) => {
    const c = result?.checks.find((x) => x.id === id);
    expect(c && { ok: c.ok, detail: c.detail }).toEqual({ ok: true, detail: c?.detail });
  });
});
