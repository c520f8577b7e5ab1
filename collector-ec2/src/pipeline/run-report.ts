import type { BudgetStatus } from '../budget/call-budget';
import type { RunCheckpoint } from '../checkpoint/run-checkpoint';

export interface FileReport {
  file: string;
  bytes: number;
  sha256: string;
  resumes: number;
  archivedKey: string | undefined;
  /** Metadata files: the curated Parquet snapshot in the lake and its rows (= rowsSent). */
  curated?: { key: string; rows: number };
  /**
   * A data file written straight to curated Parquet (decision 0018): its part objects, their rows
   * (= rowsSent) and the rows per part the file was cut at (a replay cuts the same parts). `partRows`
   * is absent in reports written before it was recorded.
   */
  direct?: { keys: string[]; rows: number; partRows?: number };
  rowsRead: number;
  rowsSent: number;
  rowsQuarantined: number;
  rowsBlank: number;
  /** rowsRead = rowsSent + rowsQuarantined + rowsBlank */
  reconciles: boolean;
}

export interface RunReport {
  runId: string;
  dataset: string;
  snapshot: string;
  files: FileReport[];
  api: RunCheckpoint['api'];
  budget: BudgetStatus;
  /** Every file and the API reconcile. */
  reconciled: boolean;
}

/** Summarises a checkpoint into the report the CLI prints and reconciliation reads. */
export function buildRunReport(state: RunCheckpoint, budget: BudgetStatus): RunReport {
  const files = Object.entries(state.files).map(([file, checkpoint]): FileReport => {
    const p = checkpoint.progress;
    const rowsRead = p?.rowsRead ?? 0;
    const rowsSent = p?.rowsSent ?? 0;
    const rowsQuarantined = p?.rowsQuarantined ?? 0;
    const rowsBlank = p?.rowsBlank ?? 0;
    return {
      file,
      bytes: checkpoint.downloaded?.bytes ?? 0,
      sha256: checkpoint.downloaded?.sha256 ?? '',
      resumes: checkpoint.downloaded?.resumes ?? 0,
      archivedKey: checkpoint.archived?.key,
      ...(checkpoint.curated ? { curated: checkpoint.curated } : {}),
      ...(checkpoint.direct ? { direct: { keys: checkpoint.direct.keys, rows: checkpoint.direct.rows, partRows: checkpoint.direct.partRows } } : {}),
      rowsRead,
      rowsSent,
      rowsQuarantined,
      rowsBlank,
      reconciles:
        checkpoint.ingested === true &&
        rowsRead === rowsSent + rowsQuarantined + rowsBlank &&
        (!checkpoint.curated || checkpoint.curated.rows === rowsSent) &&
        (!checkpoint.direct || checkpoint.direct.rows === rowsSent),
    };
  });
  const api = state.api;
  const apiReconciles = !api || (api.done && api.recordsRead === api.recordsSent + api.recordsQuarantined);
  return {
    runId: state.runId,
    dataset: state.dataset,
    snapshot: state.snapshot,
    files,
    api,
    budget,
    reconciled: files.every((f) => f.reconciles) && apiReconciles,
  };
}
