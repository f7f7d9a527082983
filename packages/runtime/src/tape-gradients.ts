import * as tf from '@tensorflow/tfjs';
import { aliases, gradientId } from './tape-gradients/aliases';
import { backpropagate, ownGradients } from './tape-gradients/backpropagate';
import type { EngineInternals, GradientsFn } from './tape-gradients/engine';
import { filterTape } from './tape-gradients/filter';

export { filterTape } from './tape-gradients/filter';
export type { TapeNode } from './tape-gradients/engine';

/**
 * tfjs' `engine.gradients` and saved-tensor copies with less bookkeeping per kernel: the same kernel
 * nodes on the path from xs to y, in the same order, through the same gradient functions. First
 * order gives tfjs' gradients bit for bit; under double backprop, where an Add hands dy on (see
 * arithmetic-gradients.ts), the same terms are added in another order (float32 round-off), and a
 * kernel's saved output stays connected to the kernel (tfjs loses that path: see `savedCopy`).
 *
 * Why: on small models every kernel call costs more engine time than arithmetic, and double
 * backprop records and walks the forward pass and the backward pass together.
 * - The tape filter: tfjs 4.22's `getFilteredNodesXToY` keeps "which tensors come from x" in plain
 *   objects keyed by tensor ids (ids grow for the life of the process, so V8 keeps them in
 *   dictionary mode) and re-tests every node input once per x; sets and one pass per node here.
 * - Saved copies (`savedCopy`): no kernel dispatch and no tape node: below gradient depth 2 none
 *   can lie on a path to y (a third of a first-order tape); from depth 2 on a copy is an alias of
 *   the tensor it copies (`gradientId`), which also keeps the second-order path through a saved
 *   output that tfjs' walk drops.
 * - One tidy scope per node instead of one per input, and accumulation that tolerates gradients
 *   handed on unchanged (`passesGradientThrough`): one AddN per tensor with several contributions
 *   where tfjs runs an Add per contribution after the first (wasm's and cpu's AddN add the inputs
 *   in order into a zeroed output: bitwise tfjs' running Adds).
 * Measured in docs/performance.md (seventh and eighth passes). `LOOP_FAST_TAPE=0` (read at each
 * outermost gradients call) runs tfjs' own method and copies instead, for A/B measurements.
 *
 * The pieces live in tape-gradients/: engine.ts (the engine internals used), aliases.ts,
 * filter.ts (the tape filter), backpropagate.ts (the backward walk); this file installs the walk
 * and the saved copies on the engine.
 */

let original: GradientsFn | undefined;

/**
 * Whether gradients run through `fastGradients`, so a gradient function may hand dy on unchanged
 * (tfjs' own walk would dispose it while another entry still holds it).
 */
export function passesGradientThrough(): boolean {
  return active;
}

/** Whether the fast walk is installed and switched on (LOOP_FAST_TAPE, read per outermost call). */
let active = false;

function fastGradients(
  this: EngineInternals,
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
  allowNoGradients = false,
): { value: tf.Tensor; grads: tf.Tensor[] } {
  // The switch is read once per outermost call (process.env reads are slow) and holds inside it.
  if (this.state.gradientDepth === 0) {
    active = process.env.LOOP_FAST_TAPE !== '0';
    aliases.clear(); // left over if an earlier call threw
  }
  if (!active) return original!.call(this, f, xs, dy, allowNoGradients);
  if (xs.length === 0) throw new Error('gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32') {
    throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  }
  const y = recordForward(this, f);
  const tape = filterTape(this.state.activeTape ?? [], xs, y);
  if (!allowNoGradients && tape.length === 0 && xs.length > 0) {
    throw new Error(
      'Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.',
    );
  }
  // tf.variableGrads passes dy = null
  const seed = dy ?? undefined;
  return this.tidy('backward', () => {
    const grads = new Map<number, tf.Tensor>();
    grads.set(gradientId(y), seed ?? tf.ones(y.shape));
    const out = ownGradients(
      backpropagate(grads, tape, (g) => this.tidy(g), seed, xs),
      seed,
    ) as tf.Tensor[];
    // Not inside another gradient: the tape's saved tensors are no longer needed.
    if (this.state.gradientDepth === 0) releaseTape(this);
    return { value: y, grads: out };
  });
}

/** y = f() with its kernels recorded on the engine's tape, as tfjs' gradients does. */
function recordForward(engine: EngineInternals, f: () => tf.Tensor): tf.Tensor {
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f),
  );
  if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
  return y;
}

/** Dispose the tape's saved tensors and drop the tape and the aliases into it. */
function releaseTape(engine: EngineInternals): void {
  for (const node of engine.state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
  engine.state.activeTape = null;
  aliases.clear();
}

let originalClone: EngineInternals['clone'] | undefined;

/**
 * The engine's copy of a tensor saved for the backward pass (kept alive until the tape is cleared).
 * tfjs records each copy on the tape as an Identity whose gradient is a Cast of dy. A copy saved
 * while recording at gradient depth d is read by the gradient functions of the depth-d backward
 * pass, which run at depth d - 1 and are recorded only if d - 1 >= 1: below depth 2 no walk can
 * reach it (a third of a first-order tape). At depth 2 and above it is not put on the tape either
 * but registered as an alias of the tensor it copies (`gradientId`): every walk then filters and
 * accumulates the copy's gradient under the original's id, which is what the Identity's gradient
 * did, without a tape node, a gradient call and a scope per copy (a third of an HVP's tape).
 */
function savedCopy(this: EngineInternals, x: tf.Tensor): tf.Tensor {
  if (!active) return originalClone!.call(this, x);
  const y = sharedCopy(this, x) ?? this.runKernel('Identity', { x });
  if (this.state.gradientDepth >= 2) aliases.set(y.id, x);
  return y;
}

/** Backends that count references to a buffer (cpu, wasm) and so can share it. */
interface RefCounted {
  incRef(dataId: object): void;
}

/**
 * A second tensor on x's buffer without a kernel call (what the cpu backend's Identity and
 * @loop/runtime's wasm Identity do, less the engine's kernel dispatch); null where x's backend does
 * not count references (tfjs-node), so the caller runs the Identity kernel.
 */
function sharedCopy(engine: EngineInternals, x: tf.Tensor): tf.Tensor | null {
  if (x.dtype === 'string') return null;
  const backend = engine.state.tensorInfo.get(x.dataId)?.backend as
    (tf.KernelBackend & Partial<RefCounted>) | undefined;
  if (backend === undefined || typeof backend.incRef !== 'function') return null;
  backend.incRef(x.dataId);
  return engine.makeTensorFromDataId(x.dataId, x.shape, x.dtype, backend);
}

/** Install the fast tape walk on tfjs' engine (idempotent); `initBackend` calls it. */
export function installFastGradients(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.gradients === (fastGradients as GradientsFn)) return;
  original = engine.gradients;
  originalClone = engine.clone;
  active = process.env.LOOP_FAST_TAPE !== '0';
  engine.gradients = fastGradients as GradientsFn;
  engine.clone = savedCopy;
}

/** Put tfjs' own tape walk and clone back (idempotent); `installRuntime`'s undo calls it. */
export function uninstallFastGradients(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.gradients !== (fastGradients as GradientsFn) || original === undefined) return;
  engine.gradients = original;
  engine.clone = originalClone!;
  active = false;
}

/** Whether the engine runs `fastGradients` (tests). */
export function fastGradientsInstalled(): boolean {
  return (tf.engine() as unknown as EngineInternals).gradients === (fastGradients as GradientsFn);
}
