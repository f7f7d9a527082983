// The report of `loop-bench perf`: results.json (and --json), the step / second-order / memory
// sections with the targets as verdicts, and the summary printed at the end.

import type { ExperimentContext, ExperimentOutput } from '../../experiment';
import { writeJsonAtomic } from '../../io/atomic';
import type { ReportSection } from '../../report/types';
import type { Table } from '../../summary-table';
import { MAX_WARMUP_STEPS, type PerfConfig } from './config';
import { f1, f2 } from './format';
import type { Measured } from './measure';
import { hvpTableOf, memTableOf, stepTableOf } from './report-tables';
import { perfResults, type PerfResults, type Tensors } from './results';
import { perfVerdicts } from './verdicts';

/** The report's three tables. */
interface PerfTables {
  step: Table;
  hvp: Table;
  mem: Table;
}

/** Builds results.json (and `--json`), the report sections and the summary from the measurements. */
export function perfReport(
  ctx: ExperimentContext<PerfConfig>,
  cfg: PerfConfig,
  measured: Measured,
  tensors: Tensors,
  rss: number,
): ExperimentOutput {
  const results = perfResults(ctx, measured, tensors, rss);
  if (cfg.json) writeJsonAtomic(cfg.json, results);
  const tables: PerfTables = {
    step: stepTableOf(ctx, measured, results),
    hvp: hvpTableOf(measured),
    mem: memTableOf(results, rss),
  };
  return {
    results,
    sections: sections(cfg, measured, results, tables),
    summary: summaryTables(measured, tables),
  };
}

function sections(
  cfg: PerfConfig,
  measured: Measured,
  results: PerfResults,
  tables: PerfTables,
): ReportSection[] {
  return [
    {
      title: 'Training step',
      blocks: [
        {
          kind: 'text',
          markdown: [
            `One step = forward over all loops (read-out after every loop), token-mean cross-entropy at the last loop, backward, AdamW (lr ${1e-3}, weight decay 0.01). Random tokens from a 6-symbol one-hot vocabulary, full mask. Warm-up: at least ${cfg.warmup} step(s) and ${cfg.warmupSeconds} s (at most ${MAX_WARMUP_STEPS} steps; the peer runs as many), then ${cfg.rounds} round(s) alternating ours and the peer.`,
            `${results.load}`,
          ].join('\n\n'),
        },
        { kind: 'table', table: tables.step },
      ],
    },
    {
      title: 'Second order',
      blocks: [
        {
          kind: 'text',
          markdown: `Gradient = forward + backward; HVP = double backprop of <gradient, v> (\`@loop/hessian\` gradientVector and hvp, both read back), ${cfg.hvp.repeats} of each alternately after a warm-up. The torch columns (with --peer torch) time the same GPT model and step loss in peers/torch_step.py (torch.autograd.grad with create_graph=True) on ${cfg.peerThreads} thread(s), just before ours.`,
        },
        { kind: 'table', table: tables.hvp },
      ],
    },
    { title: 'Memory', blocks: [{ kind: 'table', table: tables.mem }] },
    { title: 'Targets (issue 9)', blocks: perfVerdicts(measured, results) },
  ];
}

/** The tables printed at the end: the step table's first columns, HVP / gradient, memory. */
function summaryTables(measured: Measured, tables: PerfTables): Table[] {
  return [
    {
      title: tables.step.title!,
      columns: ['config', 'ms [IQR]', 'tok/s', 'GFLOP/s', '% peak', 'torch ms', 'ratio'],
      rows: tables.step.rows.map((r) => r.slice(0, 7)),
      note: tables.step.note,
    },
    {
      title: 'HVP / gradient',
      columns: ['model', 'grad ms', 'HVP ms', 'ratio', 'torch ratio'],
      rows: measured.hvps.map((h) => [
        h.model,
        f1(h.gradMs.median),
        f1(h.hvpMs.median),
        f2(h.ratio),
        h.peer ? f2(h.peer.ratio) : null,
      ]),
      ...(tables.hvp.note ? { note: tables.hvp.note } : {}),
    },
    tables.mem,
  ];
}
