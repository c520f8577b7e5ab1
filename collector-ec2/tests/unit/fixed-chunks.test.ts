import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { fixedChunks } from '../../src/pipeline/fixed-chunks';

/** The chunks as `pipe` hands them on ('data' events: an async iterator would join buffered chunks). */
function chunksOf(stream: Readable): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(chunks));
    stream.on('error', reject);
  });
}

describe('fixedChunks: a source cut as createReadStream cuts a local file', () => {
  it('gives chunks of exactly the size but the last, whatever the pieces the source arrives in', async () => {
    const bytes = randomBytes(10_000);
    const pieces = [1, 999, 3, 4_000, 17, 2_500, 2_480].reduce<Buffer[]>((all, size) => [...all, bytes.subarray(all.reduce((n, b) => n + b.length, 0)).subarray(0, size)], []);
    expect(Buffer.concat(pieces)).toEqual(bytes);
    const chunks = await chunksOf(fixedChunks(Readable.from(pieces), 1_024));
    expect(chunks.map((c) => c.length)).toEqual([...Array.from({ length: 9 }, () => 1_024), 10_000 - 9 * 1_024]);
    expect(Buffer.concat(chunks)).toEqual(bytes);
  });

  it('passes an empty source through empty and refuses a size that is not a positive integer', async () => {
    expect(await chunksOf(fixedChunks(Readable.from([]), 8))).toEqual([]);
    expect(() => fixedChunks(Readable.from([]), 0)).toThrow(RangeError);
  });

  it('ends with the error of its source', async () => {
    const source = new Readable({ read() {} });
    const chunks = chunksOf(fixedChunks(source, 8));
    source.destroy(new Error('connection reset'));
    await expect(chunks).rejects.toThrow('connection reset');
  });
});
