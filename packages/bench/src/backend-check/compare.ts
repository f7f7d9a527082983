// `loop-bench check-backend`: run the measurements of measure.ts on a backend and on cpu (the
// reference: tfjs' plain JavaScript kernels) and compare them within float32 tolerances.
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../config/profiles';
import { measureBackend, type Measured } from './measure';

/** The checks, in the order they are reported. */
export const CHECK_IDS = [
  'logits',
  'loss',
  'gradients',
  'hvp',
  'adaptive',
  'checkpoint',
  'training',
  'tensors',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface CheckResult {
  id: CheckId;
  name: string;
  ok: boolean;
  detail: string;
}

export interface BackendCheck {
  /** The backend under test, as tfjs names it, and the line the runtime logged when starting it. */
  backend: string;
  started: string;
  checks: CheckResult[];
}

/**
 * Tolerances: float32 sums in another order differ by ~1e-7 relative per operation; the checks
 * allow 1e-4 relative on logits and losses and 1e-3 on gradients and the HVP (a second backward
 * pass), far below what a wrong kernel produces (differences of order 1).
 */
export const CHECK_TOLERANCE = { logits: 1e-4, loss: 1e-4, gradient: 1e-3, hvp: 1e-3 } as const;

/** max |a - b| / max(max |b|, 1e-12): the error relative to the reference's scale. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return Number.isFinite(diff) ? diff / scale : Infinity;
}

function within(id: CheckId, name: string, error: number, tolerance: number): CheckResult {
  return {
    id,
    name,
    ok: error <= tolerance,
    detail: `relative error ${error.toExponential(1)} (tolerance ${tolerance.toExponential(0)})`,
  };
}

/** The checks, from a measurement on the backend under test and one on cpu. */
export function compareMeasurements(got: Measured, ref: Measured): CheckResult[] {
  const flat = got.tensors.slice(1).every((n) => n === got.tensors[1]);
  return [
    within(
      'logits',
      'forward logits (looped GPT, T(n) loops)',
      relativeError(got.logits, ref.logits),
      CHECK_TOLERANCE.logits,
    ),
    within('loss', 'loss', relativeError([got.loss], [ref.loss]), CHECK_TOLERANCE.loss),
    within('gradients', 'gradients', relativeError(got.gradient, ref.gradient), CHECK_TOLERANCE.gradient),
    within('hvp', 'Hessian-vector product', relativeError(got.hvp, ref.hvp), CHECK_TOLERANCE.hvp),
    {
      id: 'adaptive',
      name: 'adaptive stopping',
      ok: got.adaptive.loops === ref.adaptive.loops && got.adaptive.accuracy === ref.adaptive.accuracy,
      detail: `loop ${got.adaptive.loops}, exact match ${got.adaptive.accuracy} (cpu: loop ${ref.adaptive.loops}, ${ref.adaptive.accuracy})`,
    },
    {
      id: 'checkpoint',
      name: 'checkpoint round trip',
      ok: got.checkpointRoundTrip,
      detail: got.checkpointRoundTrip
        ? 'restored model gives the same logits bitwise'
        : 'restored logits differ',
    },
    within(
      'training',
      `training steps (engine step, AdamW, clipping): loss curve of ${got.losses.length}`,
      relativeError(got.losses, ref.losses),
      CHECK_TOLERANCE.loss * 10,
    ),
    {
      id: 'tensors',
      name: 'no tensor leak across training steps',
      ok: flat,
      detail: `tensors after each step: ${got.tensors.join(', ')}`,
    },
  ];
}

/**
 * Start `backend`, measure, then measure on cpu and compare. `start` is the runtime's backend
 * selection (throws when the backend cannot start); it returns the log line naming the backend.
 */
export async function checkBackend(
  backend: BackendName,
  start: (b: BackendName) => Promise<string>,
): Promise<BackendCheck> {
  const started = await start(backend);
  const name = tf.getBackend();
  const got = await measureBackend();
  if (!(await tf.setBackend('cpu'))) throw new Error("tf.setBackend('cpu') returned false");
  const ref = await measureBackend();
  await tf.setBackend(name);
  return { backend: name, started, checks: compareMeasurements(got, ref) };
}
