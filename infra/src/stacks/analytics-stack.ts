import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import type { Construct } from 'constructs';
import { LAKE_ZONES, sqlQueries, sqlViews } from '@ingest-lake/shared';
import type { EnvironmentConfig } from '../config/environment-config';
import type { LakeKey } from '../constructs/lake-key';
import type { SecureBucket } from '../constructs/secure-bucket';
import { IngestLakeStack, type IngestLakeStackProps } from './ingest-lake-stack';

/** Athena workgroup name of an environment (the catalog stack's SQL job runs in it). */
export function athenaWorkgroupName(config: EnvironmentConfig): string {
  return `${config.project}-${config.environment}`;
}

export interface AnalyticsStackProps extends IngestLakeStackProps {
  /** The lake: query results go to its athena-results/ zone. */
  lake: SecureBucket;
  /** Encrypts query results. */
  key: LakeKey;
  /** The Glue database the named queries run in. */
  databaseName: string;
}

/**
 * Athena: a workgroup with enforced configuration (KMS-encrypted results in the lake, a per-query
 * bytes-scanned cutoff, CloudWatch metrics), and the versioned views and queries as named queries.
 */
export class AnalyticsStack extends IngestLakeStack {
  readonly workgroup: AthenaWorkgroup;

  constructor(scope: Construct, props: AnalyticsStackProps) {
    super(scope, 'analytics', props.config);
    const { config, lake, key, databaseName } = props;
    this.workgroup = new AthenaWorkgroup(this, 'workgroup', {
      name: athenaWorkgroupName(config),
      state: 'ENABLED',
      forceDestroy: false,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: config.analytics.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${lake.bucketName}/${LAKE_ZONES.athenaResults}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKeyArn: key.arn },
        },
      },
    });
    for (const file of [...sqlViews(), ...sqlQueries()]) {
      new AthenaNamedQuery(this, `query-${file.name}`, {
        name: file.name,
        workgroup: this.workgroup.name,
        database: databaseName,
        query: file.sql,
        description: file.kind === 'view' ? 'View definition (run by the versioned-SQL Glue job)' : 'Dashboard query',
      });
    }
  }
}
