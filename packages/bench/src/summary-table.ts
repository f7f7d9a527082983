export type Cell = string | number | null | undefined;

export interface Table {
  title?: string;
  columns: string[];
  rows: Cell[][];
  /** Printed under the table (markdown/html: a paragraph). */
  note?: string;
}

/** Formats a cell: numbers with up to `digits` significant decimals, null as an en dash. */
export function formatCell(c: Cell, digits = 4): string {
  if (c === null || c === undefined) return '–';
  if (typeof c === 'number') {
    if (!Number.isFinite(c)) return String(c);
    if (Number.isInteger(c)) return String(c);
    const a = Math.abs(c);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return c.toExponential(2);
    return c.toFixed(digits).replace(/\.?0+$/, '');
  }
  return c;
}

/** Plain-text table with aligned columns (the final summary on stdout). */
export function renderTextTable(t: Table): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map((c) => formatCell(c)))];
  const widths = t.columns.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, j) => (c ?? '').padEnd(widths[j]!))
      .join('  ')
      .trimEnd();
  const out = [] as string[];
  if (t.title) out.push(t.title);
  out.push(line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) out.push(line(r));
  if (t.note) out.push(t.note);
  return `${out.join('\n')}\n`;
}
