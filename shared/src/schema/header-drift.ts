import type { Dataset } from './dataset';

/** How a file's header differs from the dataset's declared columns (the shared schema). */
export interface HeaderDrift {
  dataset: string;
  /** Columns the file has and the schema does not declare: the file cannot be read. */
  unknownColumns: string[];
  /** Declared non-nullable columns the file lacks: the file cannot be read. */
  missingRequiredColumns: string[];
  /** Declared nullable columns the file lacks: readable (the column is null), but the vendor changed its files. */
  missingNullableColumns: string[];
  /** Header names given more than once. */
  duplicateColumns: string[];
}

/** Compares a CSV header with the dataset's columns; order does not matter, names are trimmed. */
export function compareHeader(dataset: Dataset, header: ReadonlyArray<string>): HeaderDrift {
  const names = header.map((name) => name.trim());
  const present = new Set(names);
  const missing = dataset.columnNames.filter((name) => !present.has(name));
  return {
    dataset: dataset.name,
    unknownColumns: [...present].filter((name) => !(name in dataset.columns)),
    missingRequiredColumns: missing.filter((name) => !dataset.columns[name]!.nullable),
    missingNullableColumns: missing.filter((name) => dataset.columns[name]!.nullable),
    duplicateColumns: [...new Set(names.filter((name, i) => names.indexOf(name) !== i))],
  };
}

/** Whether the header differs from the schema at all. */
export function hasHeaderDrift(drift: HeaderDrift): boolean {
  return drift.unknownColumns.length + drift.missingRequiredColumns.length + drift.missingNullableColumns.length + drift.duplicateColumns.length > 0;
}

/** What makes the file unreadable, one phrase each (empty: every row can be validated). */
export function headerProblems(drift: HeaderDrift): string[] {
  return [
    ...drift.unknownColumns.map((name) => `unknown column "${name}"`),
    ...(drift.duplicateColumns.length > 0 ? ['duplicate column names'] : []),
    ...drift.missingRequiredColumns.map((name) => `missing column "${name}"`),
  ];
}
