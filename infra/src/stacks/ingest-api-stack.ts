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
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import type { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import type { EnvironmentConfig } from '../config/environment-config';
import type { LakeKey } from '../constructs/kms-key';
import { ServiceRole } from '../constructs/service-role';
import { IngestLakeStack } from './ingest-lake-stack';

/**
 * The mapping template of source documents 001/004: Data = base64 of the body plus a newline,
 * PartitionKey = the X-Amzn-Trace-Id header, the stream name fixed.
 */
export function putRecordTemplate(streamName: string): string {
  return `{
  "StreamName": "${streamName}",
  "Data": "$util.base64Encode("$input.json('$')
")",
  "PartitionKey": "$input.params('X-Amzn-Trace-Id')"
}`;
}

/** The batch route: each element of `records` becomes one PutRecords entry. */
export function putRecordsTemplate(streamName: string): string {
  return `#set($records = $input.path('$.records'))
{
  "StreamName": "${streamName}",
  "Records": [
#foreach($record in $records)
    { "Data": "$util.base64Encode("$input.json("$.records[$foreach.index]")
")", "PartitionKey": "$context.requestId-$foreach.index" }#if($foreach.hasNext),#end
#end
  ]
}`;
}

/**
 * API Gateway REST API, stage PROD: POST /v1 → Kinesis PutRecord and POST /v1/batch → PutRecords,
 * integrated directly (no Lambda, no SQS: source document 004), through an IAM role allowed to put
 * on exactly one stream. Request validation models, API key + usage plan throttling, access logs.
 */
export class IngestApiStack extends IngestLakeStack {
  readonly api: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;

  constructor(scope: Construct, config: EnvironmentConfig, inputs: { stream: KinesisStream; key: LakeKey }) {
    super(scope, 'ingest-api', config);
    const streamName = inputs.stream.name;
    const role = new ServiceRole(this, 'kinesis-role', {
      roleName: this.name('api-to-kinesis'),
      servicePrincipal: 'apigateway.amazonaws.com',
      grants: [{ actions: ['kinesis:PutRecord', 'kinesis:PutRecords'], resources: [inputs.stream.arn] }, inputs.key.grantEncryptDecrypt()],
    });
    const logsRole = new ServiceRole(this, 'logs-role', {
      roleName: this.name('api-logs'),
      servicePrincipal: 'apigateway.amazonaws.com',
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
      grants: [{ actions: ['logs:DescribeLogGroups'], resources: [`arn:aws:logs:${config.region}:*:log-group:*`] }],
    });
    new ApiGatewayAccount(this, 'account', { cloudwatchRoleArn: logsRole.role.arn });
    this.api = new ApiGatewayRestApi(this, 'api', {
      name: this.name('ingest'),
      description: 'HTTP events into Kinesis (source document 001)',
      endpointConfiguration: { types: ['REGIONAL'] },
    });
    const validator = new ApiGatewayRequestValidator(this, 'validator', { restApiId: this.api.id, name: 'body', validateRequestBody: true, validateRequestParameters: false });
    const eventModel = new ApiGatewayModel(this, 'event-model', {
      restApiId: this.api.id,
      name: 'Event',
      contentType: 'application/json',
      schema: JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', minProperties: 1 }),
    });
    const batchModel = new ApiGatewayModel(this, 'batch-model', {
      restApiId: this.api.id,
      name: 'EventBatch',
      contentType: 'application/json',
      schema: JSON.stringify({
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        required: ['records'],
        properties: { records: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'object' } } },
      }),
    });
    const v1 = new ApiGatewayResource(this, 'v1', { restApiId: this.api.id, parentId: this.api.rootResourceId, pathPart: 'v1' });
    const batch = new ApiGatewayResource(this, 'batch', { restApiId: this.api.id, parentId: v1.id, pathPart: 'batch' });
    const routes = [
      { id: 'put-record', resource: v1, model: eventModel, action: 'PutRecord', template: putRecordTemplate(streamName) },
      { id: 'put-records', resource: batch, model: batchModel, action: 'PutRecords', template: putRecordsTemplate(streamName) },
    ];
    const integrations = routes.map((route) => {
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
        credentials: role.role.arn,
        passthroughBehavior: 'NEVER',
        requestParameters: { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" },
        requestTemplates: { 'application/json': route.template },
      });
      for (const status of ['200', '400', '500']) {
        new ApiGatewayMethodResponse(this, `${route.id}-response-${status}`, { restApiId: this.api.id, resourceId: route.resource.id, httpMethod: method.httpMethod, statusCode: status });
        new ApiGatewayIntegrationResponse(this, `${route.id}-integration-response-${status}`, {
          restApiId: this.api.id,
          resourceId: route.resource.id,
          httpMethod: method.httpMethod,
          statusCode: status,
          selectionPattern: status === '200' ? '' : status === '400' ? '4\\d{2}' : '5\\d{2}',
          dependsOn: [integration],
        });
      }
      return integration;
    });
    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId: this.api.id,
      // Redeploy whenever the API's shape (routes, templates, models) changes.
      triggers: { redeployment: createHash('sha1').update(putRecordTemplate('-') + putRecordsTemplate('-') + 'models-v1').digest('hex') },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: integrations,
    });
    const accessLogs = new CloudwatchLogGroup(this, 'access-logs', { name: `/aws/apigateway/${this.name('ingest')}`, retentionInDays: 90, kmsKeyId: inputs.key.key.arn });
    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId: this.api.id,
      deploymentId: deployment.id,
      stageName: 'PROD',
      xrayTracingEnabled: true,
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
