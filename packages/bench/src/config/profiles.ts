export const PROFILE_NAMES = ['smoke', 'quick', 'full', 'paper', 'cpu'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
/** Profiles every experiment defines; the others (cpu) only where a study needs them. */
export type CoreProfileName = 'smoke' | 'quick' | 'full' | 'paper';

export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What a profile means for every experiment (each experiment documents its own numbers). */
export const PROFILE_PURPOSE: Record<ProfileName, string> = {
  smoke: 'seconds; exercised by the tests; numbers are not meaningful',
  quick: 'minutes on 2 CPU cores; the qualitative results should be visible if they hold',
  full: 'more seeds and epochs; hours on CPU',
  paper: "the paper's hyperparameters where it states them; meant for a GPU (tfjs-node-gpu)",
  cpu: 'the decisive run sized for 2 CPU cores (about a day of machine time, as resumable shards); only where a study defines it (algorithmic)',
};

/** A profile's defaults for one experiment: the config, the number of seeds, and why. */
export interface ProfileSettings<C> {
  seeds: number;
  config: C;
  why: string;
}

/** An experiment's profiles: the four core ones, and the optional ones it defines. */
export type ExperimentProfiles<C> = Record<CoreProfileName, ProfileSettings<C>> &
  Partial<Record<Exclude<ProfileName, CoreProfileName>, ProfileSettings<C>>>;

/** The names of the profiles an experiment defines, in PROFILE_NAMES order. */
export function definedProfiles(profiles: ExperimentProfiles<unknown>): ProfileName[] {
  return PROFILE_NAMES.filter((p) => profiles[p] !== undefined);
}
