import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FirehoseTransformationEvent, FirehoseTransformationResponse } from '../../src';

const execFileAsync = promisify(execFile);
export const BUNDLE_PATH = path.resolve(__dirname, '../../dist/index.js');

/** Invokes the TypeScript source handler in-process with a fresh module registry and the given environment. */
export async function invokeSourceHandler(event: FirehoseTransformationEvent, env: Record<string, string>) {
  const saved = { ...process.env };
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  };
  // Powertools writes INFO and EMF to stdout, WARN and ERROR to stderr; both are captured.
  const writes = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    Object.assign(process.env, env);
    let handler!: (e: FirehoseTransformationEvent) => Promise<FirehoseTransformationResponse>;
    jest.isolateModules(() => {
      ({ handler } = jest.requireActual('../../src/handler') as { handler: typeof handler });
    });
    const response = await handler(event);
    return { response, stdout: chunks.join('') };
  } finally {
    for (const write of writes) write.mockRestore();
    process.env = saved;
  }
}

/** Invokes the built bundle (dist/index.js) in a child Node process, as the Lambda runtime would. */
export function invokeBundle(event: FirehoseTransformationEvent, env: Record<string, string>) {
  return invokeBundleOn(process.execPath, event, env);
}

/** The same, on the Node binary `node` (e.g. the Lambda runtime's major, lambda-node.ts). */
export async function invokeBundleOn(node: string, event: FirehoseTransformationEvent, env: Record<string, string>) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'transform-bundle-'));
  try {
    const eventPath = path.join(dir, 'event.json');
    const responsePath = path.join(dir, 'response.json');
    await writeFile(eventPath, JSON.stringify(event));
    const { stdout, stderr } = await execFileAsync(
      node,
      [path.join(__dirname, 'run-bundle.cjs'), BUNDLE_PATH, eventPath, responsePath],
      { env: { PATH: process.env.PATH ?? '', ...env }, maxBuffer: 64 * 1024 * 1024 },
    );
    const response = JSON.parse(await readFile(responsePath, 'utf8')) as FirehoseTransformationResponse;
    return { response, stdout: stdout + stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
