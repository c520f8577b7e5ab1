import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { GlueCrawler } from '@cdktf/provider-aws/lib/glue-crawler';
import { GlueJob } from '@cdktf/provider-aws/lib/glue-job';
import { GlueTrigger } from '@cdktf/provider-aws/lib/glue-trigger';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  curatedDatasets,
  curatedLocation,
  DELIVERY_ERROR_COLUMNS,
  DELIVERY_ERROR_OUTPUT_TYPES,
  DELIVERY_ERRORS_TABLE,
  errorOutputLocationTemplate,
  glueColumns,
  gluePartitionKeys,
  LAKE_ZONES,
  sqlQueries,
  sqlViews,
  vendorDatasets,
} from '@ingest-lake/shared';
import { resourceName, type EnvironmentConfig } from '../config/environment-config';
import { GlueJobEncryption } from '../constructs/glue-job-encryption';
import type { LakeKey } from '../constructs/lake-key';
import { QueryWorkgroup } from '../constructs/query-workgroup';
import type { SecureBucket } from '../constructs/secure-bucket';
import { ServiceRole } from '../constructs/service-role';
import { IngestLakeStack, type IngestLakeStackProps } from './ingest-lake-stack';

/** The Glue job's script (it only runs the versioned SQL files it is given, in key order, on Athena); read at synth. */
export const GLUE_SQL_RUNNER_SCRIPT_PATH = path.resolve(__dirname, '../glue/run_versioned_sql.py');

/** The versioned-SQL job's name: the daily trigger starts it, and so can an operator or the pipeline after a deploy. */
export function versionedSqlJobName(config: EnvironmentConfig): string {
  return resourceName(config, 'versioned-sql');
}

export interface CatalogStackProps extends IngestLakeStackProps {
  /** The lake the tables describe. */
  lake: SecureBucket;
  /** The lake's key (SQL objects, the job's security configuration). */
  key: LakeKey;
  /** The workgroup the SQL job runs its queries in. */
  athenaWorkgroupName: string;
}

/**
 * Glue Data Catalog: a database, one table per curated dataset (the streamed datasets and every
 * vendor dimension) generated from the shared schema (Parquet, partition projection on dt, so no
 * crawler is needed for curated data), one over the Firehose error output, a crawler for the vendor's raw files into a database of its
 * own, and a Python shell job that runs the versioned SQL (views, marts) daily,
 * its logs and S3 writes encrypted with the lake key through a Glue security configuration.
 */
export class CatalogStack extends IngestLakeStack {
  readonly database: GlueCatalogDatabase;
  /** Where the raw-file crawler writes its tables: apart from the declared ones. */
  readonly rawDatabase: GlueCatalogDatabase;
  readonly tables: Map<string, GlueCatalogTable> = new Map();
  /** Firehose's error output as a table (`delivery_errors`, as in the local catalog). */
  readonly deliveryErrorsTable: GlueCatalogTable;
  readonly sqlPrefix = 'state/sql/';

