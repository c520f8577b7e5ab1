import { CsvParser, type CsvProblem, type CsvRow } from '../../src/parse/csv-parser';

function parseAll(chunks: Array<string | Buffer>, options = {}) {
  const parser = new CsvParser(options);
  const rows: Array<{ fields: string[]; line: number }> = [];
  const problems: CsvProblem[] = [];
  const onRow = (row: CsvRow) => rows.push({ fields: row.fields(), line: row.line });
  const onProblem = (problem: CsvProblem) => problems.push(problem);
  for (const chunk of chunks) parser.push(Buffer.from(chunk), onRow, onProblem);
  parser.end(onRow, onProblem);
  return { rows, problems };
}

/** Every way of cutting the input's bytes into two chunks (inside characters too) must give the same result as one chunk. */
function parseEverySplit(input: string | Buffer, options = {}) {
  const bytes = Buffer.from(input);
  const whole = parseAll([bytes], options);
  for (let cut = 0; cut <= bytes.length; cut++) {
    expect(parseAll([bytes.subarray(0, cut), bytes.subarray(cut)], options)).toEqual(whole);
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
    ['invalid UTF-8', Buffer.concat([Buffer.from('ok,1\nbad'), Buffer.from([0xc3, 0x28]), Buffer.from(',2\nok,3\n')]), 'invalid_utf8', 2],
    ['a truncated UTF-8 sequence', Buffer.concat([Buffer.from('ok,1\nbad'), Buffer.from([0xe2, 0x82]), Buffer.from('\nok,3\n')]), 'invalid_utf8', 2],
  ])('%s is reported with its line and the parse continues, wherever the chunks are cut', (_label, input, reason, line) => {
    const { rows, problems } = parseEverySplit(input);
    if (input.includes('ok,3')) expect(rows.at(-1)).toEqual({ fields: ['ok', '3'], line: 3 });
    expect(problems).toEqual([expect.objectContaining({ reason, line })]);
    expect(rows[0]).toEqual({ fields: ['ok', '1'], line: 1 });
  });

  test('a runaway quote is cut off at maxRowBytes and parsing resumes on the next line', () => {
    const input = `"never closed,1\n${'x,2\n'.repeat(100)}`;
    const { rows, problems } = parseAll([input], { maxRowBytes: 50 });
    expect(problems).toEqual([expect.objectContaining({ reason: 'unterminated_quote', line: 1 })]);
    expect(rows).toHaveLength(100);
    expect(rows[0]).toEqual({ fields: ['x', '2'], line: 2 });
  });

  test('a huge unquoted row is refused without buffering the whole file', () => {
    const parser = new CsvParser({ maxRowBytes: 1_000 });
    const problems: CsvProblem[] = [];
    const rows: Array<[string[], number]> = [];
    const onRow = (row: CsvRow) => rows.push([row.fields(), row.line]);
    for (let i = 0; i < 50; i++) parser.push(Buffer.from('y'.repeat(100)), onRow, (p) => problems.push(p));
    parser.push(Buffer.from('tail\nnext,row\n'), onRow, (p) => problems.push(p));
    expect(problems).toEqual([expect.objectContaining({ reason: 'row_too_large', line: 1 })]);
    expect(rows).toEqual([[['next', 'row'], 2]]);
  });

  test('a very long quoted field within the limit is kept whole', () => {
    const value = 'q'.repeat(200_000);
    const { rows } = parseAll([`"${value}",1\n`.slice(0, 100_000), `"${value}",1\n`.slice(100_000)]);
    expect(rows[0]!.fields[0]).toHaveLength(200_000);
  });

  test('options are validated up front', () => {
    expect(() => new CsvParser({ maxRowBytes: 0 })).toThrow('maxRowBytes');
  });
});
