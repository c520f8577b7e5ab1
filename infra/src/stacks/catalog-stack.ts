import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { GlueCrawler } from '@cdktf/provider-aws/lib/glue-crawler';
import { GlueJob } from '@cdktf/provider-aws/lib/glue-job';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { Construct } from 'constructs';
import { curatedLocation, glueColumns, gluePartitionKeys, sqlQueries, sqlViews, streamedDatasets, vendorDatasets } from '@ingest-lake/shared';
import type { EnvironmentConfig } from '../config/environment-config';
import type { LakeKey } from '../constructs/kms-key';
import type { SecureBucket } from '../constructs/lake-bucket';
import { ServiceRole } from '../constructs/service-role';
import { IngestLakeStack } from './ingest-lake-stack';

/** The Glue ETL script: it only runs the versioned SQL files it is given, in order, on Athena. */
export const GLUE_SQL_RUNNER_SCRIPT = `# Runs the versioned SQL of shared/sql on Athena; no transformation logic lives here.
import sys, time, boto3
from awsglue.utils import getResolvedOptions
args = getResolvedOptions(sys.argv, ['sql_prefix', 'bucket', 'workgroup', 'database'])
s3, athena = boto3.client('s3'), boto3.client('athena')
keys = sorted(o['Key'] for o in s3.list_objects_v2(Bucket=args['bucket'], Prefix=args['sql_prefix'])['Contents'] if o['Key'].endswith('.sql'))
for key in keys:
    sql = s3.get_object(Bucket=args['bucket'], Key=key)['Body'].read().decode('utf-8')
    qid = athena.start_query_execution(QueryString=sql, WorkGroup=args['workgroup'], QueryExecutionContext={'Database': args['database']})['QueryExecutionId']
    while True:
        state = athena.get_query_execution(QueryExecutionId=qid)['QueryExecution']['Status']['State']
        if state in ('SUCCEEDED', 'FAILED', 'CANCELLED'):
            break
        time.sleep(2)
    if state != 'SUCCEEDED':
        raise RuntimeError(f'{key}: {state}')
`;

/**
 * Glue Data Catalog: a database, one table per streamed dataset generated from the shared schema
 * (Parquet, partition projection on dt, so no crawler is needed for curated data), a crawler for
 * the vendor's raw files, and a Glue job that runs the versioned SQL (views, marts).
 */
export class CatalogStack extends IngestLakeStack {
  readonly database: GlueCatalogDatabase;
  readonly tables: Map<string, GlueCatalogTable> = new Map();
  readonly sqlPrefix = 'state/sql/';

  constructor(scope: Construct, config: EnvironmentConfig, lake: SecureBucket, key: LakeKey, athenaWorkgroupName: string) {
    super(scope, 'catalog', config);
    const bucket = lake.bucket.bucket;
    this.database = new GlueCatalogDatabase(this, 'database', { name: this.name('lake').replace(/-/g, '_'), description: 'ingest-lake curated and raw data' });
    for (const dataset of streamedDatasets) {
      const location = `s3://${bucket}/${curatedLocation(dataset.name)}`;
      this.tables.set(
        dataset.name,
        new GlueCatalogTable(this, `table-${dataset.name}`, {
          name: dataset.name,
          databaseName: this.database.name,
          description: dataset.description,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            classification: 'parquet',
            'projection.enabled': 'true',
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': '2020-01-01,NOW',
            'projection.dt.interval': '1',
            'projection.dt.interval.unit': 'DAYS',
            'storage.location.template': `${location}dt=\${dt}/`,
            'schema.version': String(dataset.version),
          },
          partitionKeys: gluePartitionKeys.map((k) => ({ name: k.name, type: k.type })),
          storageDescriptor: {
            location,
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serDeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', parameters: { 'serialization.format': '1' } },
            columns: glueColumns(dataset).map((c) => ({ name: c.name, type: c.type, ...(c.comment ? { comment: c.comment } : {}) })),
          },
        }),
      );
    }
    const crawlerRole = new ServiceRole(this, 'crawler-role', {
      roleName: this.name('raw-crawler'),
      servicePrincipal: 'glue.amazonaws.com',
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole'],
      grants: [lake.grantRead('raw/'), key.grantEncryptDecrypt()],
    });
    for (const vendor of vendorDatasets) {
      new GlueCrawler(this, `raw-crawler-${vendor.name}`, {
        name: this.name(`raw-${vendor.name}`),
        role: crawlerRole.role.arn,
        databaseName: this.database.name,
        tablePrefix: 'raw_',
        schedule: 'cron(0 6 * * ? *)',
        // raw/<vendor>/snapshot=<date>/<file>.csv.gz: one table per file schema, partitioned by snapshot.
        s3Target: [{ path: `s3://${bucket}/raw/${vendor.name}/` }],
        schemaChangePolicy: { deleteBehavior: 'LOG', updateBehavior: 'UPDATE_IN_DATABASE' },
      });
    }
    for (const file of [...sqlViews(), ...sqlQueries()]) {
      new S3Object(this, `sql-${file.name}`, {
        bucket,
        key: `${this.sqlPrefix}${file.path.includes('/views/') ? '1-views' : '2-queries'}/${file.name}.sql`,
        content: file.sql,
        serverSideEncryption: 'aws:kms',
        kmsKeyId: key.key.arn,
      });
    }
    new S3Object(this, 'glue-script', { bucket, key: 'state/glue/run_versioned_sql.py', content: GLUE_SQL_RUNNER_SCRIPT, serverSideEncryption: 'aws:kms', kmsKeyId: key.key.arn });
    const jobRole = new ServiceRole(this, 'job-role', {
      roleName: this.name('sql-job'),
      servicePrincipal: 'glue.amazonaws.com',
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole'],
      grants: [
        lake.grantRead(''),
        lake.grantWrite('athena-results/'),
        key.grantEncryptDecrypt(),
        {
          actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'],
          resources: [`arn:aws:athena:${config.region}:*:workgroup/${athenaWorkgroupName}`],
        },
      ],
    });
    const jobLogs = new CloudwatchLogGroup(this, 'job-logs', { name: `/aws-glue/jobs/${this.name('sql')}`, retentionInDays: 90, kmsKeyId: key.key.arn });
    new GlueJob(this, 'sql-job', {
      name: this.name('versioned-sql'),
      roleArn: jobRole.role.arn,
      glueVersion: '5.0',
      command: { name: 'pythonshell', pythonVersion: '3.9', scriptLocation: `s3://${bucket}/state/glue/run_versioned_sql.py` },
      maxCapacity: 0.0625,
      defaultArguments: {
        '--sql_prefix': this.sqlPrefix,
        '--bucket': bucket,
        '--workgroup': athenaWorkgroupName,
        '--database': this.database.name,
        '--continuous-log-logGroup': jobLogs.name,
      },
    });
  }
}
