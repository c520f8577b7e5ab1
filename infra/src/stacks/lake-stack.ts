import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import type { Construct } from 'constructs';
import { DELIVERY_ERROR_OUTPUT_TYPES, errorOutputFolder, LAKE_ZONES } from '@ingest-lake/shared';
import type { EnvironmentConfig } from '../config/environment-config';
import { LakeKey } from '../constructs/lake-key';
import { SecureBucket } from '../constructs/secure-bucket';
import { IngestLakeStack, type IngestLakeStackProps } from './ingest-lake-stack';

export type LakeStackProps = IngestLakeStackProps;

/**
 * The lake: one KMS key, one bucket with the zones raw/, raw-data/, curated/, errors/,
 * athena-results/ and state/, lifecycle (raw zones to Glacier, errors expire, old versions expire),
 * and a separate access-log bucket. With bi enabled, QuickSight's service role may read curated/
 * and the Firehose error output and use athena-results/, through the bucket and key policies.
 */
export class LakeStack extends IngestLakeStack {
  readonly key: LakeKey;
  readonly lake: SecureBucket;
  readonly accessLogs: SecureBucket;

  constructor(scope: Construct, props: LakeStackProps) {
    super(scope, 'lake', props.config);
    const { config } = props;
    const account = new DataAwsCallerIdentity(this, 'account');
    // QuickSight (bi.enabled) queries through Athena as its account-wide service role, which this
    // project does not own: the key and bucket policies name it (decision 0017).
    const quicksightRole = config.bi.enabled ? quicksightServiceRoleArn(config, account.accountId) : undefined;
    this.key = new LakeKey(this, 'key', {
      alias: this.name('lake'),
      region: config.region,
      ...(quicksightRole ? { dataUsers: [{ sid: 'QuickSightReadsAndWritesLakeData', principalArn: quicksightRole }] } : {}),
    });
    this.accessLogs = new SecureBucket(this, 'access-logs', {
      bucketName: this.name('access-logs'),
      versioned: false,
      lifecycleRules: [{ id: 'expire-access-logs', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: 365 }] }],
      serverAccessLogsSourceAccount: account.accountId,
    });
    const toGlacier = (id: string, prefix: string, days: number, storageClass: 'GLACIER_IR' | 'GLACIER') => ({
      id,
      status: 'Enabled',
      filter: [{ prefix }],
      transition: [{ days, storageClass }],
    });
    this.lake = new SecureBucket(this, 'lake', {
      bucketName: this.name('lake'),
      kmsKey: this.key,
      accessLogBucket: this.accessLogs,
      lifecycleRules: [
        // raw/ is the replay source: Glacier Instant Retrieval keeps GetObject working (decision 0013).
        toGlacier('raw-to-glacier', LAKE_ZONES.raw, config.lake.rawToGlacierDays, 'GLACIER_IR'),
        // raw-data/ is the Firehose backup, read only to diagnose: Flexible Retrieval, restored on demand.
        toGlacier('raw-data-to-glacier', LAKE_ZONES.rawData, config.lake.rawDataToGlacierDays, 'GLACIER'),
        { id: 'errors-expire', status: 'Enabled', filter: [{ prefix: LAKE_ZONES.errors }], expiration: [{ days: config.lake.errorsExpireDays }] },
        { id: 'athena-results-expire', status: 'Enabled', filter: [{ prefix: LAKE_ZONES.athenaResults }], expiration: [{ days: 30 }] },
        {
          id: 'noncurrent-versions-expire',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: config.lake.noncurrentVersionsExpireDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    if (quicksightRole) {
      this.lake.grantToPrincipal('QuickSightAthena', quicksightRole, [
        this.lake.readGrant(LAKE_ZONES.curated),
        ...DELIVERY_ERROR_OUTPUT_TYPES.map((type) => this.lake.readGrant(`${errorOutputFolder(type)}/`)),
        this.lake.readGrant(LAKE_ZONES.athenaResults),
        this.lake.writeGrant(LAKE_ZONES.athenaResults),
      ]);
    }
  }
}

/** The IAM role QuickSight uses for Athena and S3 in the account (`bi.quicksightServiceRole`). */
export function quicksightServiceRoleArn(config: EnvironmentConfig, accountId: string): string {
  return `arn:aws:iam::${accountId}:role/${config.bi.quicksightServiceRole}`;
}
