import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './kinesis-emulator';
import { closeServer, listenOnLoopback } from './loopback-server';

/**
 * moto's server mode (Python, `moto_server`) on 127.0.0.1: the AWS wire protocols of SSM Parameter
 * Store and Secrets Manager, which have no Node emulator. The collector reads the vendor API key
 * from either in AWS; tests drive the real SDK v3 clients against this.
 */
export class MotoServer {
  private child: ChildProcess | undefined;
  private port = 0;

  /** Whether `moto_server` can be started here (it ships with the project's machine image). */
  static isAvailable(command = 'moto_server'): boolean {
    return spawnSync(command, ['--help'], { stdio: 'ignore' }).status === 0;
  }

  constructor(private readonly command = 'moto_server') {}

  /** Starts on a free port and waits until it answers; returns the endpoint URL. */
  async start(): Promise<string> {
    this.port = await freePort();
    const child = spawn(this.command, ['-H', '127.0.0.1', '-p', String(this.port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`moto_server exited (${code}): ${stderr}`))));
    exited.catch(() => undefined);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await Promise.race([fetch(`${this.endpoint}/moto-api/`), exited]);
        if (response.ok) return this.endpoint;
      } catch (error) {
        if (child.exitCode !== null) throw error;
      }
      if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${this.endpoint}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Client settings for any AWS SDK v3 client of a service moto serves. */
  clientConfig(): { endpoint: string; region: string; credentials: typeof LOCAL_CREDENTIALS } {
    return { endpoint: this.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** A port free right now: bound on loopback by a probe server, then released for moto. */
async function freePort(): Promise<number> {
  const probe = http.createServer();
  await listenOnLoopback(probe);
  const port = (probe.address() as AddressInfo).port;
  await closeServer(probe);
  return port;
}
