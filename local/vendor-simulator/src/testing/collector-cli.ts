import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { API_KEY, BUCKET, SNAPSHOT } from './simulator-defaults';

// The runner drives the collector as a black box, its built bundle, found by its place in the
// repository: importing @ingest-lake/collector-ec2 would make a dependency cycle, since the
// collector's own suites use this runner (turbo refuses cycles).
const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const CLI_BUNDLE = path.join(REPO_ROOT, 'collector-ec2/dist/collector.cjs');
export const LOCAL_MANIFEST = path.join(REPO_ROOT, 'collector-ec2/manifests/app_market.local.json');

/** Fails early, with what to do, when the bundle the CLI tests run is missing. */
export function requireCliBundle(): void {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`no CLI bundle at ${CLI_BUNDLE}: run \`npm run build\` first`);
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** JSON lines of stdout (progress events and the final report). */
  events: Array<Record<string, unknown>>;
  elapsedMs: number;
}

/** What a run talks to: the fixture's simulator and emulators, or another stack's with the same endpoints. */
export interface CliTarget {
  simulator: { baseUrl: string };
  kinesis: { endpoint: string };
  s3: { endpoint: string };
}

export interface CliOptions {
  fixture: CliTarget;
  stream: string;
  workDir: string;
  /** @default LOCAL_MANIFEST */
  manifest?: string;
  /** `--ledger` (the lease lives where the ledger does). */
  ledger: string;
  /** @default the fixture's s3rver */
  s3Endpoint?: string;
  /** @default BUCKET */
  lakeBucket?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** A script preloaded with `node -r` (the chosen-point kill hooks). */
  preload?: string;
  /** Called with every stdout JSON line as it arrives. */
  onEvent?: (event: Record<string, unknown>, child: ChildProcess) => void;
}

/** Starts `collect` of the fixture's snapshot from the CLI bundle, in its own process. */
export function startCli(options: CliOptions): { child: ChildProcess; done: Promise<CliRun> } {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      ...(options.preload ? ['-r', options.preload] : []),
      CLI_BUNDLE,
      'collect',
      '--manifest', options.manifest ?? LOCAL_MANIFEST,
      '--snapshot', SNAPSHOT,
      '--work-dir', options.workDir,
      '--lake-bucket', options.lakeBucket ?? BUCKET,
      '--stream', options.stream,
      '--vendor-url', options.fixture.simulator.baseUrl,
      '--ledger', options.ledger,
      '--kinesis-endpoint', options.fixture.kinesis.endpoint,
      '--s3-endpoint', options.s3Endpoint ?? options.fixture.s3.endpoint,
      '--progress', 'json',
      ...(options.extraArgs ?? []),
    ],
    { env: { PATH: process.env.PATH, VENDOR_API_KEY: API_KEY, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let pending = '';
  const events: Array<Record<string, unknown>> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      options.onEvent?.(event, child);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, events, elapsedMs: Date.now() - started }));
  });
  return { child, done };
}

/** Runs `collect` to its end. */
export function runCli(options: CliOptions): Promise<CliRun> {
  return startCli(options).done;
}

/** The run report a finished `collect` printed, as the caller types it (the collector's `RunReport`). */
export function reportOf<Report>(run: CliRun): Report {
  const line = run.events.find((event) => 'report' in event);
  if (!line) throw new Error(`no report in the output (exit ${run.code}, signal ${run.signal}): ${run.stderr.slice(-1_000)}`);
  return line.report as Report;
}

/** The lease events (`acquired`, `took-over-expired`, …) a run logged, in order. */
export function leaseActions(run: CliRun): string[] {
  return run.events.filter((event) => event.type === 'lease').map((event) => event.action as string);
}
