import * as tf from '@tensorflow/tfjs';

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
 */

/** A node of tfjs' tape (engine internals; the fields the walk reads). */
export interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

type GradientsFn = (
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
  allowNoGradients?: boolean,
) => { value: tf.Tensor; grads: tf.Tensor[] };

/** The engine members the method uses (public at run time, private in tfjs' typings). */
interface EngineInternals {
  state: {
    activeTape: TapeNode[] | null;
    gradientDepth: number;
    activeScope: { name: string };
    tensorInfo: { get(dataId: object): { backend: tf.KernelBackend } | undefined };
  };
  makeTensorFromDataId(
    dataId: object,
    shape: number[],
    dtype: tf.DataType,
    backend: tf.KernelBackend,
  ): tf.Tensor;
  runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs?: tf.NamedAttrMap): tf.Tensor;
  addTapeNode(
    kernelName: string,
    inputs: Record<string, tf.Tensor>,
    outputs: tf.Tensor[],
    gradient: (dy: tf.Tensor) => Record<string, () => tf.Tensor>,
    saved: tf.Tensor[],
    attrs: tf.NamedAttrMap,
  ): void;
  clone: (this: EngineInternals, x: tf.Tensor) => tf.Tensor;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
  tidy<T extends tf.TensorContainer>(f: () => T): T;
  gradients: GradientsFn;
}

/**
 * Saved copies made at gradient depth >= 2, each to the tensor it copies (see `savedCopy`): a walk
 * treats a copy as that tensor. Cleared with the tape.
 */
const aliases = new Map<number, tf.Tensor>();

/** The id under which a tensor's gradient is kept: its own, or for a saved copy the original's. */
function gradientId(t: tf.Tensor): number {
  let id = t.id;
  for (let x = aliases.get(id); x !== undefined; x = aliases.get(id)) id = x.id;
  return id;
}

/**
 * The nodes on a path from any of `xs` to `y`, in tape order, each a copy whose inputs are only
 * those that depend on `xs` (what tfjs' getFilteredNodesXToY returns); a saved copy counts as the
 * tensor it copies.
 */
export function filterTape(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>();
  for (const x of xs) fromX.add(gradientId(x));
  // bit 1: the node reads a tensor that depends on xs; bit 2: one of its outputs leads to y.
  const marks = new Uint8Array(tape.length);
  for (let i = 0; i < tape.length; i++) {
    const node = tape[i]!;
    for (const name in node.inputs) {
      if (fromX.has(gradientId(node.inputs[name]!))) {
        for (const o of node.outputs) fromX.add(o.id);
        marks[i] = 1;
        break;
      }
    }
  }
  const toY = new Set<number>([gradientId(y)]);
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    for (const o of node.outputs) {
      if (!toY.has(o.id)) continue;
      for (const name in node.inputs) {
        toY.add(gradientId(node.inputs[name]!));
        marks[i]! |= 2;
      }
      break;
    }
  }
  const filtered: TapeNode[] = [];
  for (let i = 0; i < tape.length; i++) {
    if (marks[i] !== 3) continue;
    const node = tape[i]!;
    let pruned = false;
    for (const name in node.inputs) {
      if (!fromX.has(gradientId(node.inputs[name]!))) {
        pruned = true;
        break;
      }
    }
    if (!pruned) {
      filtered.push(node); // read, never written: no copy needed
      continue;
    }
    const inputs: Record<string, tf.Tensor> = {};
    for (const name in node.inputs) {
      const t = node.inputs[name]!;
      if (fromX.has(gradientId(t))) inputs[name] = t;
    }
    filtered.push({ ...node, inputs, outputs: node.outputs });
  }
  return filtered;
}

/**
 * tfjs' backpropagateGradients over a Map (same order of operations, same checks), safe for
 * gradient functions that hand dy on unchanged (`passesGradientThrough`): tfjs disposes an input's
 * running gradient when it adds the next contribution, which would free a tensor that is also
 * another entry's gradient, or the caller's seed. Such shared tensors are left to the enclosing tidy.
 * A tensor's contributions are summed when its gradient is first read, by one AddN (a left fold
 * in arrival order, as tfjs' running Add) instead of one Add per contribution after the first.
 * Returns the gradients of `xs`.
 */
function backpropagate(
  grads: Map<number, tf.Tensor>,
  tape: readonly TapeNode[],
  tidy: (f: () => tf.Tensor[]) => tf.Tensor[],
  seed: tf.Tensor | undefined,
  xs: readonly tf.Tensor[],
): (tf.Tensor | undefined)[] {
  const shared = new Set<tf.Tensor>();
  if (seed !== undefined) shared.add(seed);
  // Tensors with two or more contributions so far, not yet summed.
  const pending = new Map<number, tf.Tensor[]>();
  const gradientOf = (id: number): tf.Tensor | undefined => {
    const parts = pending.get(id);
    if (parts === undefined) return grads.get(id);
    pending.delete(id);
    const sum = tf.addN(parts);
    for (const t of parts) if (!shared.has(t)) t.dispose();
    grads.set(id, sum);
    return sum;
  };
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    const dys = node.outputs.map((o) => gradientOf(o.id) ?? null);
    if (node.gradient == null) {
      throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    }
    const inputGradients = node.gradient(dys);
    const names = Object.keys(node.inputs);
    for (const name of names) {
      if (inputGradients[name] === undefined) {
        throw new Error(
          `Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients).join(',')}.`,
        );
      }
    }
    // One scope per node (tfjs opens one per input): the gradient functions' intermediates are
    // freed all the same, at half the scope bookkeeping for two-input kernels.
    const dxs = tidy(() => names.map((name) => inputGradients[name]!()));
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      const dx = dxs[k]!;
      if (dx.dtype !== 'float32') {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`,
        );
      }
      const x = node.inputs[name]!;
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape.join(',')}', which does not match the shape of the input '${x.shape.join(',')}'`,
        );
      }
      if (dys.includes(dx)) shared.add(dx);
      const id = gradientId(x);
      const current = grads.get(id);
      if (current === undefined) {
        grads.set(id, dx);
        continue;
      }
      const parts = pending.get(id);
      if (parts === undefined) pending.set(id, [current, dx]);
      else parts.push(dx);
    }
  }
  return xs.map((x) => gradientOf(gradientId(x)));
}

/** Each x its own gradient tensor, none of them the caller's dy (a pass-through can alias them). */
function ownGradients(
  grads: (tf.Tensor | undefined)[],
  seed: tf.Tensor | undefined,
): (tf.Tensor | undefined)[] {
  const seen = new Set<tf.Tensor>();
  if (seed !== undefined) seen.add(seed);
  return grads.map((g) => {
    if (g === undefined) return g;
    if (!seen.has(g)) {
      seen.add(g);
      return g;
    }
    return tf.clone(g);
  });
}

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
  const y = this.scopedRun(
    () => this.startTape(),
    () => this.endTape(),
    () => this.tidy('forward', f),
  );
  if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
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
    if (this.state.gradientDepth === 0) {
      // Not inside another gradient: the tape's saved tensors are no longer needed.
      for (const node of this.state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
      this.state.activeTape = null;
      aliases.clear();
    }
    return { value: y, grads: out };
  });
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
