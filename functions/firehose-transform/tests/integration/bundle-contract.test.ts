import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleLambda } from '../../../../scripts/bundle-lambda';
import { describeFirehoseContract } from '../support/contract-suite';
import { BUNDLE_PATH, invokeBundle, invokeBundleOn } from '../support/invoke';
import { lambdaNode } from '../support/lambda-node';
import { LAMBDA_NODE_MAJOR, LAMBDA_RUNTIME } from '@ingest-lake/shared';

// turbo runs `build` before `test`; fail loudly instead of testing a stale or missing bundle.
beforeAll(() => {
  if (!existsSync(BUNDLE_PATH)) throw new Error(`no bundle at ${BUNDLE_PATH}: run \`npm run build\` first`);
});

describeFirehoseContract('esbuild bundle', invokeBundle);

// The same contract on the Node.js major Lambda runs (LAMBDA_RUNTIME), whatever Node runs the tests.
describe(`on ${LAMBDA_RUNTIME}`, () => {
  let node = '';
  beforeAll(() => {
    node = lambdaNode();
  }, 180_000);
  test('the binary is that major', () => {
    expect(execFileSync(node, ['--version'], { encoding: 'utf8' })).toMatch(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.`));
  });
  describeFirehoseContract('esbuild bundle', (event, env) => invokeBundleOn(node, event, env));
});

describe('deterministic asset', () => {
  test('building twice yields byte-identical zips, and asset.json records the hash', async () => {
    // Same depth as dist/ so relative source-map paths match.
    const outDir = path.join(path.dirname(BUNDLE_PATH), '..', '.determinism-check');
    const entry = path.resolve(__dirname, '../../src/handler.ts');
    const first = await bundleLambda(entry, outDir);
    const firstBytes = await readFile(path.join(outDir, 'lambda.zip'));
    const second = await bundleLambda(entry, outDir);
    const secondBytes = await readFile(path.join(outDir, 'lambda.zip'));
    expect(second.sha256).toBe(first.sha256);
    expect(Buffer.compare(firstBytes, secondBytes)).toBe(0);
    const published = JSON.parse(await readFile(path.join(path.dirname(BUNDLE_PATH), 'asset.json'), 'utf8'));
    expect(published).toEqual({ sha256: first.sha256, bytes: first.bytes, handler: 'index.handler' });
  }, 60_000);
});
