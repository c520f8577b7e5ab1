import path from 'node:path';

/**
 * The script a child process preloads (`node -r`) to SIGKILL itself at the point `KILL_AT` names
 * (`kill-at-chosen-point.cjs` says how): the chosen-point kill tests of the collector and of the
 * Firehose runner.
 */
export const KILL_AT_CHOSEN_POINT = path.join(__dirname, 'kill-at-chosen-point.cjs');
