import { formatCell, type Table } from '../summary-table';
import type { ReportBlock, ReportDocument } from './types';

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(t: Table): string {
  const lines = [] as string[];
  if (t.title) lines.push(`**${t.title}**`, '');
  lines.push(`| ${t.columns.map(escapeCell).join(' | ')} |`);
  lines.push(`|${t.columns.map(() => '---').join('|')}|`);
  for (const r of t.rows)
    lines.push(`| ${t.columns.map((_, j) => escapeCell(formatCell(r[j]))).join(' | ')} |`);
  if (t.note) lines.push('', t.note);
  return lines.join('\n');
}

export function verdictLabel(held: boolean | 'partly' | 'n/a'): string {
  if (held === true) return 'HELD';
  if (held === false) return 'DID NOT HOLD';
  return held === 'partly' ? 'PARTLY' : 'N/A';
}

function block(b: ReportBlock): string {
  switch (b.kind) {
    case 'text':
      return b.markdown.trim();
    case 'table':
      return markdownTable(b.table);
    case 'figure':
      return `![${b.caption ?? b.name}](figures/${b.name}.svg)${b.caption ? `\n\n*${b.caption}*` : ''}`;
    case 'verdict':
      return `- **${verdictLabel(b.held)}**: ${b.claim} — ${b.evidence}`;
  }
}

export function renderMarkdown(doc: ReportDocument): string {
  const out = [`# ${doc.title}`, ''];
  for (const [k, v] of Object.entries(doc.meta)) out.push(`- **${k}**: ${v}`);
  for (const s of doc.sections) {
    out.push('', `## ${s.title}`);
    for (const b of s.blocks) out.push('', block(b));
  }
  return `${out.join('\n')}\n`;
}
