import {
  datasetRuntime,
  decodeRecord,
  describeValue,
  formatIssue,
  parsePackEntry,
  RecordDecodeError,
  type DatasetRuntime,
  type DecodedRecord,
} from '@ingest-lake/shared';
import type { FirehoseTransformationRecord } from './firehose-contract';
import { arrivalMillis, DEFAULT_EVENT_TIME_WINDOW, eventTimeOutsideWindow, httpEventEnvelope, streamPosition, type EventTimeWindow } from './http-event-envelope';
import type { FailedOutcome, RecordOutcome } from './record-outcome';

/** Settings of one delivery stream's transform, parsed once at cold start. */
export interface TransformSettings {
  /** Dataset a plain JSON body (not a pack) belongs to. */
  defaultDataset: string;
  /** Datasets this delivery stream curates; known datasets outside it are Dropped as routed elsewhere. */
  acceptedDatasets: ReadonlySet<string> | 'all';
  /** Resolves a dataset's compiled runtime. @default datasetRuntime from the shared registry */
  runtimeOf?: (name: string) => DatasetRuntime | undefined;
  /** How far a client's own event time may lie from the arrival. @default DEFAULT_EVENT_TIME_WINDOW */
  eventTimeWindow?: EventTimeWindow;
}

/** Per-invocation context. */
export interface TransformContext {
  /** Canonical UTC text of the processing time, written to `_ingested_at`. */
  ingestedAt: string;
}

const BASE64_PADDING = /=+$/;

function failed(
  dataset: string | undefined,
  reason: FailedOutcome['reason'],
  detail: string,
  recordCount: number,
  extra: { field?: string; entry?: number } = {},
): FailedOutcome {
  return { result: 'ProcessingFailed', dataset, reason, detail, recordCount, ...extra };
}

/**
 * Decodes base64, refusing text that is not base64. Node's decoder skips characters outside
 * the alphabet instead of failing, so a decoded length short of what the text length implies
 * reveals them without a separate scan of every character.
 */
function decodeBase64(data: string): Buffer | undefined {
  if (data.length % 4 !== 0) return undefined;
  const decoded = Buffer.from(data, 'base64');
  const padding = data.endsWith('=') ? (BASE64_PADDING.exec(data.slice(-2))?.[0].length ?? 0) : 0;
  return decoded.length === (data.length / 4) * 3 - padding ? decoded : undefined;
}

function resolveDataset(
  name: string,
  settings: TransformSettings,
  recordCount: number,
): { runtime: DatasetRuntime } | RecordOutcome {
  const runtime = (settings.runtimeOf ?? datasetRuntime)(name);
  if (!runtime) return failed(name, 'unknown_dataset', `no dataset named ${describeValue(name)}`, recordCount);
  if (settings.acceptedDatasets !== 'all' && !settings.acceptedDatasets.has(name)) {
    return { result: 'Dropped', dataset: name, reason: 'routed_elsewhere', recordCount };
  }
  return { runtime };
}

function transformSingle(
  value: unknown,
  record: FirehoseTransformationRecord,
  settings: TransformSettings,
  context: TransformContext,
): RecordOutcome {
  const dataset = settings.defaultDataset;
  const resolved = resolveDataset(dataset, settings, 1);
  if (!('runtime' in resolved)) return resolved;
  const { runtime } = resolved;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return failed(dataset, 'not_an_object', `body must be a JSON object, got ${describeValue(value)}`, 1, { field: '$' });
  }
  const candidate = dataset === 'events' ? httpEventEnvelope(value as Record<string, unknown>, record) : value;
  const validation = runtime.validate(candidate);
  if (!validation.ok) {
    return failed(dataset, validation.issue.reason, formatIssue(validation.issue), 1, { field: validation.issue.field });
  }
  if (dataset === 'events') {
    const outside = eventTimeOutsideWindow(validation.value.event_time, arrivalMillis(record), settings.eventTimeWindow ?? DEFAULT_EVENT_TIME_WINDOW);
    if (outside) return failed(dataset, 'event_time_out_of_range', outside, 1, { field: 'event_time' });
  }
  const dt = runtime.partitionDateOf(validation.value);
  if (dt === undefined) return failed(dataset, 'missing_partition', 'dataset has no event time and the body no snapshot', 1);
  const ndjson = runtime.encodeCurated(validation.value, {
    dedupKey: runtime.dedupKeyOf(validation.value),
    ingestedAt: context.ingestedAt,
    origin: streamPosition(record),
  });
  return { result: 'Ok', dataset, dt, ndjson, recordCount: 1 };
}

