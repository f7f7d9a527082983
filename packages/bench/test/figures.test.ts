// Rendered figures as a reader sees them: legends whose entries differ, a tick at 1 on log counts,
// loss curves with SHIFT's switch. Rendered in a real Node process (vega is ESM-only).
import { runTs } from './helpers';

interface Rendered {
  stoppingLegend: { label: string; symbol: string }[];
  histTicks: string[];
  lossLegend: { label: string; symbol: string }[];
  lossHasSwitch: boolean;
}

describe('rendered figures', () => {
  let r: Rendered;
  beforeAll(() => {
    const run = runTs('test/fixtures/render-figures.ts', [], 120_000);
    expect(run.code).toBe(0);
    r = JSON.parse(run.out) as Rendered;
  }, 120_000);

  it('accuracy vs length: each stopping rule has its own legend symbol', () => {
    expect(r.stoppingLegend.map((e) => e.label)).toEqual(['adaptive', 'oracle T(n)', 'one pass']);
    expect(new Set(r.stoppingLegend.map((e) => e.symbol)).size).toBe(3);
  });

  it('log-scale histogram counts have ticks at 0, 1, 10, 100', () => {
    const y = r.histTicks.slice(r.histTicks.lastIndexOf('0'));
    expect(y).toEqual(['0', '1', '10', '100']);
  });

  it('loss curves: train and validation have different dashes in the legend; the switch is marked', () => {
    expect(r.lossLegend.map((e) => e.label)).toEqual(['train', 'validation']);
    expect(r.lossLegend[0]!.symbol).not.toBe(r.lossLegend[1]!.symbol);
    expect(r.lossHasSwitch).toBe(true);
  });
});
