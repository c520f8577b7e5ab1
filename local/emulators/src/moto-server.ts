import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './kinesis-emulator';
import { closeServer, listenOnLoopback } from './loopback-server';

export interface MotoServerOptions {
  /** The moto server executable. @default moto_server */
  command?: string;
  /** Extra environment, e.g. `MOTO_IAM_LOAD_MANAGED_POLICIES: 'true'` so AWS managed policies exist. @default none */
  env?: Record<string, string>;
  /**
   * Launch through `moto/moto_server_aws_fidelity.py`, which corrects the moto 5.2 answers that differ
   * from AWS where Terraform can see it: policy conditions (a TLS-only bucket refuses every write
   * under plain moto), Kinesis tags at create, Lambda KMSKeyArn/LoggingConfig, launch template tags
   * (each is explained in that file). @default false
   */
  awsFidelity?: boolean;
  /** Python with moto installed, for `awsFidelity`. @default python3 */
  python?: string;
}

const AWS_FIDELITY_LAUNCHER = path.resolve(__dirname, '../moto/moto_server_aws_fidelity.py');

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

  private readonly command: string;
  private readonly args: string[];
  private readonly env: Record<string, string>;

  constructor(options: MotoServerOptions = {}) {
    const command = options.command ?? 'moto_server';
    if (options.awsFidelity) {
      // Same server, launched through the Python shim that corrects moto where it differs from AWS.
      this.command = options.python ?? 'python3';
      this.args = [AWS_FIDELITY_LAUNCHER];
    } else {
      this.command = command;
      this.args = [];
    }
    this.env = options.env ?? {};
  }

  /** Starts on a free port and waits until it answers; returns the endpoint URL. */
  async start(): Promise<string> {
    this.port = await freePort();
    const child = spawn(this.command, [...this.args, '-H', '127.0.0.1', '-p', String(this.port)], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...this.env } });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`moto_server exited (${code}): ${stderr}`))));
    exited.catch(() => undefined);
    // moto imports most of itself at start: seconds when idle, over 30 s on a loaded 2-core machine.
    const deadline = Date.now() + START_TIMEOUT_MS;
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
    // moto keeps nothing worth a clean shutdown: if it has not gone in a few seconds, kill it.
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(kill);
  }
}

/** How long start() waits for moto to answer. */
const START_TIMEOUT_MS = 120_000;

/** How long stop() waits for moto to exit on SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 3_000;

/** A port free right now: bound on loopback by a probe server, then released for moto. */
async function freePort(): Promise<number> {
  const probe = http.createServer();
  await listenOnLoopback(probe);
  const port = (probe.address() as AddressInfo).port;
  await closeServer(probe);
  return port;
}
