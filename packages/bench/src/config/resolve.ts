import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { deepMerge, isPlainObject } from './merge';
import {
  BACKEND_NAMES,
  PROFILE_NAMES,
  type BackendName,
  definedProfiles,
  type ExperimentProfiles,
  type ProfileName,
  type ProfileSettings,
} from './profiles';

/** Thrown for any invalid user input; the CLI prints `message` and exits with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Raw CLI options as strings (commander), validated here so every problem is reported at once. */
export const cliOptionsSchema = z.strictObject({
  profile: z.enum(PROFILE_NAMES),
  backend: z.enum(BACKEND_NAMES),
  out: z.string().min(1).optional(),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  seeds: z.coerce.number().int().min(1).max(100).optional(),
  config: z.string().min(1).optional(),
  threads: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(64)], {
      error: "--threads must be 'auto' or an integer in 1..64",
    })
    .optional(),
  force: z.boolean(),
  resume: z.boolean(),
  tensorboard: z.boolean(),
  quiet: z.boolean(),
  verbose: z.boolean(),
});
export type CliOptions = z.output<typeof cliOptionsSchema>;

/** Fields every experiment accepts in a --config file besides its own. */
const commonSchema = z.strictObject({
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  seeds: z.number().int().min(1).max(100),
});

export interface ResolvedConfig<C> {
  experiment: string;
  profile: ProfileName;
  backend: BackendName;
  seed: number;
  seeds: number[];
  config: C;
}

function fail(header: string, error: z.ZodError): never {
  throw new ConfigError(`${header}\n${z.prettifyError(error)}`);
}

export function validateCliOptions(raw: Record<string, unknown>): CliOptions {
  const parsed = cliOptionsSchema.safeParse({
    force: false,
    resume: false,
    tensorboard: false,
    quiet: false,
    verbose: false,
    ...raw,
  });
  if (!parsed.success) fail('invalid command-line options:', parsed.error);
  if (parsed.data.force && parsed.data.resume) {
    throw new ConfigError(
      'invalid command-line options:\n✖ --force and --resume exclude each other; pass one',
    );
  }
  return parsed.data;
}

export function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new ConfigError(`--config ${path}: file not found`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`--config ${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(data))
    throw new ConfigError(`--config ${path}: must hold a JSON object, got ${JSON.stringify(data)}`);
  return data;
}

/** One profile of an experiment; a profile the experiment does not define is a ConfigError. */
export function profileSettings<C>(
  experiment: string,
  profiles: ExperimentProfiles<C>,
  name: ProfileName,
): ProfileSettings<C> {
  const p = profiles[name];
  if (p === undefined) {
    throw new ConfigError(
      `--profile ${name}: '${experiment}' has no ${name} profile; use one of ${definedProfiles(profiles).join(', ')}`,
    );
  }
  return p;
}

/**
 * Profile defaults <- --config file (deep merge) <- --seed/--seeds flags, then validated with the
 * experiment's strict schema. Every problem (unknown key, wrong type, out-of-range value) is reported
 * with its path in one ConfigError.
 */
export function resolveConfig<C>(args: {
  experiment: string;
  schema: z.ZodType<C>;
  profiles: ExperimentProfiles<unknown>;
  options: CliOptions;
  file?: Record<string, unknown>;
}): ResolvedConfig<C> {
  const { options } = args;
  const profile = profileSettings(args.experiment, args.profiles, options.profile);
  const { seed: fileSeed, seeds: fileSeeds, ...fileRest } = args.file ?? {};
  const common = commonSchema.safeParse({
    seed: options.seed ?? fileSeed ?? 0,
    seeds: options.seeds ?? fileSeeds ?? profile.seeds,
  });
  const merged = deepMerge(profile.config, fileRest);
  const parsed = args.schema.safeParse(merged);
  const issues = [
    ...(common.success ? [] : common.error.issues),
    ...(parsed.success ? [] : parsed.error.issues),
  ];
  if (issues.length > 0) {
    fail(
      `invalid configuration for '${args.experiment}' (profile ${options.profile}${options.config ? ` + ${options.config}` : ''}):`,
      new z.ZodError(issues),
    );
  }
  const seed = common.data!.seed;
  return {
    experiment: args.experiment,
    profile: options.profile,
    backend: options.backend,
    seed,
    seeds: Array.from({ length: common.data!.seeds }, (_, i) => seed + i),
    config: parsed.data as C,
  };
}
