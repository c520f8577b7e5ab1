import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FirehoseTransformationEvent, FirehoseTransformationResponse } from '@ingest-lake/firehose-transform';
import type { TransformProcessorSettings } from '@ingest-lake/shared';
import { LocalRuntimeError } from './local-runtime-error';

/** An invocation that errored, timed out or crashed its process (Firehose retries these). */
export class InvocationError extends LocalRuntimeError {
  readonly code = 'LAMBDA_INVOCATION_FAILED';
  constructor(
    /** Firehose's `errorCode` for the failure, as its error records carry it. */
    readonly errorCode: 'Lambda.FunctionError' | 'Lambda.Timeout' | 'Lambda.ProcessExited',
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${errorCode}: ${message}`, options);
    this.name = 'InvocationError';
  }
}

export interface TransformInvokerOptions {
  /** Path of the built bundle (functions/firehose-transform/dist/index.js). */
  bundlePath: string;
  functionName: string;
  /** The function's environment (DATASETS, DEFAULT_DATASET, …). */
  environment: Record<string, string>;
  /** An invocation that runs longer fails with Lambda.Timeout and its process is replaced. */
  timeoutMs: number;
}

/**
 * Runs the real transform bundle in a separate Node process with its own environment, like a
 * warm Lambda execution environment: loaded once, invoked many times, replaced when it crashes or
 * times out.
 */
export class TransformInvoker {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<string, { resolve: (r: FirehoseTransformationResponse) => void; reject: (e: Error) => void }>();
  /** Invocations made and cold starts (process launches), for the runner's report. */
  readonly stats = { invocations: 0, coldStarts: 0, failures: 0 };

  constructor(private readonly options: TransformInvokerOptions) {}

  /** The function a delivery stream's processor names, with its environment and timeout, running `bundlePath`. */
  static forProcessor(bundlePath: string, processor: TransformProcessorSettings): TransformInvoker {
    return new TransformInvoker({ bundlePath, functionName: processor.functionName, environment: { ...processor.environment }, timeoutMs: processor.timeoutSeconds * 1000 });
  }

  get lambdaArn(): string {
    return `arn:aws:lambda:local:000000000000:function:${this.options.functionName}`;
  }

  private start(): Promise<void> {
    this.stats.coldStarts++;
    const child = fork(path.join(__dirname, 'lambda-host.cjs'), [], {
      env: {
        PATH: process.env.PATH ?? '',
        ...this.options.environment,
        LAMBDA_BUNDLE_PATH: this.options.bundlePath,
        AWS_LAMBDA_FUNCTION_NAME: this.options.functionName,
        AWS_REGION: 'local',
      },
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
      // A clean Node like Lambda's, not the runner's flags (its loader, a fault test's preloaded hook).
      execArgv: [],
    });
    this.child = child;
    this.ready = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new InvocationError('Lambda.ProcessExited', `bundle exited with ${code} during init`)));
      child.on('message', (message: { ready?: boolean; id?: string; response?: FirehoseTransformationResponse; error?: { message: string } }) => {
        if (message.ready) return resolve();
        const waiter = message.id ? this.pending.get(message.id) : undefined;
        if (!waiter) return;
        this.pending.delete(message.id!);
        if (message.error) waiter.reject(new InvocationError('Lambda.FunctionError', message.error.message));
        else waiter.resolve(message.response!);
      });
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      for (const [id, waiter] of this.pending) {
        this.pending.delete(id);
        waiter.reject(new InvocationError('Lambda.ProcessExited', `process exited (${signal ?? code})`));
      }
    });
    return this.ready;
  }

  /** Invokes the function once; rejects with InvocationError on error, timeout or crash. */
  async invoke(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResponse> {
    this.stats.invocations++;
    if (!this.child) await this.start();
    else await this.ready;
    const child = this.child!;
    const id = randomUUID();
    const timeoutMs = this.options.timeoutMs;
    try {
      return await new Promise<FirehoseTransformationResponse>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          // Forget the process now: the next invocation must start a fresh one, not wait for 'exit'.
          if (this.child === child) this.child = undefined;
          child.kill('SIGKILL');
          reject(new InvocationError('Lambda.Timeout', `no response within ${timeoutMs} ms`));
        }, timeoutMs);
        this.pending.set(id, {
          resolve: (response) => (clearTimeout(timer), resolve(response)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
        child.send({ id, event });
      });
    } catch (error) {
      this.stats.failures++;
      throw error;
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
  }
}
