// Preloaded (`node -r`) by the chosen-point kill tests of the collector and the Firehose runner: the
// process SIGKILLs itself at the point KILL_AT names, never at a chance time. Nothing of it is in
// a product bundle. KILL_AT is `<point>:<target>:<n>`, the n-th time the point is reached:
//   rename:<file name>:<n>     just before the n-th atomic replacement of a file of that name (a
//                              checkpoint commit: what it covers is done, the file is not replaced)
//   put-sent:<key part>:<n>    once the n-th HTTP PUT whose path holds <key part> has sent its whole
//                              body, before its answer is read (an upload cut mid-way)
const fsPromises = require('node:fs/promises');
const http = require('node:http');
const path = require('node:path');

const spec = /^(rename|put-sent):(.+):(\d+)$/.exec(process.env.KILL_AT ?? '');
if (!spec) throw new Error(`KILL_AT must be rename:<file>:<n> or put-sent:<key part>:<n>, got "${process.env.KILL_AT}"`);
const [, point, target, nth] = spec;
let reached = 0;
const die = () => process.kill(process.pid, 'SIGKILL');

if (point === 'rename') {
  const rename = fsPromises.rename;
  fsPromises.rename = function renameOrDie(from, to) {
    if (path.basename(String(to)) === target && ++reached === Number(nth)) die();
    return rename.call(this, from, to);
  };
} else {
  const request = http.request;
  http.request = function requestOrDie(...args) {
    const req = request.apply(this, args);
    if (req.method === 'PUT' && decodeURIComponent(req.path).includes(target) && ++reached === Number(nth)) req.on('finish', die);
    return req;
  };
}
