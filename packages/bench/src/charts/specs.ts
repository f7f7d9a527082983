import type { VegaLiteSpec } from './render';

/** Row of a long-format data table for the chart helpers. */
export type Datum = Record<string, string | number | boolean | null>;

export interface LineChartOptions {
  title: string;
  data: Datum[];
  x: string;
  y: string;
  xTitle?: string;
  yTitle?: string;
  /** Field that separates the lines (legend). */
  color?: string;
  /** Field faceted into small multiples (columns). */
  column?: string;
  /** Field for dashed/solid distinction. */
  strokeDash?: string;
  /** Field with the lower/upper bound of a band around y (e.g. mean ± std over seeds). */
  band?: { lower: string; upper: string };
  /** Horizontal reference lines (e.g. Bayes-optimal accuracy). */
  rules?: { y: number; label: string; color?: string }[];
  /** Vertical markers (e.g. plateau and shift points). */
  marks?: { x: number; label: string; color?: string }[];
  yScale?: { type?: 'linear' | 'log' | 'symlog'; domain?: [number, number]; zero?: boolean };
  /** With `column`: each facet gets its own y scale. */
  independentY?: boolean;
  width?: number;
  height?: number;
}

export function lineChart(o: LineChartOptions): VegaLiteSpec {
  const enc = {
    x: { field: o.x, type: 'quantitative', title: o.xTitle ?? o.x },
    y: { field: o.y, type: 'quantitative', title: o.yTitle ?? o.y, scale: { zero: false, ...o.yScale } },
    ...(o.color ? { color: { field: o.color, type: 'nominal', title: o.color } } : {}),
    // A stroke symbol shows each dash pattern in the legend (the default symbol is the point's dot).
    ...(o.strokeDash
      ? {
          strokeDash: {
            field: o.strokeDash,
            type: 'nominal',
            title: o.strokeDash,
            legend: {
              symbolType: 'stroke',
              symbolStrokeWidth: 2,
              symbolSize: 300,
              symbolStrokeColor: 'black',
            },
          },
        }
      : {}),
  };
  const layers: object[] = [];
  if (o.band) {
    layers.push({
      mark: { type: 'area', opacity: 0.2 },
      encoding: {
        x: enc.x,
        y: { field: o.band.lower, type: 'quantitative', scale: enc.y.scale, title: enc.y.title },
        y2: { field: o.band.upper },
        ...(o.color ? { color: enc.color } : {}),
      },
    });
  }
  layers.push({ mark: { type: 'line', point: o.data.length <= 60 ? { size: 20 } : false }, encoding: enc });
  for (const r of o.rules ?? []) {
    layers.push({
      data: { values: [{ y: r.y, label: r.label }] },
      mark: { type: 'rule', strokeDash: [4, 3], color: r.color ?? 'gray' },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    });
    layers.push({
      data: { values: [{ y: r.y, label: r.label }] },
      mark: { type: 'text', align: 'left', dx: 4, dy: -6, fontSize: 10, color: r.color ?? 'gray', x: 0 },
      encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
    });
  }
  for (const m of o.marks ?? []) {
    layers.push({
      data: { values: [{ x: m.x, label: m.label }] },
      mark: { type: 'rule', strokeDash: [2, 2], color: m.color ?? 'black' },
      encoding: { x: { field: 'x', type: 'quantitative' } },
    });
    layers.push({
      data: { values: [{ x: m.x, label: m.label }] },
      mark: {
        type: 'text',
        angle: 270,
        align: 'right',
        dx: -4,
        dy: -4,
        fontSize: 10,
        color: m.color ?? 'black',
        y: 0,
      },
      encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } },
    });
  }
  const inner = { width: o.width ?? 360, height: o.height ?? 220, layer: layers };
  if (o.column) {
    return {
      title: o.title,
      data: { values: o.data },
      facet: { column: { field: o.column, type: 'nominal', title: null } },
      spec: inner,
      resolve: { scale: { y: o.independentY ? 'independent' : 'shared' } },
    };
  }
  return { title: o.title, data: { values: o.data }, ...inner };
}

