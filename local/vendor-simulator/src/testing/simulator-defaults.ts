import os from 'node:os';
import path from 'node:path';

/** The API key the suites' simulators expect and their collector runs send. */
export const API_KEY = 'test-key';
/** The snapshot date the suites collect. */
export const SNAPSHOT = '2026-11-20';
/** The lake bucket of the collector suites. */
export const BUCKET = 'lake';
/** Generated vendor files are cached here between test runs (generation is deterministic). */
export const SIMULATOR_CACHE = path.join(os.tmpdir(), 'ingest-lake-vendor-cache');
