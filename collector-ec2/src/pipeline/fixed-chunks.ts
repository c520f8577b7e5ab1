import { Transform, type Readable } from 'node:stream';

/**
 * Bytes per read of a data file: the collector reads its local copy in chunks of this size
 * (`createReadStream` reads exactly `highWaterMark` bytes but the last time).
 */
export const DATA_FILE_READ_BYTES = 1 << 20;

/**
 * The source cut into chunks of exactly `bytes` (the last one shorter), as `createReadStream` reads a
 * local file. gunzip's output chunks follow its input chunks, and a direct part closes at the end of
 * an output chunk: so a replay that reads S3's body through this cuts the parts the collector cut
 * from its local copy (decision 0018).
 */
export function fixedChunks(source: Readable, bytes = DATA_FILE_READ_BYTES): Readable {
  if (!Number.isInteger(bytes) || bytes < 1) throw new RangeError(`bytes: expected a positive integer, got ${bytes}`);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const chunker = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= bytes) {
        let all = Buffer.concat(pending, pendingBytes);
        while (all.length >= bytes) {
          this.push(all.subarray(0, bytes));
          all = all.subarray(bytes);
        }
        pending = all.length > 0 ? [all] : [];
        pendingBytes = all.length;
      }
      done();
    },
    flush(done) {
      if (pendingBytes > 0) this.push(Buffer.concat(pending, pendingBytes));
      done();
    },
  });
  source.on('error', (error) => chunker.destroy(error));
  return source.pipe(chunker);
}
