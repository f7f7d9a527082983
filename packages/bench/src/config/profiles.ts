export const PROFILE_NAMES = ['smoke', 'quick', 'full', 'paper'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What a profile means for every experiment (each experiment documents its own numbers). */
export const PROFILE_PURPOSE: Record<ProfileName, string> = {
  smoke: 'seconds; exercised by the tests; numbers are not meaningful',
  quick: 'minutes on 2 CPU cores; the qualitative results should be visible if they hold',
  full: 'more seeds and epochs; hours on CPU',
  paper: "the paper's hyperparameters where it states them; meant for a GPU (tfjs-node-gpu)",
};

/** A profile's defaults for one experiment: the config, the number of seeds, and why. */
export interface ProfileSettings<C> {
  seeds: number;
  config: C;
  why: string;
}
