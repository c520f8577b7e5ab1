import { decodeRecord, formatIssue, parsePackEntry, type DatasetRuntime } from '@ingest-lake/shared';
import { CollectorError } from '../collector-error';

/** A pack the collector itself built failed the dataset's validator: the row encoder and the validator disagree (a bug). */
export class CuratedRowError extends CollectorError {
  readonly code = 'CURATED_ROW_INVALID';
  constructor(
    readonly dataset: string,
    readonly line: number | undefined,
    problem: string,
  ) {
    super(`${dataset}${line === undefined ? '' : ` line ${line}`}: ${problem}`);
    this.name = 'CuratedRowError';
  }
}

/** One curated row of a pack: the normalised record, its lineage columns and its `dt`. */
export interface PackRow {
  record: Record<string, unknown>;
  lineage: { _dedup_key: string; _ingested_at: string; _origin: string };
  dt: string;
}

/**
 * Unpacks one pack the CSV ingest built (the bytes a producer would put on Kinesis) and hands each
 * entry over as the Firehose transform would curate it: validated and normalised by the shared
 * validator, `_dedup_key` from the entry's key or the primary key, `_ingested_at`, `_origin` =
 * origin#line, and its `dt` (event time, else the pack's snapshot).
 */
export function forEachPackRow(runtime: DatasetRuntime, pack: Uint8Array, ingestedAt: string, visit: (row: PackRow) => void): void {
  const name = runtime.dataset.name;
  const decoded = decodeRecord(pack);
  if (decoded.kind !== 'pack') throw new CuratedRowError(name, undefined, 'expected a pack');
  const { header, entryLines } = decoded;
  for (let index = 0; index < entryLines.length; index++) {
    const entry = parsePackEntry(entryLines[index]!, index, header.columns);
    const validation = runtime.validate(entry.r);
    if (!validation.ok) throw new CuratedRowError(name, entry.l, formatIssue(validation.issue));
    const record = validation.value as Record<string, unknown>;
    const dt = runtime.partitionDateOf(record as never, header.snapshot);
    if (dt === undefined) throw new CuratedRowError(name, entry.l, 'no event time and no snapshot date');
    visit({
      record,
      lineage: {
        _dedup_key: entry.k ?? runtime.dedupKeyOf(record),
        _ingested_at: ingestedAt,
        _origin: entry.l === undefined ? header.origin : `${header.origin}#${entry.l}`,
      },
      dt,
    });
  }
}
