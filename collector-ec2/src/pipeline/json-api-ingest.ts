import { compilePackEntryEncoder, datasetRuntime, EntryTooLargeError, formatIssue, type Dataset } from '@ingest-lake/shared';
import type { ApiCheckpoint } from '../checkpoint/run-checkpoint';
import type { CollectorManifest } from '../config/manifest';
import { vendorTarget } from '../config/manifest';
import type { QuarantineWriter } from '../parse/quarantine-writer';
import { DatedPackAssembler } from '../produce/dated-pack-assembler';
import type { KinesisProducer } from '../produce/kinesis-producer';
import type { VendorClient } from '../vendor/vendor-client';
import { readPointer } from './json-pointer';
import { CollectorError } from '../collector-error';

/** A page that is not the JSON shape the manifest describes. */
export class ApiPageError extends CollectorError {
  readonly code = 'API_PAGE_INVALID';
  constructor(
    readonly page: number,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`API page ${page}: ${problem}`, options);
    this.name = 'ApiPageError';
  }
}

/** Maps one semi-structured API record onto the data file's flat columns, by pointer or by name. */
function flatten(record: unknown, dataset: Dataset, fieldMap: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of dataset.columnNames) {
    const value = readPointer(record, fieldMap[column] ?? `/${column}`);
    if (value !== undefined) row[column] = value;
  }
  return row;
}

/**
 * Pages through the v1.3 JSON API with the same validation and producer as the bulk path. The
 * checkpoint advances only after a page's records are acknowledged by Kinesis, so a killed run
 * re-reads at most one page (same records, same dedup keys).
 */
export async function ingestApiPages(options: {
  client: VendorClient;
  manifest: CollectorManifest;
  snapshot: string;
  producer?: KinesisProducer;
  quarantine: QuarantineWriter;
  checkpoint: ApiCheckpoint;
  saveCheckpoint: () => Promise<void>;
  onPage?: (checkpoint: ApiCheckpoint) => void;
}): Promise<ApiCheckpoint> {
  const api = options.manifest.api;
  const state = options.checkpoint;
  if (!api || state.done) return state;
  const dataset = options.manifest.vendorDataset.dataFile.dataset;
  const runtime = datasetRuntime(dataset.name)!;
  const encodeEntry = compilePackEntryEncoder(dataset) as (record: Record<string, unknown>, line: number) => string;
  const origin = `vendor-api:${options.manifest.dataset}/snapshot=${options.snapshot}`;
  while (!state.done && state.pagesFetched < api.maxPages) {
    const paging: Record<string, string> = { [api.pageSizeParam]: String(api.pageSize) };
    if (state.nextCursor) paging[api.cursorParam] = state.nextCursor;
    const target = vendorTarget(api.path, api.query, { snapshot: options.snapshot, dataset: options.manifest.dataset }, paging);
    const response = await options.client.get(target);
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    const pageNumber = state.pagesFetched + 1;
    let page: Record<string, unknown>;
    try {
      page = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ApiPageError(pageNumber, `not JSON: ${(error as Error).message}`, { cause: error });
    }
    const records = page[api.recordsField];
    if (!Array.isArray(records)) throw new ApiPageError(pageNumber, `field "${api.recordsField}" is not an array`);
    let sent = 0;
    let packsOfPage = 0;
    const packs = new DatedPackAssembler(
      { $pack: 1, dataset: dataset.name, origin, snapshot: options.snapshot, columns: [...dataset.columnNames] },
      options.manifest.packTargetBytes,
      (data, rows) => {
        if (options.producer) {
          options.producer.put({ data, partitionKey: `api:${pageNumber}:${++packsOfPage}`, onAcknowledged: () => (sent += rows) });
        } else sent += rows;
      },
    );
    records.forEach((record, index) => {
      const ordinal = state.recordsRead + index + 1;
      const result = runtime.validate(flatten(record, dataset, api.fieldMap));
      if (!result.ok) {
        state.recordsQuarantined++;
        options.quarantine.add({
          dataset: dataset.name,
          file: 'api',
          snapshot: options.snapshot,
          line: ordinal,
          reason: result.issue.reason,
          field: result.issue.field,
          detail: `page ${pageNumber} item ${index + 1}: ${formatIssue(result.issue)}`,
          raw: JSON.stringify(record),
        });
        return;
      }
      const dt = runtime.partitionDateOf(result.value, options.snapshot)!;
      try {
        packs.add(dt, encodeEntry(result.value, ordinal));
      } catch (error) {
        // Valid, but too large for one Kinesis record.
        if (!(error instanceof EntryTooLargeError)) throw error;
        state.recordsQuarantined++;
        options.quarantine.add({ dataset: dataset.name, file: 'api', snapshot: options.snapshot, line: ordinal, reason: 'row_too_large', detail: `page ${pageNumber} item ${index + 1}: ${error.message}`, raw: JSON.stringify(record) });
      }
    });
    packs.closeAll();
    if (options.producer) await options.producer.flush();
    await options.quarantine.flush();
    const next = page[api.nextCursorField];
    state.pagesFetched = pageNumber;
    state.recordsRead += records.length;
    state.recordsSent += sent;
    state.nextCursor = typeof next === 'string' && next !== '' ? next : null;
    state.done = state.nextCursor === null;
    state.quarantineBytes = options.quarantine.byteLength;
    await options.saveCheckpoint();
    options.onPage?.(state);
  }
  return state;
}
