import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dimensionDatasets } from '../datasets/registry';
import { currentViewName, currentViewSql } from './dimension-views';

/** A versioned SQL file from shared/sql. */
export interface SqlFile {
  name: string;
  /** `view`: a `CREATE OR REPLACE VIEW` statement; `query`: a named query. */
  kind: 'view' | 'query';
  /** The file it was read from, or `generated:<what it was generated from>`. */
  path: string;
  sql: string;
}

const SQL_ROOT = path.resolve(__dirname, '../../sql');

function read(folder: 'views' | 'queries'): SqlFile[] {
  const directory = path.join(SQL_ROOT, folder);
  return readdirSync(directory)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => ({
      name: file.replace(/\.sql$/, ''),
      kind: folder === 'views' ? ('view' as const) : ('query' as const),
      path: path.join(directory, file),
      sql: readFileSync(path.join(directory, file), 'utf8'),
    }));
}

/** The `<dimension>_current` views, generated from the dimension schemas. */
export function dimensionCurrentViews(): SqlFile[] {
  return dimensionDatasets.map((dataset) => ({
    name: currentViewName(dataset),
    kind: 'view' as const,
    path: `generated:${dataset.name}`,
    sql: currentViewSql(dataset),
  }));
}

/** View definitions in dependency order: the generated dimension views (over tables only), then the files in name order. */
export function sqlViews(): SqlFile[] {
  return [...dimensionCurrentViews(), ...read('views')];
}

/** Named queries (dashboard and Athena named queries). */
export function sqlQueries(): SqlFile[] {
  return read('queries');
}
