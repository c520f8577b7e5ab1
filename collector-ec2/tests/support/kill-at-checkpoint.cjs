// Preloaded into the collector (`node -r`) by the chosen-point kill tests. It SIGKILLs the process
// at the Nth checkpoint commit (KILL_AT_CHECKPOINT_COMMIT): the rows that checkpoint covers are
// acknowledged by Kinesis, its quarantine lines are written and synced, its temporary file is
// written, and checkpoint.json is not yet replaced. A kill cannot land later and still lose the
// checkpoint, so this is the point with the most to redo.
const fsPromises = require('node:fs/promises');

const killAt = Number(process.env.KILL_AT_CHECKPOINT_COMMIT);
const rename = fsPromises.rename;
let commits = 0;

fsPromises.rename = function renameOrDie(from, to) {
  if (String(to).endsWith('/checkpoint.json') && ++commits === killAt) process.kill(process.pid, 'SIGKILL');
  return rename.call(this, from, to);
};
