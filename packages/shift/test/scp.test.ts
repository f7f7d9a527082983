import { shiftCriterion, type CriterionDecision, type ShiftCriterionOptions } from '../src';

const opts: ShiftCriterionOptions = {
  plateauDelta: 0.01,
  plateauPatience: 3,
  gradDelta: 0.1,
  gradPatience: 2,
};

function run(o: ShiftCriterionOptions, losses: number[], grads: number[]): CriterionDecision[] {
  const c = shiftCriterion(o);
  return losses.map((valLoss, i) => c.update({ step: (i + 1) * 10, valLoss, gradNorm: grads[i] as number }));
}

describe('shiftCriterion (SCP) on synthetic curves', () => {
  it('detects the plateau after plateauPatience non-improving evaluations, then waits gradPatience stable ones', () => {
    // Best 0.5 at eval 4 (step 40); evals 5,6,7 fail to improve by > 0.01 -> plateau at step 70.
    const losses = [1.0, 0.8, 0.6, 0.5, 0.499, 0.5, 0.495, 0.49, 0.49, 0.49, 0.49];
    // After the plateau: eval 8 jumps (rel 1.0), eval 9 rel 0.05, eval 10 rel ~0.024 -> shift at step 100.
    const grads = [5, 4, 3, 2, 1.5, 1.2, 1.0, 2.0, 2.1, 2.15, 2.15];
    const d = run(opts, losses, grads);
    const firstPlateau = d.findIndex((x) => x.phase === 'gradient-wait');
    expect(firstPlateau).toBe(6);
    expect(d[6]?.plateauStep).toBe(70);
    const fired = d.map((x, i) => (x.shift ? i : -1)).filter((i) => i >= 0);
    expect(fired).toEqual([9]);
    expect(d[9]).toMatchObject({ shift: true, phase: 'shifted', plateauStep: 70, shiftStep: 100 });
    expect(d[9]?.reason).toMatch(/plateau at step 70/);
    expect(d[10]).toMatchObject({ shift: false, phase: 'shifted', shiftStep: 100 });
  });

  it('never fires before the plateau, even with a perfectly stable gradient norm', () => {
    const losses = [1, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8];
    const grads = losses.map(() => 1);
    const d = run(opts, losses, grads);
    // best at eval 3 (0.8); evals 4,5,6 -> plateau at index 5; stable evals 6,7 -> shift at index 7.
    expect(d.findIndex((x) => x.phase !== 'plateau-search')).toBe(5);
    expect(d.findIndex((x) => x.shift)).toBe(7);
    expect(d.slice(0, 7).every((x) => !x.shift)).toBe(true);
  });

  it('does not fire on a steadily decreasing loss', () => {
    const losses = Array.from({ length: 300 }, (_, i) => 10 - 0.02 * i);
    const grads = losses.map(() => 1);
    const d = run(opts, losses, grads);
    expect(d.some((x) => x.shift)).toBe(false);
    expect(d.every((x) => x.phase === 'plateau-search')).toBe(true);
  });

  it('an improvement larger than plateauDelta resets the plateau count; a smaller one does not', () => {
    // 1.0 best; 0.995 (< delta, counts 1); 0.994 (2); 0.98 (> delta: new best, reset); then 3 flat -> plateau at index 6.
    const losses = [1.0, 0.995, 0.994, 0.98, 0.98, 0.975, 0.979];
    const d = run(
      opts,
      losses,
      losses.map(() => 1),
    );
    expect(d.findIndex((x) => x.phase === 'gradient-wait')).toBe(6);
  });

  it('an unstable gradient evaluation restarts the gradient patience', () => {
    const o = { ...opts, plateauPatience: 1, gradPatience: 3 };
    const losses = [1, 1, 1, 1, 1, 1, 1, 1, 1];
    // plateau at index 1. Then rel changes: i2 0.0 (1), i3 0.0 (2), i4 0.5 (reset), i5..i7 stable -> shift at 7.
    const grads = [1, 1, 1, 1, 1.5, 1.5, 1.5, 1.5, 1.5];
    const d = run(o, losses, grads);
    expect(d[1]?.phase).toBe('gradient-wait');
    expect(d.findIndex((x) => x.shift)).toBe(7);
  });

  it('maxWait shifts after a bounded wait even if the gradient never settles', () => {
    const o = { ...opts, plateauPatience: 1, maxWait: 4 };
    const losses = Array.from({ length: 10 }, () => 1);
    const grads = losses.map((_, i) => (i % 2 === 0 ? 1 : 3));
    const d = run(o, losses, grads);
    expect(d.findIndex((x) => x.shift)).toBe(5);
    expect(d[5]?.reason).toMatch(/maxWait/);
  });

  it('state survives a JSON round trip mid-curve and gives the same decisions', () => {
    const losses = [1.0, 0.8, 0.6, 0.5, 0.499, 0.5, 0.495, 0.49, 0.49, 0.49, 0.49];
    const grads = [5, 4, 3, 2, 1.5, 1.2, 1.0, 2.0, 2.1, 2.15, 2.15];
    const full = run(opts, losses, grads);
    const a = shiftCriterion(opts);
    for (let i = 0; i < 7; i++)
      a.update({ step: (i + 1) * 10, valLoss: losses[i] as number, gradNorm: grads[i] as number });
    const b = shiftCriterion(opts, JSON.parse(JSON.stringify(a.state())));
    const rest = losses
      .slice(7)
      .map((l, j) => b.update({ step: (j + 8) * 10, valLoss: l, gradNorm: grads[j + 7] as number }));
    expect(rest).toEqual(full.slice(7));
  });

  it('rejects bad options and non-finite observations with clear messages', () => {
    expect(() => shiftCriterion({ ...opts, plateauPatience: 0 })).toThrow(
      /criterion\.plateauPatience = 0 .*integer >= 1/,
    );
    expect(() => shiftCriterion({ ...opts, gradPatience: 1.5 })).toThrow(/criterion\.gradPatience = 1\.5/);
    expect(() => shiftCriterion({ ...opts, plateauDelta: -0.1 })).toThrow(
      /criterion\.plateauDelta = -0\.1 .*>= 0/,
    );
    expect(() => shiftCriterion({ ...opts, gradDelta: 0 })).toThrow(/criterion\.gradDelta = 0 .*> 0/);
    const c = shiftCriterion(opts);
    expect(() => c.update({ step: 5, valLoss: NaN, gradNorm: 1 })).toThrow(/valLoss = NaN at step 5/);
  });
});
