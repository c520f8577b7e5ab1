import { CsvParser, type CsvProblem } from '../../src/parse/csv-parser';

function parseAll(chunks: string[], options = {}) {
  const parser = new CsvParser(options);
  const rows: Array<{ fields: string[]; line: number }> = [];
  const problems: CsvProblem[] = [];
  const onRow = (fields: string[], line: number) => rows.push({ fields, line });
  const onProblem = (problem: CsvProblem) => problems.push(problem);
  for (const chunk of chunks) parser.push(chunk, onRow, onProblem);
  parser.end(onRow, onProblem);
  return { rows, problems };
}

/** Every way of cutting the input into two chunks must give the same result as one chunk. */
function parseEverySplit(input: string, options = {}) {
  const whole = parseAll([input], options);
  for (let cut = 0; cut <= input.length; cut++) {
    expect(parseAll([input.slice(0, cut), input.slice(cut)], options)).toEqual(whole);
  }
  return whole;
}

describe('CsvParser', () => {
  test.each([
    ['plain rows', 'a,b,c\n1,2,3\n', [['a', 'b', 'c'], ['1', '2', '3']]],
    ['no trailing newline', 'a,b\n1,2', [['a', 'b'], ['1', '2']]],
    ['CRLF line endings', 'a,b\r\n1,2\r\n', [['a', 'b'], ['1', '2']]],
    ['UTF-8 BOM', '\uFEFFa,b\n1,2\n', [['a', 'b'], ['1', '2']]],
    ['quoted comma', 'a,"b,c",d\n', [['a', 'b,c', 'd']]],
    ['escaped quotes', '"say ""hi""",x\n', [['say "hi"', 'x']]],
    ['embedded LF', '"line1\nline2",x\nnext,row\n', [['line1\nline2', 'x'], ['next', 'row']]],
    ['embedded CRLF', '"a\r\nb",c\r\n', [['a\r\nb', 'c']]],
    ['empty quoted field', '"",x,""\n', [['', 'x', '']]],
    ['empty unquoted fields', ',,\n', [['', '', '']]],
    ['non-ASCII text', 'Zoë,서울,東京,🙂\n', [['Zoë', '서울', '東京', '🙂']]],
    ['bare quote inside an unquoted field', 'a,5\'11",b\n', [['a', '5\'11"', 'b']]],
    ['quoted last field with CRLF', 'a,"b"\r\nc,d\r\n', [['a', 'b'], ['c', 'd']]],
    ['blank line kept for the caller to count', 'a\n\nb\n', [['a'], [''], ['b']]],
  ])('%s', (_label, input, expected) => {
    const { rows, problems } = parseEverySplit(input);
    expect(problems).toEqual([]);
    expect(rows.map((row) => row.fields)).toEqual(expected);
  });

  test('line numbers are physical lines where each row starts, across embedded newlines', () => {
    const { rows } = parseEverySplit('h1,h2\n"a\nb\nc",1\nx,2\n');
    expect(rows.map((row) => row.line)).toEqual([1, 2, 5]);
  });

  test.each([
    ['text after a closing quote', 'ok,1\n"abc"def,2\nok,3\n', 'text_after_quote', 2],
    ['unterminated quote at end of file', 'ok,1\n"abc,2\n', 'unterminated_quote', 2],
    ['invalid UTF-8 (decoded to U+FFFD)', 'ok,1\nbad\uFFFD,2\nok,3\n', 'invalid_utf8', 2],
  ])('%s is reported with its line and the parse continues', (_label, input, reason, line) => {
    const { rows, problems } = parseAll([input]);
    expect(problems).toEqual([expect.objectContaining({ reason, line })]);
    expect(rows[0]).toEqual({ fields: ['ok', '1'], line: 1 });
  });

  test('a runaway quote is cut off at maxRowChars and parsing resumes on the next line', () => {
    const input = `"never closed,1\n${'x,2\n'.repeat(100)}`;
    const { rows, problems } = parseAll([input], { maxRowChars: 50 });
    expect(problems).toEqual([expect.objectContaining({ reason: 'unterminated_quote', line: 1 })]);
    expect(rows).toHaveLength(100);
    expect(rows[0]).toEqual({ fields: ['x', '2'], line: 2 });
  });

  test('a huge unquoted row is refused without buffering the whole file', () => {
    const parser = new CsvParser({ maxRowChars: 1_000 });
    const problems: CsvProblem[] = [];
    const rows: Array<[string[], number]> = [];
    for (let i = 0; i < 50; i++) parser.push('y'.repeat(100), (f, l) => rows.push([f, l]), (p) => problems.push(p));
    parser.push('tail\nnext,row\n', (f, l) => rows.push([f, l]), (p) => problems.push(p));
    expect(problems).toEqual([expect.objectContaining({ reason: 'row_too_large', line: 1 })]);
    expect(rows).toEqual([[['next', 'row'], 2]]);
  });

  test('a very long quoted field within the limit is kept whole', () => {
    const value = 'q'.repeat(200_000);
    const { rows } = parseAll([`"${value}",1\n`.slice(0, 100_000), `"${value}",1\n`.slice(100_000)]);
    expect(rows[0]!.fields[0]).toHaveLength(200_000);
  });

  test('options are validated up front', () => {
    expect(() => new CsvParser({ maxRowChars: 0 })).toThrow('maxRowChars');
  });
});
