// Figures of the river-valley simulation: both valleys' trajectories and the unforced force against
// Theorem 1's bound.

import { simulateRiverValley } from '@loop/hessian';
import { lineChart, type Datum } from '../../../charts/specs';
import type { ExperimentContext } from '../../../experiment';
import type { TheoryConfig } from '../config';
import { randomCoupling } from '../theory-sim';
import type { Valleys } from './valley-report';

const VALLEYS = ['U valley (Single-Attn-like)', 'V valley (Looped-Attn-like)'] as const;

/** Trajectories of both valleys and the unforced force against Theorem 1's bound. */
export async function valleyFigures(
  ctx: ExperimentContext<unknown>,
  cfg: TheoryConfig,
  cmp: Valleys,
): Promise<void> {
  const traj = trajectories(cfg, cmp);
  await ctx.figure(
    'theory-force',
    lineChart({
      title: 'Unforced cumulative valley force on the river vs Theorem 1 bound (dashed)',
      data: dominantForces(ctx, cfg, cmp),
      x: 'step',
      y: 'force',
      yTitle: '‖F_t‖ (unforced part)',
      color: 'valley',
      rules: [
        { y: cmp.u.forceBound, label: `U bound ${cmp.u.forceBound.toFixed(2)}`, color: '#1f77b4' },
        { y: cmp.v.forceBound, label: `V bound ${cmp.v.forceBound.toFixed(2)}`, color: '#ff7f0e' },
      ],
      yScale: { type: 'symlog' },
    }),
  );
  await ctx.figure(
    'theory-loss',
    lineChart({
      title: 'Loss of the quadratic river-valley model under GD',
      data: traj,
      x: 'step',
      y: 'loss',
      color: 'valley',
      yScale: { type: 'symlog' },
    }),
  );
  await ctx.figure(
    'theory-total-force',
    lineChart({
      title: 'Total cumulative valley force on the river (with coupling feedback)',
      data: traj,
      x: 'step',
      y: 'force',
      color: 'valley',
      yScale: { type: 'symlog' },
    }),
  );
}

/** Both valleys' simulated trajectories, thinned to about 200 points each (the last always kept). */
function trajectories(cfg: TheoryConfig, cmp: Valleys): Datum[] {
  const stride = Math.max(1, Math.floor(cfg.steps / 200));
  const traj: Datum[] = [];
  for (const [label, sim] of [
    [VALLEYS[0], cmp.u],
    [VALLEYS[1], cmp.v],
  ] as const) {
    for (const t of sim.trajectory.filter((_, i) => i % stride === 0 || i === sim.trajectory.length - 1))
      traj.push({
        step: t.step,
        valley: label,
        force: t.cumulativeForce,
        loss: t.loss,
        progress: t.riverProgress,
      });
  }
  return traj;
}

/** Dominant (unforced) cumulative force over steps, from the closed form, on a 20-point grid. */
function dominantForces(ctx: ExperimentContext<unknown>, cfg: TheoryConfig, cmp: Valleys): Datum[] {
  // The same coupling and river gradient as compareValleys drew (same seed and scale).
  const { coupling, riverGradient } = randomCoupling(
    cfg.valleyDim,
    cfg.riverDim,
    ctx.seed,
    cfg.couplingScale,
  );
  const grid = Array.from({ length: 20 }, (_, i) => Math.max(1, Math.round(((i + 1) * cfg.steps) / 20)));
  const dominant: Datum[] = [];
  for (const [label, eig] of [
    [VALLEYS[0], cmp.spectra.u],
    [VALLEYS[1], cmp.spectra.v],
  ] as const) {
    for (const steps of grid)
      dominant.push({
        step: steps,
        valley: label,
        force: simulateRiverValley({ valleyEigenvalues: eig, coupling, riverGradient, lr: cfg.lr, steps })
          .dominantForce,
      });
  }
  return dominant;
}
