// The record one unit of the algorithmic study leaves (units/<key>.json, results.json): its
// evaluations during training and its accuracy at every test length, read off the engine's result.

import { STOPPING_RULES, type StoppingRule } from '@loop/models';
import type { TrainResult } from '@loop/shift';
import type { Method } from './config';

/** One evaluation during training. */
export interface EvalPoint {
  step: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  /** Cumulative training wall time at this evaluation (s), evaluations excluded. */
  trainTimeS: number;
}

/** Exact-match accuracy at one test length. */
export interface LengthPoint {
  n: number;
  /** After exactly the final stage's loops per sample (T(n), or 1 for Single-Attn). */
  oracle: number;
  /** The configured stopping rule (`adaptiveRule`) over T_max loops; null for a 1-loop model. */
  adaptive: number | null;
  /** Mean loop count adaptive stopping chose at this length; null for a 1-loop model. */
  adaptiveLoops: number | null;
  /** Every stopping rule's accuracy and mean loops (absent for a 1-loop model and in older runs). */
  rules?: Partial<Record<StoppingRule, { acc: number; loops: number }>>;
}

export interface UnitResult {
  task: string;
  method: Method;
  seed: number;
  parameters: number;
  steps: number;
  evals: EvalPoint[];
  /** SHIFT: step of the switch to Looped-Attn and of the SCP plateau point (null when it never switched). */
  shiftStep: number | null;
  plateauStep: number | null;
  /** Loops of the final stage ('1' or 'T(n)'). */
  finalLoops: string;
  /** Step and reason when early stopping ended the unit before `steps` (absent: it trained every step). */
  stoppedEarly?: { step: number; reason: string };
  lengths: LengthPoint[];
  trainTimeS: number;
  evalTimeS: number;
  flops: number;
}

export function unitKey(task: string, method: Method, seed: number): string {
  return `${task}-${method}-seed${seed}`;
}

/** The engine's evaluations as EvalPoints; after an early stop the final evaluation repeats the stopping step: keep the final one. */
export function evalPoints(result: TrainResult): EvalPoint[] {
  return result.evals
    .filter((e, i, all) => all[i + 1]?.step !== e.step)
    .map((e) => ({
      step: e.step,
      trainLoss: e.metrics['trainLoss'] ?? NaN,
      trainAcc: e.metrics['trainAcc'] ?? NaN,
      valLoss: e.metrics['valLoss'] ?? NaN,
      valAcc: e.metrics['valAcc'] ?? NaN,
      trainTimeS: e.trainMs / 1000,
    }));
}

/** Oracle, adaptive and every stopping rule at each length 1..testLength, from the final metrics. */
export function lengthPoints(m: Record<string, number>, testLength: number): LengthPoint[] {
  const lengths: LengthPoint[] = [];
  for (let n = 1; n <= testLength; n++) {
    const rules: LengthPoint['rules'] = {};
    for (const r of STOPPING_RULES) {
      const acc = m[`test${n}.rule.${r}.acc`];
      const loops = m[`test${n}.rule.${r}.loops`];
      if (acc !== undefined && loops !== undefined) rules[r] = { acc, loops };
    }
    lengths.push({
      n,
      oracle: m[`test${n}.oracleAcc`] ?? NaN,
      adaptive: m[`test${n}.adaptiveAcc`] ?? null,
      adaptiveLoops: m[`test${n}.adaptiveLoops`] ?? null,
      ...(Object.keys(rules).length > 0 ? { rules } : {}),
    });
  }
  return lengths;
}

/** What a finished unit measured, beside its identity and size. */
export interface UnitMeasurements {
  result: TrainResult;
  evals: EvalPoint[];
  lengths: LengthPoint[];
  /** Wall time spent getting the length scores after training (counted as evaluation time). */
  lengthEvalS: number;
}

/** The unit's record; its key order is the order of units/<key>.json and results.json. */
export function unitResult(
  unit: { task: string; method: Method; seed: number; parameters: number },
  m: UnitMeasurements,
): UnitResult {
  const { result, evals, lengths } = m;
  const shift = result.shifts[0];
  return {
    task: unit.task,
    method: unit.method,
    seed: unit.seed,
    parameters: unit.parameters,
    steps: result.steps,
    evals,
    shiftStep: shift ? shift.step : null,
    plateauStep: shift?.plateauStep ?? null,
    finalLoops: result.stages[result.stages.length - 1]?.loops ?? '?',
    ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
    lengths,
    trainTimeS: result.trainMs / 1000,
    evalTimeS: result.stages.reduce((a, x) => a + x.evalMs, 0) / 1000 + m.lengthEvalS,
    flops: result.flops,
  };
}
