import type { ChildProcess } from 'node:child_process';

/**
 * Stops a server process the tests started: SIGTERM, then SIGKILL if it has not exited within
 * `graceMs` (the servers here keep nothing worth a clean shutdown). Resolves once it has exited.
 */
export async function stopChildProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(kill);
}
