// SHIFT Criterion with Patience (SCP), Section 5 of the SHIFT paper. Pure logic, no tfjs:
//  (a) plateau detection: the validation loss fails to improve on its best value by at least
//      `plateauDelta` for `plateauPatience` consecutive evaluations;
//  (b) gradient stabilisation wait: after the plateau, wait until the relative change of the gradient
//      norm between consecutive evaluations stays below `gradDelta` for `gradPatience` evaluations.
// The shift fires at the evaluation that completes (b).

import { checkInt, checkNumber, ConfigError } from '../util/validate';

export interface ShiftCriterionOptions {
  /** Minimum decrease of the validation loss (vs its best so far) that counts as progress (>= 0). */
  plateauDelta: number;
  /** Consecutive evaluations without such progress that make a plateau (integer >= 1). */
  plateauPatience: number;
  /** Relative change |g_t - g_{t-1}| / g_{t-1} of the gradient norm below which it counts as stable (> 0). */
  gradDelta: number;
  /** Consecutive stable evaluations after the plateau needed to shift (integer >= 1). */
  gradPatience: number;
  /** Optional cap: shift anyway after this many evaluations of gradient wait (integer >= 1). */
  maxWait?: number;
}

export type CriterionPhase = 'plateau-search' | 'gradient-wait' | 'shifted';

export interface CriterionObservation {
  step: number;
  valLoss: number;
  gradNorm: number;
}

export interface CriterionDecision {
  /** True exactly once: at the evaluation where the switch should happen. */
  shift: boolean;
  phase: CriterionPhase;
  plateauStep?: number;
  shiftStep?: number;
  reason: string;
}

/** Serialisable state: JSON round-trips it exactly. */
export interface CriterionState {
  phase: CriterionPhase;
  bestLoss: number | null;
  bestStep: number | null;
  sinceBest: number;
  lastGrad: number | null;
  stableCount: number;
  waitCount: number;
  plateauStep: number | null;
  shiftStep: number | null;
  reason: string;
}

export interface ShiftCriterion {
  readonly options: Readonly<ShiftCriterionOptions>;
  update(observation: CriterionObservation): CriterionDecision;
  state(): CriterionState;
  restore(state: CriterionState): void;
}

export function validateCriterionOptions(
  options: ShiftCriterionOptions,
  field = 'criterion',
): ShiftCriterionOptions {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(
      `${field} must be an object { plateauDelta, plateauPatience, gradDelta, gradPatience }`,
    );
  }
  checkNumber(`${field}.plateauDelta`, options.plateauDelta, { min: 0 });
  checkInt(`${field}.plateauPatience`, options.plateauPatience, 1);
  checkNumber(`${field}.gradDelta`, options.gradDelta, { min: 0, minExclusive: true });
  checkInt(`${field}.gradPatience`, options.gradPatience, 1);
  if (options.maxWait !== undefined) checkInt(`${field}.maxWait`, options.maxWait, 1);
  return options;
}

function initialState(): CriterionState {
  return {
    phase: 'plateau-search',
    bestLoss: null,
    bestStep: null,
    sinceBest: 0,
    lastGrad: null,
    stableCount: 0,
    waitCount: 0,
    plateauStep: null,
    shiftStep: null,
    reason: 'searching for a validation-loss plateau',
  };
}

export function shiftCriterion(options: ShiftCriterionOptions, state?: CriterionState): ShiftCriterion {
  const opts = Object.freeze({ ...validateCriterionOptions(options) });
  let s: CriterionState = state ? { ...state } : initialState();

  const decision = (shift: boolean): CriterionDecision => ({
    shift,
    phase: s.phase,
    ...(s.plateauStep !== null ? { plateauStep: s.plateauStep } : {}),
    ...(s.shiftStep !== null ? { shiftStep: s.shiftStep } : {}),
    reason: s.reason,
  });

  return {
    options: opts,
    update({ step, valLoss, gradNorm }) {
      if (!Number.isFinite(valLoss))
        throw new ConfigError(`shiftCriterion.update: valLoss = ${valLoss} at step ${step} is not finite`);
      if (!Number.isFinite(gradNorm) || gradNorm < 0) {
        throw new ConfigError(
          `shiftCriterion.update: gradNorm = ${gradNorm} at step ${step} must be a finite number >= 0`,
        );
      }
      const prevGrad = s.lastGrad;
      s.lastGrad = gradNorm;
      if (s.phase === 'shifted') return decision(false);

      if (s.phase === 'plateau-search') {
        if (s.bestLoss === null || valLoss < s.bestLoss - opts.plateauDelta) {
          s.bestLoss = valLoss;
          s.bestStep = step;
          s.sinceBest = 0;
          s.reason = `validation loss improved to ${valLoss.toPrecision(6)} at step ${step}`;
          return decision(false);
        }
        s.sinceBest += 1;
        if (s.sinceBest < opts.plateauPatience) {
          s.reason = `no improvement > ${opts.plateauDelta} for ${s.sinceBest}/${opts.plateauPatience} evaluations`;
          return decision(false);
        }
        s.phase = 'gradient-wait';
        s.plateauStep = step;
        s.reason =
          `plateau at step ${step}: validation loss did not improve on ${(s.bestLoss as number).toPrecision(6)} ` +
          `(step ${s.bestStep}) by > ${opts.plateauDelta} for ${opts.plateauPatience} evaluations; waiting for the gradient norm to settle`;
        return decision(false);
      }

      // gradient-wait: count consecutive evaluations whose relative gradient-norm change is below gradDelta.
      s.waitCount += 1;
      const rel =
        prevGrad === null ? Infinity : Math.abs(gradNorm - prevGrad) / Math.max(Math.abs(prevGrad), 1e-12);
      s.stableCount = rel < opts.gradDelta ? s.stableCount + 1 : 0;
      const stable = s.stableCount >= opts.gradPatience;
      const capped = opts.maxWait !== undefined && s.waitCount >= opts.maxWait;
      if (!stable && !capped) {
        s.reason = `waiting: gradient norm relative change ${rel.toPrecision(3)} (stable ${s.stableCount}/${opts.gradPatience})`;
        return decision(false);
      }
      s.phase = 'shifted';
      s.shiftStep = step;
      s.reason = stable
        ? `shift at step ${step}: plateau at step ${s.plateauStep}, then the gradient norm's relative change stayed ` +
          `< ${opts.gradDelta} for ${opts.gradPatience} evaluations`
        : `shift at step ${step}: plateau at step ${s.plateauStep}, gradient norm not stable after maxWait = ${opts.maxWait} evaluations`;
      return decision(true);
    },
    state() {
      return { ...s };
    },
    restore(next) {
      s = { ...next };
    },
  };
}
