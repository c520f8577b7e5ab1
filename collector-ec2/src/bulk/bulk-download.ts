import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { VendorRequestError, type VendorClient } from '../vendor/vendor-client';
import { CollectorError } from '../collector-error';

export interface DownloadResult {
  bytes: number;
  sha256: string;
  /** Range requests made after cut connections. */
  resumes: number;
}

/** The downloaded bytes do not match what the vendor declared; the partial file is discarded. */
export class DownloadVerificationError extends CollectorError {
  readonly code = 'DOWNLOAD_UNVERIFIED';
  constructor(
    readonly file: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${problem}`, options);
    this.name = 'DownloadVerificationError';
  }
}

export interface DownloadOptions {
  client: VendorClient;
  /** Vendor path and query of the file. */
  target: string;
  /** Final path; bytes land in `<destination>.part` until verified. */
  destination: string;
  /** Header with the file's hex SHA-256, if the vendor sends one. */
  checksumHeader?: string;
  maxResumes: number;
  onProgress?: (bytes: number, totalBytes: number | undefined) => void;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/**
 * One pass over the file: its SHA-256, and a full gunzip to prove the gzip stream is whole (a
 * truncated file with a plausible length is caught here, before it is archived or parsed).
 */
async function inspect(path: string): Promise<{ sha256: string; gzipError: Error | undefined }> {
  const hash = createHash('sha256');
  const gunzip = createGunzip({ chunkSize: 262_144 });
  let gzipError: Error | undefined;
  const gunzipDone = pipeline(gunzip, new Writable({ write: (_chunk, _encoding, callback) => callback() })).catch(
    (error: Error) => (gzipError = error),
  );
  await pipeline(
    createReadStream(path, { highWaterMark: 1 << 20 }),
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        if (gzipError === undefined && !gunzip.write(chunk)) {
          // A damaged stream errors and closes instead of draining: either one lets hashing go on.
          const resume = () => {
            gunzip.off('drain', resume);
            gunzip.off('close', resume);
            callback();
          };
          gunzip.on('drain', resume);
          gunzip.on('close', resume);
        } else callback();
      },
      flush(callback) {
        gunzip.end();
        callback();
      },
    }),
    new Writable({ write: (_chunk, _encoding, callback) => callback() }),
  );
  await gunzipDone;
  return { sha256: hash.digest('hex'), gzipError };
}

/** Total size from `Content-Range: bytes a-b/total` or, for a full response, Content-Length. */
function declaredTotal(headers: Headers, offset: number): number | undefined {
  const range = headers.get('content-range');
  const total = range ? /\/(\d+)$/.exec(range)?.[1] : undefined;
  if (total) return Number(total);
  const length = headers.get('content-length');
  return length ? offset + Number(length) : undefined;
}

/**
 * Streams a bulk file to disk. A cut connection resumes with an HTTP Range request from the bytes
 * already on disk (a run killed mid-download resumes the same way); the result is verified (size,
 * and checksum where offered) and renamed into place atomically.
 */
export async function downloadBulkFile(options: DownloadOptions): Promise<DownloadResult> {
  const partial = `${options.destination}.part`;
  // A run killed after the rename but before its checkpoint recorded the download finds the file
  // whole at its final path and no part: it goes back to being a part on disk, so the resume below asks
  // for the bytes after its end (416: whole, verified, renamed again) instead of fetching it all again.
  if ((await sizeOf(partial)) === 0 && (await sizeOf(options.destination)) > 0) await rename(options.destination, partial);
  let resumes = 0;
  let totalBytes: number | undefined;
  let expectedSha256: string | undefined;
  for (;;) {
    const offset = await sizeOf(partial);
    let response: Awaited<ReturnType<VendorClient['get']>>;
    try {
      response = await options.client.get(options.target, offset > 0 ? { range: `bytes=${offset}-` } : {});
    } catch (error) {
      // 416 on a resume: the part on disk is already whole (a run killed between the last byte and
      // the rename). It is verified like any download; if it is not whole after all, it is refetched.
      if (!(offset > 0 && error instanceof VendorRequestError && error.status === 416)) throw error;
      const inspection = await inspect(partial);
      if (!inspection.gzipError && (!expectedSha256 || inspection.sha256 === expectedSha256)) {
        await rename(partial, options.destination);
        return { bytes: offset, sha256: inspection.sha256, resumes };
      }
      await rm(partial, { force: true });
      if (resumes >= options.maxResumes) throw new DownloadVerificationError(options.destination, 'resumed part could not be verified');
      resumes++;
      continue;
    }
    let writeFrom = offset;
    if (offset > 0 && response.status !== 206) writeFrom = 0; // the vendor ignored Range: start over
    totalBytes = declaredTotal(response.headers, writeFrom) ?? totalBytes;
    if (options.checksumHeader) expectedSha256 = response.headers.get(options.checksumHeader)?.toLowerCase() ?? expectedSha256;
    let written = writeFrom;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        options.onProgress?.(written, totalBytes);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(response.body, counter, createWriteStream(partial, { flags: writeFrom === 0 ? 'w' : 'a' }));
    } catch (error) {
      if (resumes >= options.maxResumes) {
        throw new DownloadVerificationError(options.destination, `connection cut ${resumes + 1} times: ${(error as Error).message}`, { cause: error });
      }
      resumes++;
      continue;
    }
    const bytes = await sizeOf(partial);
    if (totalBytes !== undefined && bytes < totalBytes) {
      if (resumes >= options.maxResumes) throw new DownloadVerificationError(options.destination, `${bytes} of ${totalBytes} bytes after ${resumes} resumes`);
      resumes++;
      continue;
    }
    let problem: string | undefined;
    let problemCause: Error | undefined;
    let sha256 = '';
    if (totalBytes !== undefined && bytes !== totalBytes) problem = `received ${bytes} bytes, vendor declared ${totalBytes}`;
    else {
      const inspection = await inspect(partial);
      sha256 = inspection.sha256;
      if (expectedSha256 && sha256 !== expectedSha256) problem = `sha256 ${sha256} does not match the vendor's ${expectedSha256}`;
      else if (inspection.gzipError) {
        problem = `gzip stream is damaged: ${inspection.gzipError.message}`;
        problemCause = inspection.gzipError;
      }
    }
    if (problem === undefined) {
      await rename(partial, options.destination);
      return { bytes, sha256, resumes };
    }
    // A damaged file is discarded and fetched again from the start, within the same retry allowance.
    await rm(partial, { force: true });
    if (resumes >= options.maxResumes) throw new DownloadVerificationError(options.destination, problem, problemCause === undefined ? undefined : { cause: problemCause });
    resumes++;
    totalBytes = undefined;
    expectedSha256 = undefined;
  }
}