/**
 * Training and validation loss over steps or epochs: colour = model, dash = split ('train' solid,
 * 'validation' dashed), vertical marks for events such as SHIFT's switch. Rows: { [x], loss, model, split }.
 */
export function lossChart(o: {
  title: string;
  data: Datum[];
  x: string;
  xTitle: string;
  marks?: LineChartOptions['marks'];
  column?: string;
}): VegaLiteSpec {
  return lineChart({
    title: o.title,
    data: o.data,
    x: o.x,
    y: 'loss',
    xTitle: o.xTitle,
    yTitle: 'cross-entropy loss',
    color: 'model',
    strokeDash: 'split',
    yScale: { zero: true },
    ...(o.marks ? { marks: o.marks } : {}),
    ...(o.column ? { column: o.column, width: 260, height: 200 } : {}),
  });
}

export interface HistogramOptions {
  title: string;
  data: Datum[];
  field: string;
  maxbins?: number;
  color?: string;
  column?: string;
  xTitle?: string;
  logCount?: boolean;
  width?: number;
  height?: number;
}

/** 0 and the powers of ten up to `max` (at least 0 and 1). */
export function logTicks(max: number): number[] {
  const out = [0, 1];
  for (let p = 10; p <= max; p *= 10) out.push(p);
  return out;
}

/** Histogram of `field` (binned counts), optionally faceted. */
export function histogramChart(o: HistogramOptions): VegaLiteSpec {
  const inner = {
    width: o.width ?? 200,
    height: o.height ?? 150,
    mark: { type: 'bar', opacity: 0.75 },
    encoding: {
      x: {
        field: o.field,
        bin: { maxbins: o.maxbins ?? 40 },
        type: 'quantitative',
        title: o.xTitle ?? o.field,
      },
      y: {
        aggregate: 'count',
        type: 'quantitative',
        title: 'count',
        // symlog's own ticks skip 1; list 0, 1, 10, ... up to the largest possible count.
        ...(o.logCount ? { scale: { type: 'symlog' }, axis: { values: logTicks(o.data.length) } } : {}),
      },
      ...(o.color ? { color: { field: o.color, type: 'nominal' } } : {}),
    },
  };
  if (o.column) {
    return {
      title: o.title,
      data: { values: o.data },
      facet: { field: o.column, type: 'nominal', title: null },
      columns: 4,
      spec: inner,
      resolve: { scale: { x: 'independent', y: 'independent' } },
    };
  }
  return { title: o.title, data: { values: o.data }, ...inner };
}

export interface BarChartOptions {
  title: string;
  data: Datum[];
  x: string;
  y: string;
  color?: string;
  xOffset?: string;
  yTitle?: string;
  xTitle?: string;
  error?: { lower: string; upper: string };
  width?: number;
  height?: number;
}

/** Grouped bar chart (x categories, bars offset by `xOffset`), with optional error bars. */
export function barChart(o: BarChartOptions): VegaLiteSpec {
  const x = { field: o.x, type: 'nominal', title: o.xTitle ?? o.x, sort: null };
  const layers: object[] = [
    {
      mark: 'bar',
      encoding: {
        x,
        y: { field: o.y, type: 'quantitative', title: o.yTitle ?? o.y },
        ...(o.color ? { color: { field: o.color, type: 'nominal' } } : {}),
        ...(o.xOffset ? { xOffset: { field: o.xOffset, type: 'nominal' } } : {}),
      },
    },
  ];
  if (o.error) {
    layers.push({
      mark: { type: 'rule', color: 'black' },
      encoding: {
        x,
        y: { field: o.error.lower, type: 'quantitative' },
        y2: { field: o.error.upper },
        ...(o.xOffset ? { xOffset: { field: o.xOffset, type: 'nominal' } } : {}),
      },
    });
  }
  return {
    title: o.title,
    data: { values: o.data },
    width: o.width ?? 360,
    height: o.height ?? 220,
    layer: layers,
  };
}
