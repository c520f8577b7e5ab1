/**
 * The Lambda runtime every function of the project deploys on. The transform's contract suite runs
 * the built bundle on this Node.js major too (functions/firehose-transform/tests), so what is tested
 * is what Lambda runs: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/** The Node.js major version of {@link LAMBDA_RUNTIME}. */
export const LAMBDA_NODE_MAJOR = Number(/^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME)![1]);
