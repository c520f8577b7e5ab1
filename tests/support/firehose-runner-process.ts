/**
 * Runs one Firehose runner as its own process (so a test can SIGKILL it) against emulators that
 * live elsewhere. Args: <kinesisEndpoint> <s3Endpoint> <stream> <bucket> <checkpointFile> [--drain]
 * With --drain it also reads the stream to its end, delivers it, and prints a line with `drained: true`.
 * It reads at most 250 records a shard per poll, so a stream of a few thousand records takes several deliveries.
 */
import { kinesisClientFor, s3ClientFor } from '@ingest-lake/local-emulators';
import { changeDeliveryStream, DuckDbSession, FirehoseRunner, loadLocalDeployment, REPO_PATHS, TransformInvoker } from '@ingest-lake/local-runtime';

async function main(): Promise<void> {
  const [kinesisEndpoint, s3Endpoint, stream, bucket, checkpointFile, mode] = process.argv.slice(2) as [string, string, string, string, string, string | undefined];
  const invoker = new TransformInvoker({ bundlePath: REPO_PATHS.transformBundle, functionName: 'killable', environment: { DATASETS: 'events' }, timeoutMs: 60_000 });
  const runner = new FirehoseRunner({
    // The deployed events delivery stream on this suite's stream and bucket, delivering every 2,000 bytes.
    delivery: changeDeliveryStream(loadLocalDeployment().streams[0]!, {
      deliveryStreamName: 'killable',
      sourceStreamName: stream,
      bucketName: bucket,
      bufferIntervalMs: 0,
      bufferSizeMb: 2_000 / 1_048_576,
    }),
    kinesis: kinesisClientFor(kinesisEndpoint),
    s3: s3ClientFor(s3Endpoint),
    duckdb: await DuckDbSession.open(),
    invoker,
    checkpointFile,
    pollIntervalMs: 20,
    recordsPerShardPoll: 250,
  });
  await runner.start();
  setInterval(() => process.stdout.write(`${JSON.stringify(runner.counters)}\n`), 100);
  if (mode === '--drain') {
    await runner.drainNow();
    process.stdout.write(`${JSON.stringify({ ...runner.counters, drained: true })}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
