// What a finished run leaves: results.json, report.md and report.html, and the closing lines on
// stdout (the verdicts, the seeds, where the report is).

import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { ExperimentOutput } from './experiment';
import type { RunDir } from './io/run-dir';
import { renderHtml } from './report/html';
import { renderMarkdown, verdictLabel } from './report/markdown';
import type { ReportDocument } from './report/types';
import type { Session } from './run-plan';
import { VERSION } from './version';
import { describeBackend } from './backend';

/** results.json and the reports; returns the report's metadata. */
export function writeOutputs<C>(
  { experiment, run, plan, backend, dir }: Session<C>,
  r: { output: ExperimentOutput; wallTimeS: number; commit: string | null; figures: Map<string, string> },
) {
  const { resolved } = plan;
  const meta = {
    experiment: experiment.name,
    profile: `${resolved.profile} (${experiment.profiles[resolved.profile]!.why})`,
    backend: describeBackend(backend),
    seeds: r.output.seedsRun ?? resolved.seeds.join(', '),
    'wall time': `${r.wallTimeS.toFixed(1)} s`,
    versions: `loop-bench ${VERSION} (commit ${r.commit ?? 'unknown'}), tfjs ${tf.version_core}, node ${process.version}`,
    command: run.command ? `\`${run.command}\`` : '(programmatic)',
  };
  dir.writeJson('results.json', {
    experiment: experiment.name,
    profile: resolved.profile,
    backend,
    seeds: resolved.seeds,
    wallTimeS: r.wallTimeS,
    version: VERSION,
    tfjs: tf.version_core,
    results: r.output.results,
    report: { meta, sections: r.output.sections },
  });
  writeReport(
    dir,
    {
      title: `loop-bench ${experiment.name} — profile ${resolved.profile}`,
      meta,
      sections: r.output.sections,
    },
    r.figures,
  );
  return meta;
}

/** The end of a run on stdout: every claim's verdict (one line each), the seeds that ran, the report. */
export function closingLines(output: ExperimentOutput, seeds: string, reportPath: string): string {
  const seen = new Set<string>();
  const verdicts: string[] = [];
  for (const s of output.sections)
    for (const b of s.blocks) {
      if (b.kind !== 'verdict') continue;
      const line = `  ${verdictLabel(b.held).padEnd(12)} ${b.claim}`;
      if (!seen.has(line)) verdicts.push(line);
      seen.add(line);
    }
  return [
    '',
    ...(verdicts.length ? ['Verdicts (evidence in the report):', ...verdicts, ''] : []),
    `seeds: ${seeds}`,
    `report: ${reportPath}`,
    '',
  ].join('\n');
}

/** Writes report.md and report.html; figure SVGs come from `figures` or from figures/*.svg on disk. */
export function writeReport(
  dir: RunDir,
  doc: ReportDocument,
  figures: Map<string, string> = new Map(),
): void {
  const svgOf = (name: string): string | undefined => {
    const cached = figures.get(name);
    if (cached) return cached;
    const p = dir.file('figures', `${name}.svg`);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  };
  dir.writeText('report.md', renderMarkdown(doc));
  dir.writeText('report.html', renderHtml(doc, svgOf));
}
