import {
  decodeRecord,
  encodePackEntry,
  EntryTooLargeError,
  FIREHOSE_MAX_RECORD_BYTES,
  PackBuilder,
  parsePackEntry,
  RecordDecodeError,
  SharedError,
  type PackHeader,
} from '../../src';

const header: PackHeader = { $pack: 1, dataset: 'events', origin: 'test' };

function decodeFailure(data: Buffer): RecordDecodeError {
  try {
    decodeRecord(data);
  } catch (error) {
    return error as RecordDecodeError;
  }
  throw new Error('expected a decode failure');
}

describe('kinesis record codec', () => {
  test('a single JSON body with a trailing newline (the API Gateway mapping template) decodes as single', () => {
    expect(decodeRecord(Buffer.from('{"value":"30","type":"Tip 3"}\n'))).toEqual({
      kind: 'single',
      value: { value: '30', type: 'Tip 3' },
    });
  });

  test('a pack round-trips through the builder', () => {
    const builder = new PackBuilder(header, 10_000);
    const entries = [
      { r: { a: 1 }, l: 2 },
      { r: { a: 'ü\n' }, k: 'key' },
    ];
    for (const entry of entries) expect(builder.tryAdd(encodePackEntry(entry))).toBe(true);
    const decoded = decodeRecord(builder.toBuffer());
    expect(decoded.kind).toBe('pack');
    if (decoded.kind !== 'pack') return;
    expect(decoded.header).toEqual(header);
    expect(decoded.entryLines.map(parsePackEntry)).toEqual(entries);
  });

  test('the builder closes a pack at the target size and reports exact byte length', () => {
    const builder = new PackBuilder(header, 200);
    const line = encodePackEntry({ r: { payload: 'x'.repeat(50) } });
    let added = 0;
    while (builder.tryAdd(line)) added++;
    expect(added).toBeGreaterThan(0);
    expect(builder.byteLength).toBeLessThanOrEqual(200);
    expect(builder.toBuffer().length).toBe(builder.byteLength);
  });

  test('an entry larger than the target still gets a pack of its own; one past the Firehose limit is refused', () => {
    const big = new PackBuilder(header, 100);
    expect(big.tryAdd(encodePackEntry({ r: { x: 'y'.repeat(1_000) } }))).toBe(true);
    expect(big.tryAdd(encodePackEntry({ r: { x: 1 } }))).toBe(false);
    const huge = new PackBuilder(header, 100);
    expect(() => huge.tryAdd(encodePackEntry({ r: { x: 'z'.repeat(FIREHOSE_MAX_RECORD_BYTES) } }))).toThrow(EntryTooLargeError);
  });

  test.each([
    ['empty', Buffer.alloc(0), 'empty'],
    ['blank', Buffer.from('  \n'), 'empty'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'not_utf8'],
    ['not JSON', Buffer.from('value=30&type=Tip'), 'not_json'],
    ['bad header version', Buffer.from('{"$pack":9,"dataset":"events","origin":"x"}\n{"r":{}}\n'), 'bad_pack_header'],
    ['header without dataset', Buffer.from('{"$pack":1,"origin":"x"}\n'), 'bad_pack_header'],
    ['bad snapshot', Buffer.from('{"$pack":1,"dataset":"a","origin":"x","snapshot":"2026/1/1"}\n'), 'bad_pack_header'],
  ])('%s → %s', (_label, data, reason) => {
    expect(decodeFailure(data).reason).toBe(reason);
  });

  test('positional entries map values onto the header columns; null means absent', () => {
    const header = '{"$pack":1,"dataset":"events","origin":"t","columns":["a","b","c"]}';
    const decoded = decodeRecord(Buffer.from(`${header}\n[7,"x",null,3]\n[null,"y",2,null]\n`));
    if (decoded.kind !== 'pack') throw new Error('expected a pack');
    expect(decoded.header.columns).toEqual(['a', 'b', 'c']);
    expect(decoded.entryLines.map((line, i) => parsePackEntry(line, i, decoded.header.columns))).toEqual([
      { r: { a: 'x', c: 3 }, l: 7 },
      { r: { a: 'y', b: 2 } },
    ]);
  });

  test.each([
    ['too few values', '[1,"x"]', 'expected 4 values'],
    ['a line number that is not a number', '["7","x",null,3]', 'first value must be the source line'],
  ])('positional entry with %s is refused', (_label, line, message) => {
    expect(() => parsePackEntry(line, 0, ['a', 'b', 'c'])).toThrow(message);
  });

  test('a positional entry in a pack without columns is refused', () => {
    expect(() => parsePackEntry('[1,2]', 0)).toThrow('positional entry in a pack without columns');
  });

  test.each([
    ['not JSON', '{"r":', 'bad_pack_entry'],
    ['no record', '{"k":"x"}', 'bad_pack_entry'],
    ['record is an array', '{"r":[1]}', 'bad_pack_entry'],
    ['bad line number', '{"r":{},"l":"7"}', 'bad_pack_entry'],
  ])('entry %s → %s with its line number', (_label, line, reason) => {
    expect(() => parsePackEntry(line, 3)).toThrow(RecordDecodeError);
    try {
      parsePackEntry(line, 3);
    } catch (error) {
      expect((error as RecordDecodeError).reason).toBe(reason);
      expect((error as RecordDecodeError).line).toBe(5);
    }
  });

  test.each([
    ['a body', Buffer.from('{"value":'), 'not_json'],
    ['a pack header', Buffer.from('{"$pack":1,\n'), 'bad_pack_header'],
  ])('%s that is not JSON fails with code RECORD_UNDECODABLE, caused by the SyntaxError', (_label, data, reason) => {
    const error = decodeFailure(data);
    expect(error).toBeInstanceOf(SharedError);
    expect(error).toMatchObject({ code: 'RECORD_UNDECODABLE', reason });
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(error.detail).toBe((error.cause as Error).message);
  });

  test('a failure of its own wraps nothing', () => {
    expect('cause' in decodeFailure(Buffer.alloc(0))).toBe(false);
  });
});
