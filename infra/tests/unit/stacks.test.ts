import {
  appMarketDaily,
  collectorMetricDimensions,
  curatedDatasets,
  currentViewName,
  DELIVERY_ERROR_COLUMNS,
  DELIVERY_ERRORS_TABLE,
  dimensionDatasets,
  directBulkPartKey,
  events,
  glueColumns,
  SNAPSHOTS_COMPLETED_METRIC,
  VENDOR_HEADER_DRIFT_METRIC,
  vendorDatasets,
} from '@ingest-lake/shared';
import { COLLECTOR_MANIFESTS_DIR } from '@ingest-lake/collector-ec2/asset';
import { collectorVolumeGb } from '../../src/stacks/collector-stack';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { App } from 'cdktf';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildEnvironment } from '../../src/app';
import { directDeliveryDatasets } from '../../src/config/collector-bulk-delivery';
import { loadEnvironmentConfig, parseEnvironmentConfig } from '../../src/config/environment-config';
import { lambdaProcessorParameters } from '../../src/constructs/delivery-stream';
import { cleanUpApps, environment, resources, synth } from './support';

interface StackFile {
  terraform: { backend: Record<string, Record<string, unknown>> };
  data?: { terraform_remote_state: Record<string, { config: { path: string } }> };
}

afterAll(cleanUpApps);

describe('dev and prod synthesize with every policy rule passing', () => {
  test.each(['dev', 'prod'])('%s: every stack synthesizes and validates', (name) => {
    const stacks = environment(name);
    const all = Object.values(stacks);
    expect(all.length).toBe(name === 'prod' ? 11 : 10);
    for (const stack of all) expect(() => synth(stack)).not.toThrow();
  });
});

describe('a construct keeps the Terraform address its resource had when the stack built it inline', () => {
  // A moved address is a delete and a create: a stream's records, a log group's events, the boundary
  // every role names, the deploy role's own policy (which it may not recreate) would go with it.
  const stacks = environment('prod');
  test.each([
    ['streaming', 'aws_kinesis_stream', ['stream-app_market_daily', 'stream-events']],
    ['network', 'aws_cloudwatch_log_group', ['flow-logs']],
    ['collector', 'aws_cloudwatch_log_group', ['logs']],
    ['ingestApi', 'aws_cloudwatch_log_group', ['access-logs']],
    ['catalog', 'aws_glue_security_configuration', ['sql-job-security']],
    ['pipeline', 'aws_cloudwatch_log_group', ['build-logs']],
    ['pipeline', 'aws_codebuild_project', ['apply', 'plan', 'test']],
    ['pipeline', 'aws_iam_policy', ['boundary']],
  ] as const)('%s: %s %j', (stack, type, addresses) => {
    expect(Object.keys(synth(stacks[stack]).resource?.[type] ?? {}).sort()).toEqual(addresses);
  });
});

