/**
 * Hand-written protobuf encoding of the few TensorFlow messages an event file needs
 * (tensorflow/core/util/event.proto, framework/summary.proto):
 *   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 *   Summary { repeated Value value = 1; }
 *   Value   { string tag = 1; float simple_value = 2; HistogramProto histo = 5; }
 *   HistogramProto { double min = 1; max = 2; num = 3; sum = 4; sum_squares = 5;
 *                    repeated double bucket_limit = 6 [packed]; repeated double bucket = 7 [packed]; }
 */

class Writer {
  private chunks: Uint8Array[] = [];

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      bytes.push(b);
    } while (v !== 0n);
    this.chunks.push(Uint8Array.from(bytes));
    return this;
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.varint((field << 3) | wireType);
  }

  double(field: number, value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.tag(field, 1);
    this.chunks.push(b);
    return this;
  }

  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.tag(field, 5);
    this.chunks.push(b);
    return this;
  }

  int64(field: number, value: number): this {
    return this.tag(field, 0).varint(Math.trunc(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2).varint(value.length);
    this.chunks.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  packedDoubles(field: number, values: readonly number[]): this {
    const b = new Uint8Array(8 * values.length);
    const dv = new DataView(b.buffer);
    values.forEach((v, i) => dv.setFloat64(8 * i, v, true));
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    const n = this.chunks.reduce((s, c) => s + c.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** Right edges of the buckets; the last is +Infinity-like (we use max). */
  bucketLimit: number[];
  bucket: number[];
}

/** Buckets `values` into `bins` equal-width bins over [min, max] (TensorBoard's histogram input). */
export function histogramOf(values: ArrayLike<number>, bins = 30): Histogram {
  const xs = Array.from(values).filter((v) => Number.isFinite(v));
  const min = xs.length ? Math.min(...xs) : 0;
  const max = xs.length ? Math.max(...xs) : 0;
  const width = max > min ? (max - min) / bins : 1;
  const bucket = new Array<number>(bins).fill(0);
  for (const x of xs) bucket[Math.min(bins - 1, Math.floor((x - min) / width))]! += 1;
  const bucketLimit = bucket.map((_, i) => (i === bins - 1 ? max : min + (i + 1) * width));
  return {
    min,
    max,
    num: xs.length,
    sum: xs.reduce((s, x) => s + x, 0),
    sumSquares: xs.reduce((s, x) => s + x * x, 0),
    bucketLimit,
    bucket,
  };
}

export type SummaryValue = { tag: string; scalar: number } | { tag: string; histogram: Histogram };

function encodeHistogram(h: Histogram): Uint8Array {
  return new Writer()
    .double(1, h.min)
    .double(2, h.max)
    .double(3, h.num)
    .double(4, h.sum)
    .double(5, h.sumSquares)
    .packedDoubles(6, h.bucketLimit)
    .packedDoubles(7, h.bucket)
    .finish();
}

function encodeValue(v: SummaryValue): Uint8Array {
  const w = new Writer().string(1, v.tag);
  if ('scalar' in v) w.float(2, v.scalar);
  else w.bytes(5, encodeHistogram(v.histogram));
  return w.finish();
}

export function encodeSummaryEvent(
  wallTime: number,
  step: number,
  values: readonly SummaryValue[],
): Uint8Array {
  const summary = new Writer();
  for (const v of values) summary.bytes(1, encodeValue(v));
  return new Writer().double(1, wallTime).int64(2, step).bytes(5, summary.finish()).finish();
}

export function encodeFileVersionEvent(wallTime: number): Uint8Array {
  return new Writer().double(1, wallTime).string(3, 'brain.Event:2').finish();
}
