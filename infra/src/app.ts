import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { App, type TerraformStack } from 'cdktf';
import { enforcePolicies } from './aspects/policy-aspect';
import { loadEnvironmentConfig, type EnvironmentConfig } from './config/environment-config';
import type { LambdaBundle } from './constructs/bundled-function';
import { AnalyticsStack, athenaWorkgroupName } from './stacks/analytics-stack';
import { BiStack } from './stacks/bi-stack';
import { CatalogStack } from './stacks/catalog-stack';
import { CollectorStack } from './stacks/collector-stack';
import { DeliveryStack } from './stacks/delivery-stack';
import { IngestApiStack } from './stacks/ingest-api-stack';
import { LakeStack } from './stacks/lake-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { NetworkStack } from './stacks/network-stack';
import { PipelineStack, permissionsBoundaryArn } from './stacks/pipeline-stack';
import { StreamingStack } from './stacks/streaming-stack';
import { appMarket, events } from '@ingest-lake/shared';

/** Every stack of one environment, wired by cross-stack references (each has its own state). */
export interface EnvironmentStacks {
  lake: LakeStack;
  network: NetworkStack;
  streaming: StreamingStack;
  catalog: CatalogStack;
  analytics: AnalyticsStack;
  delivery: DeliveryStack;
  ingestApi: IngestApiStack;
  collector: CollectorStack;
  monitoring: MonitoringStack;
  pipeline: PipelineStack;
  bi?: BiStack;
}

export function buildEnvironment(app: App, config: EnvironmentConfig, options: { transformBundle?: LambdaBundle } = {}): EnvironmentStacks {
  const lake = new LakeStack(app, { config });
  const network = new NetworkStack(app, { config, key: lake.key });
  const streaming = new StreamingStack(app, { config, key: lake.key });
  const catalog = new CatalogStack(app, { config, lake: lake.lake, key: lake.key, athenaWorkgroupName: athenaWorkgroupName(config) });
  const analytics = new AnalyticsStack(app, { config, lake: lake.lake, key: lake.key, databaseName: catalog.database.name });
  const delivery = new DeliveryStack(app, {
    config,
    lake: lake.lake,
    key: lake.key,
    streams: streaming.streams,
    tables: catalog.tables,
    databaseName: catalog.database.name,
    ...(options.transformBundle ? { bundle: options.transformBundle } : {}),
  });
  const ingestApi = new IngestApiStack(app, { config, stream: streaming.streams.get(events.name)!, key: lake.key });
  const collector = new CollectorStack(app, {
    config,
    vpc: network.vpc,
    subnets: network.egressSubnets,
    lake: lake.lake,
    key: lake.key,
    stream: streaming.streams.get(appMarket.dataFile.dataset.name)!,
  });
  const monitoring = new MonitoringStack(app, {
    config,
    key: lake.key,
    streams: streaming.streams,
    deliveryStreams: delivery.deliveryStreams,
    transforms: delivery.transforms,
    apiName: ingestApi.api.name,
  });
  const pipeline = new PipelineStack(app, { config, key: lake.key, accessLogs: lake.accessLogs });
  const bi = config.bi.enabled ? new BiStack(app, { config, workgroupName: analytics.workgroup.name, databaseName: catalog.database.name }) : undefined;
  const stacks = { lake, network, streaming, catalog, analytics, delivery, ingestApi, collector, monitoring, pipeline, ...(bi ? { bi } : {}) };
  applyPermissionsBoundary(config, pipeline, Object.values(stacks));
  // On each stack, not on the app: cdktf invokes aspects from each stack down, so an aspect added to
  // the app is never applied (the policy rules once silently checked nothing that way).
  for (const stack of Object.values(stacks)) enforcePolicies(stack);
  return stacks;
}

/**
 * Every IAM role of the environment carries the pipeline stack's permissions boundary (decision 0009),
 * named by its deterministic ARN; a stack with roles is deployed after the pipeline stack, which
 * creates the boundary (a stack dependency: plan and apply order, and the manifest, say so).
 */
function applyPermissionsBoundary(config: EnvironmentConfig, pipeline: PipelineStack, stacks: TerraformStack[]): void {
  for (const stack of stacks) {
    const unbounded = stack.node.findAll().filter((c): c is IamRole => c instanceof IamRole && c.permissionsBoundaryInput === undefined);
    if (unbounded.length === 0) continue;
    const arn = permissionsBoundaryArn(config, new DataAwsCallerIdentity(stack, 'permissions-boundary-account').accountId);
    for (const role of unbounded) role.permissionsBoundary = arn;
    if (stack !== pipeline) stack.addDependency(pipeline);
  }
}

/** The environments `npm run synth` writes (INGEST_ENV=dev|prod narrows it to one). */
export function environmentsToSynth(env: Record<string, string | undefined>): string[] {
  return env.INGEST_ENV ? [env.INGEST_ENV] : ['dev', 'prod'];
}

export function buildApp(outdir: string, environments: string[]): App {
  const app = new App({ outdir });
  for (const environment of environments) buildEnvironment(app, loadEnvironmentConfig(environment));
  return app;
}
