import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c, maskedCrc32c } from '../src/tensorboard/crc32c';
import { frameRecord } from '../src/tensorboard/record';
import { EventFileWriter } from '../src/tensorboard/writer';

/** Oracle: bit-by-bit CRC-32C (no table), straight from the definition. */
function crcBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Oracle for TFRecord masking (tensorflow/core/lib/hash/crc32c.h), in BigInt arithmetic. */
function maskBig(crc: number): number {
  const c = BigInt(crc);
  const rot = ((c >> 15n) | (c << 17n)) & 0xffffffffn;
  return Number((rot + 0xa282ead8n) & 0xffffffffn);
}

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  test('published check values (RFC 3720 B.4 and the CRC catalogue)', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  test('matches a bitwise implementation on random data, and the mask formula', () => {
    let x = 12345;
    for (let n = 0; n < 50; n++) {
      const bytes = Uint8Array.from({ length: n * 7 }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
      expect(crc32c(bytes)).toBe(crcBitwise(bytes));
      expect(maskedCrc32c(bytes)).toBe(maskBig(crcBitwise(bytes)));
    }
  });
});

describe('TFRecord framing', () => {
  test('hand-built record: length, header CRC, payload, payload CRC', () => {
    const data = ascii('hello');
    const expected = new Uint8Array(8 + 4 + 5 + 4);
    expected[0] = 5; // uint64 LE length; bytes 1..7 stay zero
    const hdr = expected.subarray(0, 8);
    const dv = new DataView(expected.buffer);
    dv.setUint32(8, maskBig(crcBitwise(hdr)), true);
    expected.set(data, 12);
    dv.setUint32(17, maskBig(crcBitwise(data)), true);
    expect(Array.from(frameRecord(data))).toEqual(Array.from(expected));
  });
});

// --- an independent minimal reader: TFRecord + generic protobuf wire-format decoding ----------

type Field = { field: number; wire: number; value: bigint | Uint8Array | number };

function readVarint(b: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = b[pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

function decodeMessage(b: Uint8Array): Field[] {
  const out: Field[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 0;
  while (pos < b.length) {
    const [key, p1] = readVarint(b, pos);
    pos = p1;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, p2] = readVarint(b, pos);
      out.push({ field, wire, value: v });
      pos = p2;
    } else if (wire === 1) {
      out.push({ field, wire, value: dv.getFloat64(pos, true) });
      pos += 8;
    } else if (wire === 5) {
      out.push({ field, wire, value: dv.getFloat32(pos, true) });
      pos += 4;
    } else if (wire === 2) {
      const [len, p2] = readVarint(b, pos);
      out.push({ field, wire, value: b.subarray(p2, p2 + Number(len)) });
      pos = p2 + Number(len);
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

function readRecords(file: Uint8Array): Uint8Array[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos < file.length) {
    const len = Number(dv.getBigUint64(pos, true));
    expect(dv.getUint32(pos + 8, true)).toBe(maskBig(crcBitwise(file.subarray(pos, pos + 8))));
    const data = file.subarray(pos + 12, pos + 12 + len);
    expect(dv.getUint32(pos + 12 + len, true)).toBe(maskBig(crcBitwise(data)));
    records.push(data);
    pos += 16 + len;
  }
  expect(pos).toBe(file.length);
  return records;
}

const get = (fs: Field[], n: number) => fs.find((f) => f.field === n)?.value;

describe('EventFileWriter', () => {
  test('scalars and histograms round-trip through an independent reader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-'));
    let t = 1000;
    const w = new EventFileWriter(dir, { clock: () => (t += 0.5), suffix: 'test' });
    w.scalar('train/loss', 0.25, 3);
    w.scalar('train/acc', 0.75, 7);
    w.histogram('hessian/eig', [0, 0, 1, 2, 2, 2, 10], 4, 5);
    const files = readdirSync(dir);
    expect(files).toEqual([expect.stringMatching(/^events\.out\.tfevents\.\d+\.test$/)]);
    const records = readRecords(new Uint8Array(readFileSync(join(dir, files[0]!))));
    expect(records).toHaveLength(4);

    const first = decodeMessage(records[0]!);
    expect(new TextDecoder().decode(get(first, 3) as Uint8Array)).toBe('brain.Event:2');
    expect(get(first, 1)).toBe(1001); // the clock was read once for the file name (1000.5)

    const ev = decodeMessage(records[1]!);
    expect(get(ev, 2)).toBe(3n);
    const value = decodeMessage(
      decodeMessage(get(ev, 5) as Uint8Array).find((f) => f.field === 1)!.value as Uint8Array,
    );
    expect(new TextDecoder().decode(get(value, 1) as Uint8Array)).toBe('train/loss');
    expect(get(value, 2)).toBeCloseTo(0.25, 7);
    expect(get(decodeMessage(records[2]!), 2)).toBe(7n);

    const hEvent = decodeMessage(records[3]!);
    const hValue = decodeMessage(decodeMessage(get(hEvent, 5) as Uint8Array)[0]!.value as Uint8Array);
    const histo = decodeMessage(get(hValue, 5) as Uint8Array);
    expect(get(histo, 1)).toBe(0); // min
    expect(get(histo, 2)).toBe(10); // max
    expect(get(histo, 3)).toBe(7); // num
    expect(get(histo, 4)).toBe(17); // sum
    expect(get(histo, 5)).toBe(0 + 0 + 1 + 4 + 4 + 4 + 100); // sum of squares
    const packed = (n: number) => {
      const b = get(histo, n) as Uint8Array;
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      return Array.from({ length: b.length / 8 }, (_, i) => dv.getFloat64(8 * i, true));
    };
    // 5 equal bins over [0, 10]: [0,2) holds 0,0,1; [2,4) holds 2,2,2; the last holds 10.
    expect(packed(6)).toEqual([2, 4, 6, 8, 10]);
    expect(packed(7)).toEqual([3, 3, 0, 0, 1]);
  });
});
