// Vega-Lite specs of the algorithmic study's figures (paper Fig. 14 (a)-(c) per task, Fig. 11).

import type { VegaLiteSpec } from '../../charts/render';
import { barChart, lineChart, lossChart, type Datum } from '../../charts/specs';

/** Training or validation accuracy over steps, one line per method, SHIFT's switch marked. */
export function accuracyCurve(title: string, data: Datum[], switches: number[]): VegaLiteSpec {
  return lineChart({
    title,
    data,
    x: 'step',
    y: 'acc',
    xTitle: 'training step',
    yTitle: 'exact-match accuracy',
    color: 'method',
    yScale: { domain: [0, 1] },
    marks: switches.map((x, i) => ({
      x,
      label: switches.length > 1 ? `SHIFT switch (seed ${i})` : 'SHIFT switch',
      color: '#d62728',
    })),
  });
}

const STOPPING_LEGEND = ['adaptive', 'oracle T(n)', 'one pass'];

/** Training and validation loss over steps, one colour per method, SHIFT's switch marked. */
export function lossCurve(title: string, data: Datum[], switches: number[]): VegaLiteSpec {
  return lossChart({
    title,
    data,
    x: 'step',
    xTitle: 'training step',
    marks: switches.map((x, i) => ({
      x,
      label: switches.length > 1 ? `SHIFT switch (seed ${i})` : 'SHIFT switch',
      color: '#d62728',
    })),
  });
}

/**
 * Accuracy against test length 1..L, one line per method (dashed: adaptive stopping), with the
 * training range 1..maxTrainLength shaded.
 */
export function lengthCurve(
  title: string,
  data: Datum[],
  maxTrainLength: number,
  testLength: number,
): VegaLiteSpec {
  return {
    title,
    width: 360,
    height: 220,
    layer: [
      {
        data: { values: [{ x0: 0.5, x1: maxTrainLength + 0.5, label: 'training lengths' }] },
        mark: { type: 'rect', color: '#bbbbbb', opacity: 0.25 },
        encoding: { x: { field: 'x0', type: 'quantitative' }, x2: { field: 'x1' } },
      },
      {
        data: { values: [{ x: 0.6, label: 'training lengths' }] },
        mark: { type: 'text', align: 'left', baseline: 'top', dy: 4, fontSize: 10, color: '#555555', y: 0 },
        encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } },
      },
      {
        data: { values: data },
        mark: { type: 'line', point: { size: 20 } },
        encoding: {
          x: {
            field: 'n',
            type: 'quantitative',
            title: 'test length n',
            scale: { domain: [0.5, testLength + 0.5], nice: false },
          },
          y: { field: 'acc', type: 'quantitative', title: 'exact-match accuracy', scale: { domain: [0, 1] } },
          color: { field: 'method', type: 'nominal', title: 'method' },
          // Dash and point shape both carry the stopping rule, so its legend entries differ visibly.
          strokeDash: {
            field: 'stopping',
            type: 'nominal',
            title: 'stopping',
            scale: {
              domain: STOPPING_LEGEND,
              range: [
                [1, 0],
                [2, 2],
                [6, 3],
              ],
            },
          },
          shape: {
            field: 'stopping',
            type: 'nominal',
            title: 'stopping',
            scale: { domain: STOPPING_LEGEND, range: ['circle', 'square', 'triangle-up'] },
            legend: { symbolSize: 60, symbolStrokeWidth: 1.5 },
          },
        },
      },
    ],
  };
}

/** Training wall time per task and method (paper Fig. 11: SHIFT's efficiency). */
export function timeBars(data: Datum[]): VegaLiteSpec {
  return barChart({
    title: 'Training wall time per task (evaluation excluded)',
    data,
    x: 'task',
    y: 'seconds',
    xOffset: 'method',
    color: 'method',
    yTitle: 'training time (s)',
  });
}
