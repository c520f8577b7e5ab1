import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { DeleteObjectCommand, ListBucketsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { forEachStackInOrder, type SynthesizedStack } from '../../src/terraform/stack-manifest';
import { runTerraform } from '../../src/terraform/terraform-cli';
import { addressesOf, motoTargets } from './moto-gaps';
import { motoClientConfig } from './read-back';

/** Deletes every version and delete marker of a bucket. */
async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const entries = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])];
    if (entries.length === 0) return;
    for (const entry of entries)
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: entry.Key, VersionId: entry.VersionId }));
  }
}

/**
 * `terraform destroy` of an environment's stacks (already pointed at moto) in reverse dependency
 * order, as an operator would run it. force_destroy is off on purpose: objects Terraform does not own
 * (server access logs, which moto delivers too; probe objects; the collector release apply.sh
 * publishes) are deleted by hand first. Logging stops first, or the destroy's own requests would
 * write new logs into the emptied bucket.
 */
export async function destroyEnvironment(
  stacks: SynthesizedStack[],
  env: NodeJS.ProcessEnv,
  endpoint: string,
  names: { lakeStack: string; buckets: string[] },
): Promise<void> {
  const s3 = new S3Client({ ...motoClientConfig(endpoint), forcePathStyle: true });
  try {
    await forEachStackInOrder(
      stacks,
      async (stack) => {
        await runTerraform(stack.dir, ['init', '-input=false'], env);
        if (stack.name === names.lakeStack) {
          await runTerraform(
            stack.dir,
            ['destroy', '-auto-approve', '-input=false', `-target=${addressesOf(stack, 'aws_s3_bucket_logging')[0]}`],
            env,
          );
          for (const bucket of names.buckets) await emptyBucket(s3, bucket);
        }
        const targets = motoTargets(stack);
        if (targets !== 'plan-only')
          await runTerraform(stack.dir, ['destroy', '-auto-approve', '-input=false', ...targets], env);
      },
      { concurrency: 3, reverse: true },
    );
  } finally {
    s3.destroy();
  }
}

/** Buckets, streams and roles in moto whose names start with a prefix. */
export async function resourcesNamed(
  endpoint: string,
  prefix: string,
): Promise<{ buckets: string[]; streams: string[]; roles: string[] }> {
  const s3 = new S3Client({ ...motoClientConfig(endpoint), forcePathStyle: true });
  const kinesis = new KinesisClient(motoClientConfig(endpoint));
  const iam = new IAMClient(motoClientConfig(endpoint));
  try {
    const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name!);
    const streams = (await kinesis.send(new ListStreamsCommand({}))).StreamNames!;
    const roles = (await iam.send(new ListRolesCommand({ MaxItems: 1000 }))).Roles!.map((r) => r.RoleName!);
    const named = (list: string[]) => list.filter((n) => n.startsWith(prefix));
    return { buckets: named(buckets), streams: named(streams), roles: named(roles) };
  } finally {
    s3.destroy();
    kinesis.destroy();
    iam.destroy();
  }
}
