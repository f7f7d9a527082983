import { formatCell, type Table } from '../summary-table';
import { verdictLabel } from './markdown';
import type { ReportBlock, ReportDocument } from './types';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The small markdown subset used in report text: paragraphs, `- ` lists, **bold**, *italic*, `code`. */
export function inlineMarkdown(s: string): string {
  return escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>');
}

function markdownToHtml(md: string): string {
  const parts = md.trim().split(/\n\s*\n/);
  return parts
    .map((p) => {
      const lines = p.split('\n');
      if (lines.every((l) => /^\s*[-*] /.test(l))) {
        return `<ul>${lines.map((l) => `<li>${inlineMarkdown(l.replace(/^\s*[-*] /, ''))}</li>`).join('')}</ul>`;
      }
      return `<p>${inlineMarkdown(p)}</p>`;
    })
    .join('\n');
}

export function htmlTable(t: Table): string {
  const head = `<tr>${t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = t.rows
    .map((r) => `<tr>${t.columns.map((_, j) => `<td>${escapeHtml(formatCell(r[j]))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<figure class="table">${t.title ? `<figcaption>${escapeHtml(t.title)}</figcaption>` : ''}<table>${head}\n${rows}</table>${
    t.note ? `<p class="note">${inlineMarkdown(t.note)}</p>` : ''
  }</figure>`;
}

/** Strips the XML prolog so the SVG can be inlined in HTML. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}

function block(b: ReportBlock, svgOf: (name: string) => string | undefined): string {
  switch (b.kind) {
    case 'text':
      return markdownToHtml(b.markdown);
    case 'table':
      return htmlTable(b.table);
    case 'figure': {
      const svg = svgOf(b.name);
      const body = svg
        ? inlineSvg(svg)
        : `<p class="missing">figure ${escapeHtml(b.name)} was not rendered</p>`;
      return `<figure>${body}${b.caption ? `<figcaption>${inlineMarkdown(b.caption)}</figcaption>` : ''}</figure>`;
    }
    case 'verdict': {
      const cls = b.held === true ? 'held' : b.held === false ? 'failed' : 'partly';
      return `<p class="verdict ${cls}"><strong>${verdictLabel(b.held)}</strong>: ${inlineMarkdown(b.claim)} — ${inlineMarkdown(b.evidence)}</p>`;
    }
  }
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}figure{margin:1em 0}
figcaption{font-size:.9em;color:#555}.verdict{padding:.3em .6em;border-left:4px solid #999}
.held{border-color:#2a7}.failed{border-color:#c33}.partly{border-color:#d90}code{background:#f5f5f5;padding:0 .2em}
.note{font-size:.85em;color:#555}svg{max-width:100%;height:auto}`;

/** Self-contained HTML: inline CSS and inline SVG figures, no external requests. */
export function renderHtml(doc: ReportDocument, svgOf: (name: string) => string | undefined): string {
  const meta = Object.entries(doc.meta)
    .map(([k, v]) => `<li><strong>${escapeHtml(k)}</strong>: ${inlineMarkdown(v)}</li>`)
    .join('');
  const sections = doc.sections
    .map(
      (s) =>
        `<section><h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map((b) => block(b, svgOf)).join('\n')}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(doc.title)}</h1><ul>${meta}</ul>
${sections}
</body></html>
`;
}