describe('state: the platform team owns it', () => {
  test('prod uses the S3 backend with one key per stack, encrypted and locked; no state bucket is created', () => {
    const stacks = environment('prod');
    const lake = synth(stacks.lake) as unknown as { terraform: { backend: Record<string, Record<string, unknown>> } };
    expect(lake.terraform.backend.s3).toEqual({
      bucket: 'platform-terraform-state-prod',
      key: 'ingest-lake/prod/lake.tfstate',
      region: 'ap-northeast-2',
      encrypt: true,
      use_lockfile: true,
    });
    const delivery = synth(stacks.delivery) as unknown as { terraform: { backend: Record<string, Record<string, unknown>> } };
    expect(delivery.terraform.backend.s3!.key).toBe('ingest-lake/prod/delivery.tfstate');
  });

  test('dev and prod both keep their state in the platform team\'s S3 backend, one key per stack, encrypted and locked', () => {
    for (const name of ['dev', 'prod']) {
      const stacks = Object.values(environment(name));
      const backends = stacks.map((stack) => (synth(stack) as unknown as StackFile).terraform.backend);
      expect(backends.every((backend) => Object.keys(backend).join() === 's3')).toBe(true);
      const keys = backends.map((backend) => backend.s3!.key as string);
      expect(new Set(keys).size).toBe(stacks.length);
      expect(keys.sort()).toEqual(stacks.map((stack) => `ingest-lake/${name}/${stack.node.id.replace(`ingest-lake-${name}-`, '')}.tfstate`).sort());
      for (const backend of backends) {
        expect(backend.s3).toMatchObject({ bucket: `platform-terraform-state-${name}`, region: 'ap-northeast-2', encrypt: true, use_lockfile: true });
      }
    }
  });

  test('a sandbox on the local backend keeps state beside cdktf.out/ (resolved from each stack folder), and consumers read that same file', () => {
    // Cross-stack references are resolved by a whole app's synth: synthesize dev with a local backend
    // the way `npm run synth` would write it (cdktf.out/stacks/<stack>/).
    const root = mkdtempSync(path.join(os.tmpdir(), 'ingest-local-state-'));
    try {
      const outdir = path.join(root, 'cdktf.out');
      const app = new App({ outdir });
      buildEnvironment(app, parseEnvironmentConfig({ ...loadEnvironmentConfig('dev'), backend: { type: 'local' } }, 'dev (sandbox)'));
      app.synth();
      const read = (stack: string) => JSON.parse(readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as StackFile;
      expect(read('ingest-lake-dev-lake').terraform.backend.local).toEqual({ path: '../../../.terraform-state/dev/lake.tfstate' });
      // cdktf.out/stacks/<stack>/ + ../../../ = the folder holding cdktf.out/, for every stack alike.
      const paths = Object.values(read('ingest-lake-dev-delivery').data!.terraform_remote_state).map((state) => state.config.path);
      expect(paths).toContain('../../../.terraform-state/dev/lake.tfstate');
      expect(paths.every((p) => p.startsWith('../../../.terraform-state/dev/'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('lake', () => {
  test('zones have lifecycle rules: raw zones to Glacier after the configured age, errors expire, old versions expire', () => {
    const json = synth(environment('prod').lake);
    const lifecycle = resources(json, 'aws_s3_bucket_lifecycle_configuration').find((l) => JSON.stringify(l).includes('raw-to-glacier'))!;
    const rules = lifecycle.rule as Array<Record<string, unknown>>;
    const byId = Object.fromEntries(rules.map((r) => [r.id, r]));
    // raw/ is the replay source: Instant Retrieval keeps replay's GetObject working (decision 0013).
    expect(byId['raw-to-glacier']).toMatchObject({ filter: [{ prefix: 'raw/' }], transition: [{ days: 90, storage_class: 'GLACIER_IR' }] });
    expect(byId['raw-data-to-glacier']).toMatchObject({ filter: [{ prefix: 'raw-data/' }], transition: [{ days: 90, storage_class: 'GLACIER' }] });
    expect(byId['errors-expire']).toMatchObject({ filter: [{ prefix: 'errors/' }], expiration: [{ days: 365 }] });
    expect(byId['noncurrent-versions-expire']).toMatchObject({ noncurrent_version_expiration: [{ noncurrent_days: 30 }] });
    expect(resources(json, 'aws_s3_bucket_versioning')).toHaveLength(1);
    expect(resources(json, 'aws_s3_bucket_logging')).toHaveLength(1);
    expect(resources(json, 'aws_kms_key')[0]).toMatchObject({ enable_key_rotation: true });
  });
});

describe('streaming', () => {
  test('on-demand in dev, provisioned with the configured shards in prod; KMS-encrypted; one stream per streamed dataset (retention: stream-retention.test.ts)', () => {
    const dev = resources(synth(environment('dev').streaming), 'aws_kinesis_stream');
    expect(dev.map((s) => s.name).sort()).toEqual(['ingest-lake-dev-app-market-daily', 'ingest-lake-dev-events']);
    expect(dev.every((s) => (s.stream_mode_details as { stream_mode: string }).stream_mode === 'ON_DEMAND' && s.shard_count === undefined)).toBe(true);
    const prod = resources(synth(environment('prod').streaming), 'aws_kinesis_stream');
    expect(prod.every((s) => (s.stream_mode_details as { stream_mode: string }).stream_mode === 'PROVISIONED' && s.shard_count === 1)).toBe(true);
    expect(prod.every((s) => s.encryption_type === 'KMS')).toBe(true);
  });
});

describe('delivery', () => {
  const json = () => synth(environment('dev').delivery);

  test('Firehose: KDS source, Lambda processor, dynamic partitioning, Parquet against the Glue table, error prefix, backup to raw-data/', () => {
    const streams = resources(json(), 'aws_kinesis_firehose_delivery_stream');
    expect(streams).toHaveLength(2);
    const s3 = (streams[0]!.extended_s3_configuration as Record<string, unknown>);
    expect(s3).toMatchObject({
      prefix: 'curated/dataset=!{partitionKeyFromLambda:dataset}/dt=!{partitionKeyFromLambda:dt}/',
      error_output_prefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
      buffering_interval: 60,
      buffering_size: 64,
      dynamic_partitioning_configuration: { enabled: true, retry_duration: 300 },
      s3_backup_mode: 'Enabled',
    });
    expect((s3.s3_backup_configuration as Record<string, unknown>).prefix).toBe('raw-data/!{timestamp:yyyy/MM/dd/HH}/');
    const conversion = s3.data_format_conversion_configuration as Record<string, unknown>;
    expect(JSON.stringify(conversion)).toContain('"hive_json_ser_de":{}');
    expect(JSON.stringify(conversion)).toContain('"compression":"SNAPPY"');
    const processors = JSON.stringify(s3.processing_configuration);
    expect(processors).toContain('"type":"Lambda"');
    // Parameters equal to Firehose's defaults are left out (the provider drops them on read: a perpetual diff).
    expect(s3.processing_configuration).toEqual({
      enabled: true,
      processors: [{ type: 'Lambda', parameters: [{ parameter_name: 'LambdaArn', parameter_value: expect.stringMatching(/\.arn\}:\$LATEST$/) }] }],
    });
  });

  test('the transform is the deterministic bundle, with its dataset routing in the environment', () => {
    const functions = resources(json(), 'aws_lambda_function');
    expect(functions.map((f) => (f.environment as { variables: Record<string, string> }).variables.DATASETS).sort()).toEqual(['app_market_daily', 'events']);
    expect(functions.every((f) => f.runtime === 'nodejs22.x' && f.handler === 'index.handler' && typeof f.source_code_hash === 'string')).toBe(true);
  });
});

describe('ingest API', () => {
  test('REST API, stage PROD, POST /v1 → Kinesis PutRecord with the mapping template, batch route, API key and throttled usage plan', () => {
    const json = synth(environment('dev').ingestApi);
    expect(resources(json, 'aws_api_gateway_stage')[0]).toMatchObject({ stage_name: 'PROD', xray_tracing_enabled: true });
    const integrations = resources(json, 'aws_api_gateway_integration');
    expect(integrations.map((i) => i.uri).sort()).toEqual([
      'arn:aws:apigateway:ap-northeast-2:kinesis:action/PutRecord',
      'arn:aws:apigateway:ap-northeast-2:kinesis:action/PutRecords',
    ]);
    const putRecord = integrations.find((i) => String(i.uri).endsWith('/PutRecord'))!;
    expect(putRecord).toMatchObject({ type: 'AWS', request_parameters: { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" } });
    const template = (putRecord.request_templates as Record<string, string>)['application/json']!;
    expect(template).toContain('"Data": "$util.base64Encode("$input.json(\'$\')\n")"');
    expect(template).toContain('"PartitionKey": "$input.params(\'X-Amzn-Trace-Id\')"');
    expect(resources(json, 'aws_api_gateway_method').every((m) => m.api_key_required === true && m.request_validator_id)).toBe(true);
    expect(resources(json, 'aws_api_gateway_usage_plan')[0]).toMatchObject({ throttle_settings: { rate_limit: 100, burst_limit: 200 } });
  });
});

describe('catalog and analytics', () => {
  test('Glue tables are generated from the shared schemas, with partition projection on dt', () => {
    const json = synth(environment('dev').catalog);
    const tables = resources(json, 'aws_glue_catalog_table');
    const eventsTable = tables.find((t) => t.name === events.name)!;
    const columns = (eventsTable.storage_descriptor as { columns: Array<{ name: string; type: string }> }).columns;
    expect(columns.map((c) => [c.name, c.type])).toEqual(glueColumns(events).map((c) => [c.name, c.type]));
    expect(eventsTable.partition_keys).toEqual([{ name: 'dt', type: 'date' }]);
    expect(eventsTable.parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.dt.type': 'date' });
    const market = tables.find((t) => t.name === appMarketDaily.name)!;
    expect(JSON.stringify(market)).toContain('"name":"revenue_usd","type":"decimal(18,4)"');
    // The parts the collector writes directly (decision 0018) sit where the table's projection reads a dt.
    const template = String((market.parameters as Record<string, string>)['storage.location.template']);
    // (`$${dt}` is Terraform's escape of the literal `${dt}` that Athena's projection fills in.)
    const folder = template.replace(/^s3:\/\/[^/]+\//, '').replace('$${dt}', '2026-11-20');
    expect(folder).toBe('curated/dataset=app_market_daily/dt=2026-11-20/');
    expect(directBulkPartKey(appMarketDaily.name, '2026-11-20', '2026-11-20', 1).startsWith(folder)).toBe(true);
    // All thirteen vendor tables (the data file and twelve dimensions) plus events, each from its schema,
    // and the Firehose error output the failures chart reads.
    expect(tables.map((t) => t.name).sort()).toEqual([...curatedDatasets.map((d) => d.name), DELIVERY_ERRORS_TABLE].sort());
    expect(tables).toHaveLength(15);
    const errors = tables.find((t) => t.name === DELIVERY_ERRORS_TABLE)!;
    expect(errors.partition_keys).toEqual([
      { name: 'error_output_type', type: 'string' },
      { name: 'dt', type: 'date' },
    ]);
    expect(errors.parameters).toMatchObject({
      'projection.error_output_type.type': 'enum',
      'projection.error_output_type.values': 'processing-failed,partitioning-failed',
      // The bucket is a reference Terraform resolves; only Athena's placeholders are escaped.
      'storage.location.template': expect.stringMatching(/^s3:\/\/\$\{[^}]+\}\/errors\/\$\$\{error_output_type\}\/dt=\$\$\{dt\}\/$/),
    });
    expect((errors.storage_descriptor as { columns: Array<{ name: string }> }).columns.map((c) => c.name)).toEqual(DELIVERY_ERROR_COLUMNS.map((c) => c.name.toLowerCase()));
    for (const dataset of dimensionDatasets) {
      const table = tables.find((t) => t.name === dataset.name)!;
      const tableColumns = (table.storage_descriptor as { columns: Array<{ name: string; type: string }> }).columns;
      expect([dataset.name, tableColumns.map((c) => [c.name, c.type])]).toEqual([dataset.name, glueColumns(dataset).map((c) => [c.name, c.type])]);
      expect(table.parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.dt.type': 'date', 'storage.location.template': expect.stringContaining(`/curated/dataset=${dataset.name}/dt=`) });
    }
    // The crawler reads raw/ into its own database, never beside the declared tables.
    const [crawler] = resources(json, 'aws_glue_crawler');
    expect(resources(json, 'aws_glue_crawler')).toHaveLength(1);
    expect(crawler!.database_name).not.toEqual(tables[0]!.database_name);
    expect(resources(json, 'aws_glue_job')[0]).toMatchObject({ command: { name: 'pythonshell' } });
  });

  test('the Athena workgroup enforces KMS-encrypted results and a bytes-scanned cutoff; SQL files are named queries', () => {
    const json = synth(environment('dev').analytics);
    const configuration = resources(json, 'aws_athena_workgroup')[0]!.configuration as Record<string, unknown>;
    expect(configuration).toMatchObject({ enforce_workgroup_configuration: true, bytes_scanned_cutoff_per_query: 10737418240 });
    expect(JSON.stringify(configuration)).toContain('SSE_KMS');
    expect(resources(json, 'aws_athena_named_query').map((q) => q.name)).toEqual(
      expect.arrayContaining([
        'events_deduplicated',
        'app_market_daily_deduplicated',
        'records_per_day',
        'top_event_types',
        'revenue_by_category_and_publisher',
        'revenue_by_region_local_currency',
        'top_movers_between_snapshots',
        ...dimensionDatasets.map(currentViewName),
      ]),
    );
  });
});

describe('collector', () => {
  test('AL2023, IMDSv2, encrypted gp3 sized for 2× the largest file, no key pair, no public IP, no inbound', () => {
    const stacks = environment('dev');
    const json = synth(stacks.collector);
    const template = resources(json, 'aws_launch_template')[0]!;
    expect(template.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
    expect(template.key_name).toBeUndefined();
    const disk = (template.block_device_mappings as Array<{ ebs: Record<string, unknown> }>)[0]!.ebs;
    expect(disk).toMatchObject({ volume_type: 'gp3', encrypted: 'true', volume_size: collectorVolumeGb(stacks.collector.config) });
    expect(collectorVolumeGb(stacks.collector.config)).toBe(23);
    expect(resources(json, 'aws_security_group')[0]!.ingress).toEqual([]);
    const userData = Buffer.from(String(template.user_data), 'base64').toString();
    expect(userData).toContain('systemd-units --manifest');
    expect(userData).not.toMatch(/api[-_]?key\s*=/i);
  });

  test('the role may write each dimension it curates (decision 0012) and the data file its manifest writes directly (decision 0018), and no other curated dataset', () => {
    const json = synth(environment('dev').collector);
    const documents = json.data!.aws_iam_policy_document as Record<string, { statement: Array<{ actions: string[]; resources: string[] }> }>;
    const permissions = Object.entries(documents).find(([id]) => id.startsWith('role_permissions'))![1];
    const curatedWrites = permissions.statement
      .filter((s) => s.actions.includes('s3:PutObject'))
      .flatMap((s) => s.resources)
      .filter((r) => r.includes('/curated/'))
      .map((r) => r.replace(/^.*?\/curated\//, 'curated/'));
    expect(curatedWrites.sort()).toEqual([...dimensionDatasets, appMarketDaily].map((d) => `curated/dataset=${d.name}/*`).sort());
    expect(dimensionDatasets).toHaveLength(12);
  });

  test('vendor header drift (decision 0016): the instance puts the metric with its environment, and an alarm per vendor dataset tells the alarm topic', () => {
    const json = synth(environment('prod').collector);
    const userData = Buffer.from(String(resources(json, 'aws_launch_template')[0]!.user_data), 'base64').toString();
    expect(userData).toContain('\nCOLLECTOR_METRICS_ENVIRONMENT=prod\n');
    const drift = resources(json, 'aws_cloudwatch_metric_alarm').filter((a) => a.metric_name === VENDOR_HEADER_DRIFT_METRIC.name);
    expect(drift).toEqual(
      vendorDatasets.map(() =>
        expect.objectContaining({
          namespace: VENDOR_HEADER_DRIFT_METRIC.namespace,
          dimensions: { Environment: 'prod', Dataset: 'app_market' },
          statistic: 'Sum',
          threshold: 1,
          comparison_operator: 'GreaterThanOrEqualToThreshold',
          treat_missing_data: 'notBreaching',
          alarm_actions: [expect.stringMatching(/^arn:aws:sns:ap-northeast-2:\$\{.*\}:ingest-lake-prod-alarms$/)],
        }),
      ),
    );
  });

  test('a data file streamed through Firehose gives the role no write on its curated prefix', async () => {
    const manifests = await mkdtemp(path.join(os.tmpdir(), 'manifests-'));
    try {
      const manifest = JSON.parse(readFileSync(path.join(COLLECTOR_MANIFESTS_DIR, 'app_market.json'), 'utf8')) as { bulk: Record<string, unknown> };
      await writeFile(path.join(manifests, 'app_market.json'), JSON.stringify({ ...manifest, bulk: { ...manifest.bulk, dataFileDelivery: 'stream' } }));
      expect(directDeliveryDatasets(manifests)).toEqual([]);
      await writeFile(path.join(manifests, 'app_market.json'), JSON.stringify({ ...manifest, bulk: { ...manifest.bulk, dataFileDelivery: 'sideways' } }));
      expect(() => directDeliveryDatasets(manifests)).toThrow(/app_market\.json: bulk\.dataFileDelivery "sideways" is not one of stream, direct/);
    } finally {
      await rm(manifests, { recursive: true, force: true });
    }
    expect(directDeliveryDatasets(COLLECTOR_MANIFESTS_DIR)).toEqual([appMarketDaily]);
  });

  test('the group runs one instance only around the manifest timer: from 15 min before it to 120 min after, in the egress subnet', () => {
    const json = synth(environment('prod').collector);
    const group = resources(json, 'aws_autoscaling_group')[0]!;
    expect(group).toMatchObject({ min_size: 0, max_size: 1 });
    // The scheduled actions own the desired capacity; a value here would be reset by every apply.
    expect(group.desired_capacity).toBeUndefined();
    expect(group.vpc_zone_identifier).toEqual([expect.stringContaining('private-0')]);
    const manifest = JSON.parse(readFileSync(path.join(COLLECTOR_MANIFESTS_DIR, 'app_market.json'), 'utf8')) as { schedule: { onCalendar: string } };
    expect(manifest.schedule.onCalendar).toBe('*-*-* 02:30:00 UTC');
    expect(resources(json, 'aws_autoscaling_schedule').map((a) => ({ name: a.scheduled_action_name, recurrence: a.recurrence, desired: a.desired_capacity, zone: a.time_zone }))).toEqual([
      { name: 'start-before-app-market', recurrence: '15 2 * * *', desired: 1, zone: 'Etc/UTC' },
      { name: 'stop-after-app-market', recurrence: '30 4 * * *', desired: 0, zone: 'Etc/UTC' },
    ]);
  });
});

describe('network', () => {
  // "none" is refused at config load (stack-defects.test.ts): the collector needs a route to the vendor.
  test.each([
    ['single', 1],
    ['per-az', 3],
  ] as const)('NAT %s → %i gateways; the configured interface endpoints in the AZs with a NAT; an S3 gateway endpoint either way', (natGateways, count) => {
    const interfaceEndpoints = ['kinesis-streams', 'ssm', 'ssmmessages'] as const;
    const stacks = environment('prod', (c) => ({ ...c, network: { ...c.network, natGateways, interfaceEndpoints: [...interfaceEndpoints] } }));
    const json = synth(stacks.network);
    expect(resources(json, 'aws_nat_gateway')).toHaveLength(count);
    expect(resources(json, 'aws_subnet')).toHaveLength(6);
    expect(stacks.network.egressSubnets).toHaveLength(count);
    const endpoints = resources(json, 'aws_vpc_endpoint');
    expect(endpoints.filter((e) => e.vpc_endpoint_type === 'Gateway').map((e) => String(e.service_name))).toEqual(['com.amazonaws.ap-northeast-2.s3']);
    const interfaces = endpoints.filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(interfaces.map((e) => String(e.service_name).split('.').pop())).toEqual([...interfaceEndpoints]);
    for (const endpoint of interfaces) expect(endpoint.subnet_ids).toHaveLength(count);
  });

  test('prod: one NAT, the Kinesis endpoint only, flow logs aggregated over 10 minutes', () => {
    const json = synth(environment('prod').network);
    expect(resources(json, 'aws_nat_gateway')).toHaveLength(1);
    expect(resources(json, 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Interface').map((e) => e.service_name)).toEqual(['com.amazonaws.ap-northeast-2.kinesis-streams']);
    expect(resources(json, 'aws_flow_log')).toEqual([expect.objectContaining({ traffic_type: 'ALL', max_aggregation_interval: 600 })]);
  });

  test.each(['sts', 'secretsmanager', 'logs', 'ec2'])('an interface endpoint nothing in the VPC calls (%s) is refused by config', (service) => {
    const config = JSON.parse(readFileSync(path.resolve(__dirname, '../../config/prod.json'), 'utf8')) as { network: Record<string, unknown> };
    config.network.interfaceEndpoints = ['kinesis-streams', service];
    expect(() => parseEnvironmentConfig(config, 'prod.json')).toThrow(/network\.interfaceEndpoints\.1/);
  });
});

describe('monitoring and pipeline', () => {
  test('alarms cover Kinesis, Firehose, Lambda, API 5XX and a missed collector run, all to the SNS topic', () => {
    const json = synth(environment('dev').monitoring);
    const alarms = resources(json, 'aws_cloudwatch_metric_alarm');
    expect(alarms.map((a) => a.metric_name)).toEqual(
      expect.arrayContaining(['WriteProvisionedThroughputExceeded', 'GetRecords.IteratorAgeMilliseconds', 'DeliveryToS3.DataFreshness', 'FailedConversion.Records', 'Errors', 'Throttles', '5XXError', SNAPSHOTS_COMPLETED_METRIC.name]),
    );
    expect(resources(json, 'aws_cloudwatch_dashboard')).toHaveLength(1);
  });

  test.each(['dev', 'prod'])('%s: the missed-run alarm watches the collector\'s SnapshotsCompleted as shared defines it (decision 0022), not the data file\'s stream', (name) => {
    const json = synth(environment(name).monitoring);
    const topic = Object.keys(json.resource!.aws_sns_topic!)[0]!;
    const missedRuns = resources(json, 'aws_cloudwatch_metric_alarm').filter((a) => String(a.alarm_name).includes('collector-missed-run'));
    expect(missedRuns).toEqual(
      vendorDatasets.map((vendor) => ({
        alarm_name: `ingest-lake-${name}-collector-missed-run-${vendor.name}`,
        alarm_description: expect.stringContaining('26 hours'),
        namespace: SNAPSHOTS_COMPLETED_METRIC.namespace,
        metric_name: SNAPSHOTS_COMPLETED_METRIC.name,
        dimensions: collectorMetricDimensions(name, vendor.name),
        statistic: 'Sum',
        // Sum < 1 in each of 26 hourly periods, and no data counted as none: a day without a finished snapshot.
        comparison_operator: 'LessThanThreshold',
        threshold: 1,
        period: 3_600,
        evaluation_periods: 26,
        treat_missing_data: 'breaching',
        alarm_actions: [`\${aws_sns_topic.${topic}.arn}`],
        ok_actions: [`\${aws_sns_topic.${topic}.arn}`],
      })),
    );
    expect(missedRuns.map((a) => a.namespace)).not.toContain('AWS/Kinesis');
  });

  test('the collector instance can put what the missed-run alarm watches: the namespace is granted and the Environment dimension is set', () => {
    const json = synth(environment('prod').collector);
    const userData = Buffer.from(String(resources(json, 'aws_launch_template')[0]!.user_data), 'base64').toString();
    expect(userData).toContain(`\nCOLLECTOR_METRICS_ENVIRONMENT=${collectorMetricDimensions('prod', 'app_market').Environment}\n`);
    const documents = json.data!.aws_iam_policy_document as Record<string, { statement: Array<{ actions: string[]; condition?: Array<{ variable: string; values: string[] }> }> }>;
    const permissions = Object.entries(documents).find(([id]) => id.startsWith('role_permissions'))![1];
    const putMetricData = permissions.statement.filter((s) => s.actions.includes('cloudwatch:PutMetricData'));
    expect(putMetricData.flatMap((s) => s.condition ?? []).filter((c) => c.variable === 'cloudwatch:namespace').flatMap((c) => c.values)).toEqual([SNAPSHOTS_COMPLETED_METRIC.namespace]);
  });

  test('provisioned streams get the shard scaler on a 5-minute schedule; on-demand streams do not', () => {
    const prod = synth(environment('prod').monitoring);
    const scaler = resources(prod, 'aws_lambda_function')[0]!;
    expect((scaler.environment as { variables: Record<string, string> }).variables).toMatchObject({
      STREAM_NAMES: 'ingest-lake-prod-events,ingest-lake-prod-app-market-daily',
      MIN_SHARDS: '1',
    });
    expect(resources(prod, 'aws_cloudwatch_event_rule')[0]).toMatchObject({ schedule_expression: 'rate(5 minutes)' });
    expect(resources(synth(environment('dev').monitoring), 'aws_lambda_function')).toHaveLength(0);
  });

  test('prod approves the saved plans between plan and apply; dev applies its saved plans without approval', () => {
    const stageNames = (name: string) =>
      (resources(synth(environment(name).pipeline), 'aws_codepipeline')[0]!.stage as Array<{ name: string }>).map((s) => s.name);
    expect(stageNames('prod')).toEqual(['Source', 'Test', 'Plan', 'Approve', 'Apply']);
    expect(stageNames('dev')).toEqual(['Source', 'Test', 'Plan', 'Apply']);
  });
});

describe('tags', () => {
  test('every stack tags every resource through provider default tags', () => {
    for (const stack of Object.values(environment('prod'))) {
      const json = synth(stack) as unknown as { provider: { aws: Array<{ default_tags: Array<{ tags: Record<string, string> }> }> } };
      expect(json.provider.aws[0]!.default_tags[0]!.tags).toEqual({
        project: 'ingest-lake', environment: 'prod', owner: 'data-platform', 'cost-centre': 'analytics-1234', 'managed-by': 'cdktf',
      });
    }
  });
});

describe('snapshot', () => {
  test('the dev lake stack synthesizes to a stable document', () => {
    expect(synth(environment('dev').lake)).toMatchSnapshot();
  });
});

describe('Lambda processor parameters', () => {
  test('only values that differ from Firehose defaults are written', () => {
    expect(lambdaProcessorParameters('arn:fn', { BufferSizeInMBs: '1', BufferIntervalInSeconds: '60', NumberOfRetries: '3' })).toEqual([
      { parameterName: 'LambdaArn', parameterValue: 'arn:fn' },
    ]);
    expect(lambdaProcessorParameters('arn:fn', { BufferSizeInMBs: '3', BufferIntervalInSeconds: '60', NumberOfRetries: '5' })).toEqual([
      { parameterName: 'LambdaArn', parameterValue: 'arn:fn' },
      { parameterName: 'BufferSizeInMBs', parameterValue: '3' },
      { parameterName: 'NumberOfRetries', parameterValue: '5' },
    ]);
  });
});

describe('policy rules are enforced on every stack an environment builds', () => {
  test('a violation added to any stack fails its synth, naming the rule', () => {
    // A fresh environment (an override builds one): this test adds a resource to every stack.
    const stacks = environment('dev', (config) => config);
    for (const stack of Object.values(stacks)) {
      new SnsTopic(stack, 'unencrypted-topic', { name: 'unencrypted' });
      expect(() => synth(stack)).toThrow(/policy sns-encryption: aws_sns_topic\.unencrypted-topic/);
    }
  });
});
