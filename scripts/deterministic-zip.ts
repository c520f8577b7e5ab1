import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ZipFile } from 'yazl';

/**
 * Writes a zip whose bytes depend only on the files' names and contents: entries sorted,
 * a fixed timestamp and fixed permissions, so the same build always produces the same
 * asset hash and Terraform sees no change when nothing changed.
 */
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');
const FILE_MODE = 0o100644;

export async function writeDeterministicZip(
  zipPath: string,
  files: ReadonlyArray<{ sourcePath: string; nameInZip: string }>,
): Promise<{ sha256: string; bytes: number }> {
  const zip = new ZipFile();
  const sorted = [...files].sort((a, b) => (a.nameInZip < b.nameInZip ? -1 : a.nameInZip > b.nameInZip ? 1 : 0));
  for (const file of sorted) {
    zip.addBuffer(await readFile(file.sourcePath), file.nameInZip, { mtime: FIXED_MTIME, mode: FILE_MODE, compress: true });
  }
  zip.end();
  const hash = createHash('sha256');
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(zipPath);
    zip.outputStream.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    zip.outputStream.pipe(out).on('finish', resolve).on('error', reject);
    zip.outputStream.on('error', reject);
  });
  return { sha256: hash.digest('hex'), bytes };
}
