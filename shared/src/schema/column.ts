/** The column kinds a dataset can declare; each maps to one Glue/Athena/DuckDB/Parquet type. */
export type ColumnKind = 'string' | 'int' | 'bigint' | 'double' | 'boolean' | 'decimal' | 'date' | 'timestamp';

/** Options shared by every column kind. */
export interface ColumnOptions<Nullable extends boolean> {
  /** Whether the column accepts null (and, in CSV input, an empty field). @default false */
  nullable?: Nullable;
  /** Human description, copied into the Glue column comment. */
  description?: string;
  /** Upper bound on a string's length in UTF-16 code units (strings only). @default no limit */
  maxLength?: number;
}

/** One declared column. `precision`/`scale` are set for decimals only. */
export interface ColumnDef<Kind extends ColumnKind = ColumnKind, Nullable extends boolean = boolean> {
  readonly kind: Kind;
  readonly nullable: Nullable;
  readonly description?: string;
  readonly maxLength?: number;
  readonly precision?: number;
  readonly scale?: number;
}

function column<Kind extends ColumnKind, Nullable extends boolean = false>(
  kind: Kind,
  options: ColumnOptions<Nullable> = {},
  extra: { precision?: number; scale?: number } = {},
): ColumnDef<Kind, Nullable> {
  return {
    kind,
    nullable: (options.nullable ?? false) as Nullable,
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
    ...extra,
  };
}

/** Column builders: `t.string()`, `t.decimal(18, 4, { nullable: true })`, … */
export const t = {
  string: <N extends boolean = false>(options?: ColumnOptions<N>): ColumnDef<'string', NoInfer<N>> => column('string', options),
  /** 32-bit signed integer. */
  int: <N extends boolean = false>(options?: ColumnOptions<N>): ColumnDef<'int', NoInfer<N>> => column('int', options),
  /** 64-bit signed integer; carried as a decimal string so no precision is lost in JavaScript. */
  bigint: <N extends boolean = false>(options?: ColumnOptions<N>): ColumnDef<'bigint', NoInfer<N>> => column('bigint', options),
  double: <N extends boolean = false>(options?: ColumnOptions<N>): ColumnDef<'double', NoInfer<N>> => column('double', options),
  boolean: <N extends boolean = false>(options?: ColumnOptions<N>): ColumnDef<'boolean', NoInfer<N>> => column('boolean', options),
  /** Exact decimal; carried as a string with exactly `scale` fraction digits. */
  decimal: <N extends boolean = false>(
    precision: number,
    scale: number,
    options?: ColumnOptions<N>,
  ): ColumnDef<'decimal', NoInfer<N>> => column('decimal', options, { precision, scale }),
  /** Calendar date, `YYYY-MM-DD`. */
  date: <N extends boolean = false>(options?: ColumnOptions<N>): ColumnDef<'date', NoInfer<N>> => column('date', options),
  /** Instant, normalised to UTC `YYYY-MM-DD HH:MM:SS.mmm` (the format Firehose's Hive JSON SerDe reads by default). */
  timestamp: <N extends boolean = false>(options?: ColumnOptions<N>): ColumnDef<'timestamp', NoInfer<N>> => column('timestamp', options),
};

/** The TypeScript value type a column kind is carried as after normalisation. */
export interface ColumnValueTypes {
  string: string;
  int: number;
  bigint: string;
  double: number;
  boolean: boolean;
  decimal: string;
  date: string;
  timestamp: string;
}

/** Value type of one column, including `null` when nullable. */
export type ColumnValue<C extends ColumnDef> =
  C extends ColumnDef<infer K, infer N> ? ColumnValueTypes[K] | (N extends true ? null : never) : never;