  constructor(scope: Construct, props: CatalogStackProps) {
    super(scope, 'catalog', props.config);
    const { config, lake, key, athenaWorkgroupName } = props;
    const account = new DataAwsCallerIdentity(this, 'account');
    const bucket = lake.bucketName;
    this.database = new GlueCatalogDatabase(this, 'database', { name: this.name('lake').replace(/-/g, '_'), description: 'ingest-lake curated and raw data' });
    for (const dataset of curatedDatasets) {
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
            // `${dt}` is Athena's placeholder, not a Terraform reference: written `$${dt}` in the JSON.
            'storage.location.template': `${location}dt=${Fn.rawString('${dt}')}/`,
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
    this.deliveryErrorsTable = this.declareDeliveryErrorsTable(bucket);
    const crawlerRole = new ServiceRole(this, 'crawler-role', {
      roleName: this.name('raw-crawler'),
      servicePrincipal: 'glue.amazonaws.com',
      guard: 'none', // Glue documents no confused-deputy key for its job and crawler roles
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole'],
    });
    // Reads only: S3 decrypts as the crawler (its logs go to Glue's log groups unencrypted by us).
    lake.grantRead(crawlerRole, LAKE_ZONES.raw);
    // The declared tables above are the contract; the crawler only shows what the vendor actually
    // ships, in a database of its own, so its guesses never shadow or replace a declared table.
    this.rawDatabase = new GlueCatalogDatabase(this, 'raw-database', {
      name: this.name('lake-raw').replace(/-/g, '_'),
      description: "The vendors' raw files as the crawler reads them (compare with the declared tables to see drift)",
    });
    for (const vendor of vendorDatasets) {
      new GlueCrawler(this, `raw-crawler-${vendor.name}`, {
        name: this.name(`raw-${vendor.name}`),
        role: crawlerRole.arn,
        databaseName: this.rawDatabase.name,
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
        key: `${this.sqlPrefix}${file.kind === 'view' ? '1-views' : '2-queries'}/${file.name}.sql`,
        content: file.sql,
        serverSideEncryption: 'aws:kms',
        kmsKeyId: key.arn,
      });
    }
    const scriptKey = 'state/glue/run_versioned_sql.py';
    new S3Object(this, 'glue-script', {
      bucket,
      key: scriptKey,
      content: readFileSync(GLUE_SQL_RUNNER_SCRIPT_PATH, 'utf8'),
      serverSideEncryption: 'aws:kms',
      kmsKeyId: key.arn,
    });
    // Python shell jobs log to Glue's own /aws-glue/python-jobs/* groups (the continuous-logging
    // arguments are Spark-only): the security configuration is what encrypts them with the lake key.
    const encryption = new GlueJobEncryption(this, 'sql-job-security', { configurationName: this.name('sql-job'), key, region: config.region, accountId: account.accountId });
    const jobRole = new ServiceRole(this, 'job-role', {
      roleName: this.name('sql-job'),
      servicePrincipal: 'glue.amazonaws.com',
      guard: 'none', // Glue documents no confused-deputy key for its job and crawler roles
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole'],
    });
    new QueryWorkgroup({ workgroupName: athenaWorkgroupName, region: config.region, accountId: account.accountId }).grantRunQueries(jobRole);
    // The key as the security configuration needs it (encrypt+decrypt), which covers what the reads
    // and writes below need of it.
    encryption.grantUse(jobRole);
    // The job reads the SQL and the lake (Athena reads as the caller) and writes query results.
    lake.grantRead(jobRole);
    lake.grantWrite(jobRole, LAKE_ZONES.athenaResults);
    const job = new GlueJob(this, 'sql-job', {
      name: versionedSqlJobName(config),
      roleArn: jobRole.arn,
      // Glue's release notes: Python shell 3.9 runs on Glue 3.0 (3.6 on 1.0); the other versions are Spark's.
      glueVersion: '3.0',
      command: { name: 'pythonshell', pythonVersion: '3.9', scriptLocation: `s3://${bucket}/${scriptKey}` },
      maxCapacity: 0.0625,
      timeout: 60,
      executionProperty: { maxConcurrentRuns: 1 },
      securityConfiguration: encryption.name,
      defaultArguments: {
        '--sql_prefix': this.sqlPrefix,
        '--bucket': bucket,
        '--workgroup': athenaWorkgroupName,
        '--database': this.database.name,
      },
    });
    // Daily, after the raw crawler (06:00 UTC): the views follow the deployed SQL within a day even if
    // nobody starts the job after a deploy (docs/deploy.md: start it once after each deploy).
    new GlueTrigger(this, 'sql-job-daily', {
      name: this.name('versioned-sql-daily'),
      type: 'SCHEDULED',
      schedule: 'cron(30 6 * * ? *)',
      startOnCreation: true,
      actions: [{ jobName: job.name }],
    });
  }

  /**
   * Firehose's error output (`errors/<error output type>/dt=<day>/`, JSON lines with Firehose's
   * fields), so that Athena and the QuickSight failures chart count failed records by reason as
   * the local catalog's `delivery_errors` does; both partition keys are projected.
   */
  private declareDeliveryErrorsTable(bucket: string): GlueCatalogTable {
    return new GlueCatalogTable(this, 'table-delivery-errors', {
      name: DELIVERY_ERRORS_TABLE,
      databaseName: this.database.name,
      description: 'Records the delivery streams could not curate (Firehose error output), with the reason in errorMessage',
      tableType: 'EXTERNAL_TABLE',
      parameters: {
        classification: 'json',
        'projection.enabled': 'true',
        'projection.error_output_type.type': 'enum',
        'projection.error_output_type.values': DELIVERY_ERROR_OUTPUT_TYPES.join(','),
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': '2020-01-01,NOW',
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'DAYS',
        // Athena's placeholders, not Terraform references: written `$${…}` in the JSON.
        'storage.location.template': `s3://${bucket}/${Fn.rawString(errorOutputLocationTemplate())}`,
      },
      partitionKeys: [
        { name: 'error_output_type', type: 'string' },
        { name: 'dt', type: 'date' },
      ],
      storageDescriptor: {
        location: `s3://${bucket}/${LAKE_ZONES.errors}`,
        inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        serDeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'case.insensitive': 'TRUE' } },
        columns: DELIVERY_ERROR_COLUMNS.map((c) => ({ name: c.name.toLowerCase(), type: c.type })),
      },
    });
  }
}
