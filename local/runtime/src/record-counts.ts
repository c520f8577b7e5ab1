/**
 * The one count of the delivery path: data records by outcome. The runners keep it, every delivery
 * manifest stores it, and the reconciliation adds manifests up and compares them with the lake.
 *
 * Every number is data records (a CSV row, an API record, an HTTP event; "row" and "record" name the
 * same unit here), never Kinesis records: a pack of 500 rows in one Kinesis record counts 500.
 */
export interface RecordCounts {
  /** Data records the delivery stream received. */
  recordsIn: number;
  /** Curated rows, by dataset. */
  curatedRows: Record<string, number>;
  /** Records written to the error prefix, by reason. */
  failedRows: Record<string, number>;
  /** Records the transform dropped on purpose (blank, or a dataset another stream curates). */
  droppedRows: number;
}

/** Counts with nothing in them. */
export function emptyCounts(): RecordCounts {
  return { recordsIn: 0, curatedRows: {}, failedRows: {}, droppedRows: 0 };
}

/** Adds `n` to `map[key]`. */
export function addTo(map: Record<string, number>, key: string, n: number): void {
  map[key] = (map[key] ?? 0) + n;
}

/** Sum of a count map. */
export const total = (values: Record<string, number>): number => Object.values(values).reduce((a, b) => a + b, 0);

/** Adds `more` into `into`. */
export function addCounts(into: RecordCounts, more: RecordCounts): void {
  into.recordsIn += more.recordsIn;
  into.droppedRows += more.droppedRows;
  for (const [dataset, n] of Object.entries(more.curatedRows)) addTo(into.curatedRows, dataset, n);
  for (const [reason, n] of Object.entries(more.failedRows)) addTo(into.failedRows, reason, n);
}

/** Records that are neither curated, failed nor dropped (0 when the counts reconcile). */
export function unexplainedRows(counts: RecordCounts): number {
  return counts.recordsIn - total(counts.curatedRows) - total(counts.failedRows) - counts.droppedRows;
}
