import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { BULK_DELIVERIES, DEFAULT_BULK_DELIVERY, vendorDatasets, type VendorDataset } from '@ingest-lake/shared';
import { CollectorError } from '../collector-error';

/** Where the vendor API key comes from. */
const authSource = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('env'), name: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) }),
  z.strictObject({ type: z.literal('ssm'), parameter: z.string().startsWith('/') }),
  z.strictObject({ type: z.literal('secretsmanager'), secretId: z.string().min(1), jsonKey: z.string().optional() }),
]);

const pathTemplate = z.string().startsWith('/');

/** A collector manifest: how to fetch one vendor dataset. Validated at load; errors name the field. */
export const manifestSchema = z.strictObject({
  /** Name of a vendor dataset declared in shared/ (its files and schemas). */
  dataset: z.string(),
  vendor: z.strictObject({
    baseUrl: z.url(),
    auth: z.strictObject({ header: z.string().min(1).default('X-Api-Key'), source: authSource }),
    /** Per-request timeout (connect to headers). */
    timeoutMs: z.number().int().positive().default(60_000),
    /** Attempts per call (429, 5xx, network) before the run stops. */
    maxAttempts: z.number().int().min(1).max(20).default(6),
  }),
  bulk: z.strictObject({
    /** `{dataset}`, `{file}` and `{snapshot}` are substituted. */
    path: pathTemplate,
    query: z.record(z.string(), z.string()).default({}),
    /** Response header carrying the file's hex SHA-256, when the vendor offers one. */
    checksumHeader: z.string().optional(),
    /** Resumes (Range requests) allowed per file after cut connections. */
    maxResumes: z.number().int().min(0).default(10),
    /** How the data file's rows reach curated/: `stream` (Kinesis → Firehose → transform) or `direct` (Parquet written by the collector; decision 0018). */
    dataFileDelivery: z.enum(BULK_DELIVERIES).default(DEFAULT_BULK_DELIVERY),
  }),
  api: z
    .strictObject({
      path: pathTemplate,
      query: z.record(z.string(), z.string()).default({}),
      pageSizeParam: z.string().default('limit'),
      pageSize: z.number().int().positive().max(10_000).default(1_000),
      cursorParam: z.string().default('cursor'),
      /** Field of the page holding the records array. */
      recordsField: z.string().default('data'),
      /** Field of the page holding the next cursor (absent or null on the last page). */
      nextCursorField: z.string().default('next_cursor'),
      /** Budget reserved for pages: a run stops paging here. */
      maxPages: z.number().int().positive().default(100),
      /** Column → JSON pointer into a record (`/app/id`); columns absent here are read by name. */
      fieldMap: z.record(z.string(), z.string().startsWith('/')).default({}),
    })
    .optional(),
  /** systemd OnCalendar expression for the timer. */
  schedule: z.strictObject({ onCalendar: z.string().min(1) }),
  /** The contract's call cap. */
  quota: z.strictObject({
    callsPerPeriod: z.number().int().positive(),
    period: z.enum(['day', 'month']),
  }),
  kinesis: z.strictObject({ streamName: z.string().min(1).max(128) }),
  /** Target size of packed Kinesis records (docs/decisions/0003). */
  packTargetBytes: z.number().int().min(256).max(1_000_000).default(5_000),
});

export type CollectorManifest = z.infer<typeof manifestSchema> & { source: string; vendorDataset: VendorDataset };

/** Raised for an invalid manifest; names the file, the field path and the problem. */
export class ManifestError extends CollectorError {
  readonly code = 'MANIFEST_INVALID';
  constructor(
    readonly manifest: string,
    readonly problems: ReadonlyArray<{ field: string; problem: string }>,
    options?: ErrorOptions,
  ) {
    super(`manifest ${manifest}: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, options);
    this.name = 'ManifestError';
  }
}

/** Validates a parsed manifest object; `source` names it in errors. */
export function parseManifest(value: unknown, source: string): CollectorManifest {
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    throw new ManifestError(
      source,
      parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(root)', problem: issue.message })),
    );
  }
  const vendorDataset = vendorDatasets.find((dataset) => dataset.name === parsed.data.dataset);
  if (!vendorDataset) {
    const known = vendorDatasets.map((dataset) => dataset.name).join(', ');
    throw new ManifestError(source, [{ field: 'dataset', problem: `unknown vendor dataset "${parsed.data.dataset}" (known: ${known})` }]);
  }
  for (const column of Object.keys(parsed.data.api?.fieldMap ?? {})) {
    if (!(column in vendorDataset.dataFile.dataset.columns)) {
      throw new ManifestError(source, [{ field: `api.fieldMap.${column}`, problem: 'no such column in the data file' }]);
    }
  }
  return { ...parsed.data, source, vendorDataset };
}

/** Reads and validates a manifest file. */
export async function loadManifest(path: string): Promise<CollectorManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ManifestError(path, [{ field: '(file)', problem: (error as Error).message }], { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(path, [{ field: '(file)', problem: `not JSON: ${(error as Error).message}` }], { cause: error });
  }
  return parseManifest(value, path);
}

/** Fills `{name}` placeholders; unknown names are an error so a typo never calls a wrong URL. */
function fillTemplate(template: string, values: Record<string, string>, encode: (value: string) => string): string {
  return template.replace(/\{([a-z]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template ${template}: unknown placeholder {${name}}`);
    return encode(value);
  });
}

/** Path and query of a vendor call, placeholders filled (`{dataset}`, `{file}`, `{snapshot}`). */
export function vendorTarget(
  pathTemplate: string,
  query: Record<string, string>,
  values: Record<string, string>,
  extraQuery: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) params.set(name, fillTemplate(value, values, (v) => v));
  for (const [name, value] of Object.entries(extraQuery)) params.set(name, value);
  const search = params.toString();
  return fillTemplate(pathTemplate, values, encodeURIComponent) + (search ? `?${search}` : '');
}
