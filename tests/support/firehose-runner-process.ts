/**
 * Runs one Firehose runner as its own process (so a test can SIGKILL it) against emulators that
 * live elsewhere. Args: <kinesisEndpoint> <s3Endpoint> <stream> <bucket> <checkpointFile>
 */
import { kinesisClientFor, s3ClientFor } from '@ingest-lake/local-emulators';
import { DuckDbSession, FirehoseRunner, REPO_PATHS, TransformInvoker } from '@ingest-lake/local';

async function main(): Promise<void> {
  const [kinesisEndpoint, s3Endpoint, stream, bucket, checkpointFile] = process.argv.slice(2) as [string, string, string, string, string];
  const invoker = new TransformInvoker({ bundlePath: REPO_PATHS.transformBundle, functionName: 'killable', environment: { DATASETS: 'events' } });
  const runner = new FirehoseRunner({
    name: 'killable',
    kinesis: kinesisClientFor(kinesisEndpoint),
    streamName: stream,
    s3: s3ClientFor(s3Endpoint),
    bucket,
    duckdb: await DuckDbSession.open(),
    invoker,
    checkpointFile,
    bufferIntervalSeconds: 0,
    bufferSizeBytes: 2_000,
    pollIntervalMs: 20,
  });
  await runner.start();
  setInterval(() => process.stdout.write(`${JSON.stringify(runner.counters)}\n`), 100);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
