// Chart rows of one task's figures (loss, accuracy curves, accuracy by length): means over seeds.

import type { Datum } from '../../charts/specs';
import { METHOD_LABEL } from './config';
import { lengthMeans, mean, methodRuns, type TaskRuns } from './seed-means';

/** Mean curve over seeds of an evaluation field, as chart rows. */
export function curveRows(t: TaskRuns, field: 'trainAcc' | 'valAcc'): Datum[] {
  const rows: Datum[] = [];
  for (const [method, runs] of methodRuns(t)) {
    const len = Math.min(...runs.map((r) => r.evals.length));
    for (let i = 0; i < len; i++) {
      rows.push({
        step: runs[0]!.evals[i]!.step,
        acc: mean(runs.map((r) => r.evals[i]![field])),
        method: METHOD_LABEL[method],
      });
    }
  }
  return rows;
}

/** Mean over seeds of the training and validation loss at each evaluation, per method (chart rows). */
export function lossRows(t: TaskRuns): Datum[] {
  const rows: Datum[] = [];
  for (const [method, runs] of methodRuns(t)) {
    const len = Math.min(...runs.map((r) => r.evals.length));
    for (let i = 0; i < len; i++) {
      const step = runs[0]!.evals[i]!.step;
      const model = METHOD_LABEL[method];
      rows.push(
        { step, loss: mean(runs.map((r) => r.evals[i]!.trainLoss)), model, split: 'train' },
        { step, loss: mean(runs.map((r) => r.evals[i]!.valLoss)), model, split: 'validation' },
      );
    }
  }
  return rows.filter((r) => Number.isFinite(r['loss']));
}

/** Accuracy at each test length per method: oracle T(n) (or one pass) and adaptive stopping. */
export function lengthRows(t: TaskRuns): Datum[] {
  const rows: Datum[] = [];
  for (const [method, runs] of methodRuns(t)) {
    const oracle = lengthMeans(runs, 'oracle');
    const adaptive = lengthMeans(runs, 'adaptive');
    const looping = adaptive.some((v) => v !== null);
    oracle.forEach((acc, i) => {
      if (acc !== null)
        rows.push({
          n: i + 1,
          acc,
          method: METHOD_LABEL[method],
          stopping: looping ? 'oracle T(n)' : 'one pass',
        });
    });
    adaptive.forEach((acc, i) => {
      if (acc !== null) rows.push({ n: i + 1, acc, method: METHOD_LABEL[method], stopping: 'adaptive' });
    });
  }
  return rows;
}
