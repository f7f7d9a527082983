// A Hessian snapshot of a run: the full Hessian of the probe loss, its spectrum and landscape
// figures, kept in the run state and recorded as metrics and an eigenvalue histogram.

import { HessianTracker, type HessianSnapshot } from '@loop/hessian';
import type { ExperimentContext } from '../../../experiment';
import type { RunState } from './state';
import type { HessianPoint } from './types';

/** The full Hessian of the probe loss under `loops`, its spectrum and landscape figures, recorded. */
export function hessianSnapshot(
  ctx: ExperimentContext<unknown>,
  st: RunState,
  epoch: number,
  loops: number,
): void {
  const snap: HessianSnapshot = trackerOf(st, loops).snapshot(epoch);
  const eig = snap.spectrum && 'eigenvalues' in snap.spectrum ? snap.spectrum.eigenvalues : [];
  const rv = snap.riverValley;
  const h: HessianPoint = {
    epoch,
    dim: snap.dim,
    entropy: snap.entropy.entropy,
    effectiveRank: snap.entropy.effectiveRank,
    negativeMassFraction: snap.entropy.negativeMassFraction,
    mutualInformation: snap.mutualInformation?.mutualInformation ?? null,
    riverDim: rv.riverDim,
    valleyDim: rv.valleyDim,
    conditionNumber: rv.conditionNumber,
    shape: rv.shape,
    lowCurvatureValleyCount: rv.lowCurvatureValleyCount,
    eigenvalues: eig,
    seconds: snap.seconds,
  };
  st.hessian.push(h);
  const { eigenvalues: _v, shape, ...hv } = h;
  ctx.metric({
    series: 'hessian',
    run: st.runName,
    step: epoch,
    values: { ...hv, shapeV: shape === 'V' ? 1 : 0 },
  });
  ctx.histogram({ series: 'hessian', run: st.runName, step: epoch, name: 'eigenvalues', values: eig });
}

/** The run's tracker for `loops`, made on first use. */
function trackerOf(st: RunState, loops: number): HessianTracker {
  let tracker = st.trackers.get(loops);
  if (!tracker) {
    tracker = new HessianTracker({
      lossFn: () => st.model.loss(st.hx!, st.hy!, loops),
      params: st.model.parameters(loops),
      method: 'full',
      includeSpectrum: true,
    });
    st.trackers.set(loops, tracker);
  }
  return tracker;
}
