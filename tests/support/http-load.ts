import http from 'node:http';

/** Sends `total` POSTs with at most `concurrency` in flight (bounded: loopback only, stops by itself). */
export async function postLoad(url: string, total: number, concurrency: number, body: (i: number) => string): Promise<{ ok: number; failed: number; seconds: number; latenciesMs: number[] }> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') throw new Error('load tests only target loopback');
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let ok = 0;
  let failed = 0;
  const latenciesMs: number[] = [];
  const started = process.hrtime.bigint();
  const send = (i: number) =>
    new Promise<void>((resolve) => {
      const payload = body(i);
      const t0 = process.hrtime.bigint();
      const request = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (response) => {
          response.resume();
          response.on('end', () => {
            latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
            if (response.statusCode === 200) ok++;
            else failed++;
            resolve();
          });
        },
      );
      request.on('error', () => {
        failed++;
        resolve();
      });
      request.end(payload);
    });
  const worker = async () => {
    while (next < total) await send(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return { ok, failed, seconds: Number(process.hrtime.bigint() - started) / 1e9, latenciesMs };
}
