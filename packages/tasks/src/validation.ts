/**
 * Argument checks shared by every generator. Each failure throws a RangeError (or TypeError for a
 * wrong type) whose message names the argument, the bad value and the allowed range, so that a bad
 * call never produces a silently wrong batch.
 */

/** Error thrown for an invalid argument of a @loop/tasks function. */
export class TaskArgumentError extends RangeError {
  readonly argument: string;
  constructor(argument: string, message: string) {
    super(message);
    this.name = 'TaskArgumentError';
    this.argument = argument;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value))
    return `[${value.slice(0, 8).map(show).join(', ')}${value.length > 8 ? ', ...' : ''}]`;
  return String(value);
}

/** Throws unless `value` is an integer in [lo, hi]. */
export function checkInt(
  name: string,
  value: unknown,
  lo: number,
  hi: number = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    const range = hi === Number.MAX_SAFE_INTEGER ? `an integer >= ${lo}` : `an integer in [${lo}, ${hi}]`;
    throw new TaskArgumentError(name, `${name} must be ${range}; got ${show(value)}`);
  }
  return value;
}

/** Throws unless `value` is a finite number in [lo, hi]. */
export function checkNumber(name: string, value: unknown, lo = -Infinity, hi = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) {
    const range =
      lo === -Infinity && hi === Infinity
        ? 'a finite number'
        : hi === Infinity
          ? `a finite number >= ${lo}`
          : `a finite number in [${lo}, ${hi}]`;
    throw new TaskArgumentError(name, `${name} must be ${range}; got ${show(value)}`);
  }
  return value;
}

/** Throws unless `value` is one of `allowed`. */
export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new TaskArgumentError(
      name,
      `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${show(value)}`,
    );
  }
  return value as T;
}

/** Throws unless `value` is an array of integers in [lo, hi] with a length in [minLen, maxLen]. */
export function checkTokens(
  name: string,
  value: unknown,
  lo: number,
  hi: number,
  minLen = 0,
  maxLen = Number.MAX_SAFE_INTEGER,
): readonly number[] {
  const arr = value as ArrayLike<number> | null | undefined;
  if (arr === null || arr === undefined || typeof arr !== 'object' || typeof arr.length !== 'number') {
    throw new TaskArgumentError(name, `${name} must be an array of integers; got ${show(value)}`);
  }
  if (arr.length < minLen || arr.length > maxLen) {
    throw new TaskArgumentError(
      name,
      `${name} must have a length in [${minLen}, ${maxLen}]; got length ${arr.length}`,
    );
  }
  const out = Array.from(arr);
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new TaskArgumentError(name, `${name}[${i}] must be an integer in [${lo}, ${hi}]; got ${show(v)}`);
    }
  }
  return out;
}
