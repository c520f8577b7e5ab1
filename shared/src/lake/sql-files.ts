import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A versioned SQL file from shared/sql. */
export interface SqlFile {
  name: string;
  path: string;
  sql: string;
}

const SQL_ROOT = path.resolve(__dirname, '../../sql');

function read(folder: 'views' | 'queries'): SqlFile[] {
  const directory = path.join(SQL_ROOT, folder);
  return readdirSync(directory)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => ({ name: file.replace(/\.sql$/, ''), path: path.join(directory, file), sql: readFileSync(path.join(directory, file), 'utf8') }));
}

/** View definitions, in dependency order (file name order). */
export function sqlViews(): SqlFile[] {
  return read('views');
}

/** Named queries (dashboard and Athena named queries). */
export function sqlQueries(): SqlFile[] {
  return read('queries');
}
