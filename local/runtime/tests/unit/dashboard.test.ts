import { escapeHtml, renderDashboard } from '../../src/dashboard';

describe('dashboard', () => {
  test.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['"quoted" & \'single\'', '&quot;quoted&quot; &amp; &#39;single&#39;'],
    ['=HYPERLINK("http://x")', '=HYPERLINK(&quot;http://x&quot;)'],
    [null, ''],
  ])('escapeHtml(%p)', (input, expected) => expect(escapeHtml(input)).toBe(expected));

  test('a page with a chart and a table, no script, a strict CSP, and every value escaped', () => {
    const html = renderDashboard({
      title: 'T <b>',
      generatedAt: new Date('2026-11-22T00:00:00Z'),
      summary: ['in 3 <i>'],
      panels: [
        { title: 'chart', rows: [{ k: '<img src=x onerror=alert(1)>', n: 3 }, { k: 'b', n: 1 }], chart: { label: 'k', value: 'n' } },
        { title: 'table', rows: [{ a: '<td>', b: 2 }] },
        { title: 'empty', rows: [], chart: { label: 'k', value: 'n' } },
      ],
    });
    expect(html).not.toMatch(/<script|<img|<b>|<i>|<td><td>/);
    expect(html).toContain('<td>&lt;td&gt;</td>');
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'");
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html.match(/<rect /g)).toHaveLength(2);
    expect(html).toContain('No data yet.');
  });
});
