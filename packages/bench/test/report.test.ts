import { renderHtml } from '../src/report/html';
import { markdownTable, renderMarkdown } from '../src/report/markdown';
import { spread, pct } from '../src/stats';
import { formatCell, renderTextTable } from '../src/summary-table';

describe('tables and reports', () => {
  const table = {
    title: 'T',
    columns: ['length', 'acc'],
    rows: [
      [4, 0.5],
      [5, null],
    ],
    note: 'paper: x',
  };

  test('text table: aligned columns, dash for missing', () => {
    expect(renderTextTable(table)).toBe('T\nlength  acc\n------  ---\n4       0.5\n5       –\npaper: x\n');
  });

  test('markdown table', () => {
    expect(markdownTable(table)).toBe(
      '**T**\n\n| length | acc |\n|---|---|\n| 4 | 0.5 |\n| 5 | – |\n\npaper: x',
    );
  });

  test('cell formatting', () => {
    expect(formatCell(0.123456789)).toBe('0.1235');
    expect(formatCell(2)).toBe('2');
    expect(formatCell(1.5e-5)).toBe('1.50e-5');
    expect(formatCell('a|b')).toBe('a|b');
  });

  test('html escapes text and inlines figures without external references', () => {
    const doc = {
      title: 'R <1>',
      meta: { backend: 'wasm' },
      sections: [
        {
          title: 'S',
          blocks: [
            { kind: 'text' as const, markdown: 'a **b** <script>' },
            { kind: 'figure' as const, name: 'f', caption: 'cap' },
            { kind: 'figure' as const, name: 'missing' },
            { kind: 'verdict' as const, claim: 'c', held: false, evidence: 'e' },
          ],
        },
      ],
    };
    const html = renderHtml(doc, (n) => (n === 'f' ? '<?xml version="1.0"?><svg id="x"></svg>' : undefined));
    expect(html).toContain('<title>R &lt;1&gt;</title>');
    expect(html).toContain('a <strong>b</strong> &lt;script&gt;');
    expect(html).toContain('<svg id="x"></svg>');
    expect(html).not.toContain('<?xml');
    expect(html).toContain('figure missing was not rendered');
    expect(html).toContain('DID NOT HOLD');
    const md = renderMarkdown(doc);
    expect(md).toContain('# R <1>');
    expect(md).toContain('![cap](figures/f.svg)');
    expect(md).toContain('- **DID NOT HOLD**: c — e');
  });

  test('spread: sample standard deviation', () => {
    const s = spread([0.5, 0.7, 0.9]);
    expect(s.mean).toBeCloseTo(0.7, 12);
    expect(s.std).toBeCloseTo(0.2, 12); // sqrt(((0.2)^2 + 0 + 0.2^2) / 2)
    expect(pct(s)).toBe('70.0 ± 20.0%');
    expect(spread([1]).std).toBe(0);
  });
});
