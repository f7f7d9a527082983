/**
 * Minimal safetensors reader/writer: 8-byte little-endian header length N, N bytes of JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { [k]: string } }` padded
 * with spaces to a multiple of 8, then the raw little-endian tensor bytes. F32 and I32 supported.
 */

export interface TensorData {
  shape: number[];
  data: Float32Array | Int32Array;
}

export type TensorMap = Record<string, TensorData>;

const DTYPE_BYTES = { F32: 4, I32: 4 } as const;
type DType = keyof typeof DTYPE_BYTES;

function dtypeOf(t: TensorData): DType {
  if (t.data instanceof Float32Array) return 'F32';
  if (t.data instanceof Int32Array) return 'I32';
  throw new Error('safetensors: data must be a Float32Array or Int32Array');
}

const product = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Serialise tensors (in key order) with optional string metadata. */
export function encodeSafetensors(tensors: TensorMap, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    if (product(t.shape) !== t.data.length) {
      throw new Error(
        `safetensors: tensor '${name}' has ${t.data.length} values but shape [${t.shape.join(', ')}]`,
      );
    }
    const bytes = t.data.length * 4;
    header[name] = { dtype: dtypeOf(t), shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  while (Buffer.byteLength(json) % 8 !== 0) json += ' ';
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name];
    const src = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    src.copy(out, pos);
    pos += src.length;
  }
  return out;
}

/** Parse a safetensors buffer; every structural problem throws naming `source` and the field. */
export function decodeSafetensors(
  buf: Buffer,
  source = 'safetensors',
): { tensors: TensorMap; metadata: Record<string, string> } {
  if (buf.length < 8)
    throw new Error(`${source}: truncated file (${buf.length} bytes; need at least 8 for the header length)`);
  const n = Number(buf.readBigUInt64LE(0));
  if (n > buf.length - 8)
    throw new Error(
      `${source}: truncated or corrupt file: header length ${n} exceeds the ${buf.length - 8} bytes after it`,
    );
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${source}: corrupt header JSON (${(err as Error).message})`, { cause: err });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw new Error(`${source}: header must be a JSON object`);
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;
  const tensors: TensorMap = {};
  let metadata: Record<string, string> = {};
  let maxEnd = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32' && e.dtype !== 'I32')
      throw new Error(`${source}: tensor '${name}' has unsupported dtype ${String(e.dtype)} (F32 or I32)`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${source}: tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const off = e.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((x) => Number.isInteger(x) && x >= 0) ||
      off[1] < off[0]
    ) {
      throw new Error(`${source}: tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    const shape = e.shape as number[];
    if (end - begin !== product(shape) * DTYPE_BYTES[e.dtype]) {
      throw new Error(
        `${source}: tensor '${name}' spans ${end - begin} bytes but shape [${shape.join(', ')}] needs ${product(shape) * 4}`,
      );
    }
    if (end > dataLen) {
      throw new Error(
        `${source}: truncated file: tensor '${name}' ends at byte ${end} of the data section but only ${dataLen} bytes are present`,
      );
    }
    maxEnd = Math.max(maxEnd, end);
    // Copy: the slice may not be 4-byte aligned inside the file buffer.
    const bytes = Buffer.from(buf.subarray(dataStart + begin, dataStart + end));
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    tensors[name] = { shape, data: e.dtype === 'F32' ? new Float32Array(ab) : new Int32Array(ab) };
  }
  if (maxEnd !== dataLen)
    throw new Error(`${source}: corrupt file: data section has ${dataLen} bytes but tensors cover ${maxEnd}`);
  return { tensors, metadata };
}