function transformPack(
  decoded: Extract<DecodedRecord, { kind: 'pack' }>,
  settings: TransformSettings,
  context: TransformContext,
): RecordOutcome {
  const { header, entryLines } = decoded;
  const recordCount = entryLines.length;
  const resolved = resolveDataset(header.dataset, settings, recordCount);
  if (!('runtime' in resolved)) return resolved;
  const { runtime } = resolved;
  if (recordCount === 0) return { result: 'Dropped', dataset: header.dataset, reason: 'empty_record', recordCount: 0 };
  // A pack is atomic: one bad entry fails the whole pack, so the error prefix holds it intact for replay.
  let ndjson = '';
  let packDt: string | undefined;
  for (let index = 0; index < recordCount; index++) {
    const entry = parsePackEntry(entryLines[index]!, index, header.columns);
    const validation = runtime.validate(entry.r);
    if (!validation.ok) {
      const where = entry.l === undefined ? '' : ` (source line ${entry.l})`;
      return failed(header.dataset, validation.issue.reason, `entry ${index + 1}${where}: ${formatIssue(validation.issue)}`, recordCount, {
        field: validation.issue.field,
        entry: index + 1,
      });
    }
    const dt = runtime.partitionDateOf(validation.value, header.snapshot);
    if (dt === undefined) {
      return failed(header.dataset, 'missing_partition', `entry ${index + 1}: no event time and no snapshot date`, recordCount, {
        entry: index + 1,
      });
    }
    if (packDt === undefined) packDt = dt;
    else if (dt !== packDt) {
      return failed(header.dataset, 'mixed_partition', `entry ${index + 1}: dt ${dt} differs from the pack's ${packDt}`, recordCount, {
        entry: index + 1,
      });
    }
    ndjson += runtime.encodeCurated(validation.value, {
      dedupKey: entry.k ?? runtime.dedupKeyOf(validation.value),
      ingestedAt: context.ingestedAt,
      origin: entry.l === undefined ? header.origin : `${header.origin}#${entry.l}`,
    });
  }
  return { result: 'Ok', dataset: header.dataset, dt: packDt!, ndjson, recordCount };
}

/**
 * Decides the outcome of one Firehose record: decode, unpack, validate, normalise, enrich
 * and re-encode. Never throws for bad data: every problem becomes a ProcessingFailed
 * outcome with a machine-readable reason.
 */
export function transformRecord(
  record: FirehoseTransformationRecord,
  settings: TransformSettings,
  context: TransformContext,
): RecordOutcome {
  const data = decodeBase64(record.data);
  if (data === undefined) return failed(undefined, 'not_base64', 'data is not valid base64', 1);
  let decoded: DecodedRecord;
  try {
    decoded = decodeRecord(data);
  } catch (error) {
    if (!(error instanceof RecordDecodeError)) throw error;
    if (error.reason === 'empty') return { result: 'Dropped', dataset: undefined, reason: 'empty_record', recordCount: 0 };
    return failed(undefined, error.reason, error.detail, 1, error.line === undefined ? {} : { entry: error.line - 1 });
  }
  if (decoded.kind === 'single') return transformSingle(decoded.value, record, settings, context);
  try {
    return transformPack(decoded, settings, context);
  } catch (error) {
    if (!(error instanceof RecordDecodeError) || error.reason === 'empty') throw error;
    return failed(decoded.header.dataset, error.reason, error.line === undefined ? error.detail : `line ${error.line}: ${error.detail}`, decoded.entryLines.length, {
      ...(error.line === undefined ? {} : { entry: error.line - 1 }),
    });
  }
}
