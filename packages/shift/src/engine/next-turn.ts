/**
 * One turn of Node's event loop. The train loop takes one per step and the algorithmic evaluation
 * one per test length: a stop signal (Ctrl-C) is handled there, and so are Node's deferred native
 * finalizers, which on the WebGPU backend free each kernel's bind group. Without turns a long run
 * holds every one of them (Dawn on Mesa's llvmpipe crashed after a few hundred thousand kernels).
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
