// Small argument checks that throw errors naming the field, the bad value and the allowed range.

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function fail(field: string, value: unknown, allowed: string): never {
  throw new ConfigError(`${field} = ${show(value)} is invalid: expected ${allowed}`);
}

export function checkNumber(
  field: string,
  value: unknown,
  opts: { min?: number; max?: number; minExclusive?: boolean } = {},
): number {
  const { min, max, minExclusive = false } = opts;
  const range =
    min === undefined && max === undefined
      ? 'a finite number'
      : `a finite number ${min === undefined ? '' : minExclusive ? `> ${min}` : `>= ${min}`}${min !== undefined && max !== undefined ? ' and ' : ''}${max === undefined ? '' : `<= ${max}`}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, value, range);
  if (min !== undefined && (minExclusive ? value <= min : value < min)) fail(field, value, range);
  if (max !== undefined && value > max) fail(field, value, range);
  return value;
}

export function checkInt(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    fail(field, value, range);
  return value;
}
