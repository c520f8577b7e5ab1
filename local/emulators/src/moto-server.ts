import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './kinesis-emulator';
import { stopChildProcess } from './stop-child-process';

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

  /**
   * Starts moto on a port it binds itself (`-p 0`) and waits until it answers; returns the endpoint URL.
   * The port is read from moto's own startup line: a port probed free here and handed to moto could be
   * taken by another process during moto's start (seconds to tens of seconds on a loaded machine),
   * and two suites starting at once could even end up talking to one moto.
   */
  async start(): Promise<string> {
    const child = spawn(this.command, [...this.args, '-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...this.env } });
    this.child = child;
    let stderr = '';
    let reportPort: (port: number) => void = () => undefined;
    const bound = new Promise<number>((resolve) => (reportPort = resolve));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
      const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) reportPort(Number(match[1]));
    });
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`moto_server exited (${code}): ${stderr}`))));
    exited.catch(() => undefined);
    // moto imports most of itself at start: seconds when idle, over 30 s on a loaded 2-core machine.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`moto_server did not start within ${START_TIMEOUT_MS / 1000} s: ${stderr}`)), START_TIMEOUT_MS);
    });
    timedOut.catch(() => undefined);
    try {
      this.port = await Promise.race([bound, exited, timedOut]);
      // Until it answers: a refused connection is retried; moto exiting, or the timeout, ends the wait.
      for (;;) {
        const response = await Promise.race([fetch(`${this.endpoint}/moto-api/`).catch(() => undefined), exited, timedOut]);
        if (response?.ok) return this.endpoint;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } catch (error) {
      child.kill('SIGKILL');
      this.child = undefined;
      throw error;
    } finally {
      clearTimeout(timer);
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
    if (child) await stopChildProcess(child, STOP_GRACE_MS);
  }
}

/** How long start() waits for moto to answer. */
const START_TIMEOUT_MS = 120_000;

/** How long stop() waits for moto to exit on SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 3_000;
