import { ApiGatewayAccount } from '@cdktf/provider-aws/lib/api-gateway-account';
import { ApiGatewayApiKey } from '@cdktf/provider-aws/lib/api-gateway-api-key';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayIntegrationResponse } from '@cdktf/provider-aws/lib/api-gateway-integration-response';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodResponse } from '@cdktf/provider-aws/lib/api-gateway-method-response';
import { ApiGatewayModel } from '@cdktf/provider-aws/lib/api-gateway-model';
import { ApiGatewayRequestValidator } from '@cdktf/provider-aws/lib/api-gateway-request-validator';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { ApiGatewayUsagePlan } from '@cdktf/provider-aws/lib/api-gateway-usage-plan';
import { ApiGatewayUsagePlanKey } from '@cdktf/provider-aws/lib/api-gateway-usage-plan-key';
import { Fn, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { createHash } from 'node:crypto';
// The templates live in shared: the local endpoint renders the very text deployed here.
import { INGEST_ROUTES } from '@ingest-lake/shared';
import { EncryptedLogGroup } from '../constructs/encrypted-log-group';
import type { KinesisDataStream } from '../constructs/kinesis-data-stream';
import type { LakeKey } from '../constructs/lake-key';
import { ServiceRole } from '../constructs/service-role';
import { IngestLakeStack, type IngestLakeStackProps } from './ingest-lake-stack';

export interface IngestApiStackProps extends IngestLakeStackProps {
  /** The stream both routes put to. */
  stream: KinesisDataStream;
  /** Encrypts the access logs. */
  key: LakeKey;
}

/**
 * API Gateway REST API, stage PROD: POST /v1 → Kinesis PutRecord and POST /v1/batch → PutRecords,
 * integrated directly (no Lambda, no SQS in between), through an IAM role allowed to put on exactly
 * one stream. Request validation models, API key + usage plan throttling, access logs.
 * The integration: https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-kinesis.html
 */
export class IngestApiStack extends IngestLakeStack {
  readonly api: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;

  constructor(scope: Construct, props: IngestApiStackProps) {
    super(scope, 'ingest-api', props.config);
    const { config } = props;
    const streamName = props.stream.name;
    const role = new ServiceRole(this, 'kinesis-role', {
      roleName: this.name('api-to-kinesis'),
      servicePrincipal: 'apigateway.amazonaws.com',
      guard: 'none', // API Gateway documents no confused-deputy key for integration credentials
    });
    // PutRecord and PutRecords, and the stream key's GenerateDataKey (all a producer needs of it).
    props.stream.grantWrite(role);
    const logsRole = new ServiceRole(this, 'logs-role', {
      roleName: this.name('api-logs'),
      servicePrincipal: 'apigateway.amazonaws.com',
      guard: 'none',
      // The AWS managed policy API Gateway's account settings expect (it includes logs:DescribeLogGroups).
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
    });
    // Account-wide setting: a stage with access logs fails to create until the account has a logs role.
    const account = new ApiGatewayAccount(this, 'account', { cloudwatchRoleArn: logsRole.arn });
    this.api = new ApiGatewayRestApi(this, 'api', {
      name: this.name('ingest'),
      description: 'HTTP events into Kinesis',
      endpointConfiguration: { types: ['REGIONAL'] },
    });
    const validator = new ApiGatewayRequestValidator(this, 'validator', { restApiId: this.api.id, name: 'body', validateRequestBody: true, validateRequestParameters: false });
    // Routes, models and templates come from shared/: the local endpoint serves the very same ones.
    const models = new Map<string, ApiGatewayModel>();
    for (const { model } of INGEST_ROUTES) {
      if (models.has(model.name)) continue;
      models.set(
        model.name,
        new ApiGatewayModel(this, `model-${model.name}`, { restApiId: this.api.id, name: model.name, contentType: 'application/json', schema: JSON.stringify(model.schema) }),
      );
    }
    const resources = new Map<string, ApiGatewayResource>();
    const resourceFor = (routePath: string): ApiGatewayResource => {
      const existing = resources.get(routePath);
      if (existing) return existing;
      const cut = routePath.lastIndexOf('/');
      const parentId = cut === 0 ? this.api.rootResourceId : resourceFor(routePath.slice(0, cut)).id;
      const resource = new ApiGatewayResource(this, `resource${routePath.replace(/\//g, '-')}`, { restApiId: this.api.id, parentId, pathPart: routePath.slice(cut + 1) });
      resources.set(routePath, resource);
      return resource;
    };
    const routes = INGEST_ROUTES.map((route) => ({
      id: route.id,
      resource: resourceFor(route.path),
      model: models.get(route.model.name)!,
      action: route.kinesisAction,
      template: route.template(streamName),
    }));
    // Everything a deployment snapshots: a change to any of it must create a new deployment.
    const deployedParts: ITerraformDependable[] = [validator, ...models.values(), ...resources.values()];
    // Attributes that read back exactly as written, hashed by Terraform (they hold references)...
    const deployedShape: unknown[] = [];
    // ...and plain values hashed here: API Gateway reformats model schemas on read, and backslashes
    // (the selection patterns) would need escaping inside a Terraform expression.
    const staticShape: string[] = [...INGEST_ROUTES.map((route) => `${route.id} ${route.path} ${route.kinesisAction} ${JSON.stringify(route.model)}`)];
    for (const route of routes) {
      const method = new ApiGatewayMethod(this, `${route.id}-method`, {
        restApiId: this.api.id,
        resourceId: route.resource.id,
        httpMethod: 'POST',
        authorization: 'NONE',
        apiKeyRequired: true,
        requestValidatorId: validator.id,
        requestModels: { 'application/json': route.model.name },
      });
      const integration = new ApiGatewayIntegration(this, `${route.id}-integration`, {
        restApiId: this.api.id,
        resourceId: route.resource.id,
        httpMethod: method.httpMethod,
        type: 'AWS',
        integrationHttpMethod: 'POST',
        uri: `arn:aws:apigateway:${config.region}:kinesis:action/${route.action}`,
        credentials: role.arn,
        passthroughBehavior: 'NEVER',
        requestParameters: { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" },
        requestTemplates: { 'application/json': route.template },
      });
      deployedParts.push(method, integration);
      deployedShape.push(integration.uri, integration.credentials, integration.requestTemplates);
      staticShape.push(`${route.id} api-key-required validator=body`);
      for (const status of ['200', '400', '500']) {
        const methodResponse = new ApiGatewayMethodResponse(this, `${route.id}-response-${status}`, {
          restApiId: this.api.id,
          resourceId: route.resource.id,
          httpMethod: method.httpMethod,
          statusCode: status,
        });
        const selectionPattern = status === '200' ? '' : status === '400' ? '4\\d{2}' : '5\\d{2}';
        const integrationResponse = new ApiGatewayIntegrationResponse(this, `${route.id}-integration-response-${status}`, {
          restApiId: this.api.id,
          resourceId: route.resource.id,
          httpMethod: method.httpMethod,
          statusCode: status,
          selectionPattern,
          dependsOn: [integration, methodResponse],
        });
        deployedParts.push(methodResponse, integrationResponse);
        staticShape.push(`${route.id} ${status} ${selectionPattern}`);
      }
    }
    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId: this.api.id,
      // Terraform's documented pattern: a hash of the deployed configuration, so a changed template,
      // model, route or response creates a new deployment (and the stage moves to it).
      triggers: { redeployment: Fn.sha1(Fn.jsonencode([...deployedShape, createHash('sha1').update(staticShape.join('\n')).digest('hex')])) },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: deployedParts,
    });
    const accessLogs = new EncryptedLogGroup(this, 'access-logs', { logGroupName: `/aws/apigateway/${this.name('ingest')}`, key: props.key });
    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId: this.api.id,
      deploymentId: deployment.id,
      stageName: 'PROD',
      xrayTracingEnabled: true,
      dependsOn: [account],
      accessLogSettings: {
        destinationArn: accessLogs.arn,
        format: JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          route: '$context.resourcePath',
          status: '$context.status',
          integrationStatus: '$context.integration.status',
          latencyMs: '$context.responseLatency',
          traceId: '$context.xrayTraceId',
        }),
      },
    });
    const plan = new ApiGatewayUsagePlan(this, 'usage-plan', {
      name: this.name('ingest'),
      apiStages: [{ apiId: this.api.id, stage: this.stage.stageName }],
      throttleSettings: { rateLimit: config.ingestApi.throttleRatePerSecond, burstLimit: config.ingestApi.throttleBurst },
      quotaSettings: { limit: config.ingestApi.monthlyQuota, period: 'MONTH' },
    });
    const apiKey = new ApiGatewayApiKey(this, 'api-key', { name: this.name('ingest-producers'), enabled: true });
    new ApiGatewayUsagePlanKey(this, 'usage-plan-key', { keyId: apiKey.id, keyType: 'API_KEY', usagePlanId: plan.id });
  }
}
