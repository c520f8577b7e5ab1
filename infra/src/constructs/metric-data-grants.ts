import type { Grantee } from './service-role';

/**
 * Lets a role put custom metrics into these namespaces only. PutMetricData has no resource-level
 * permissions: the `cloudwatch:namespace` condition is what scopes it
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html).
 */
export function grantPutMetricData(grantee: Grantee, namespaces: readonly string[]): void {
  grantee.addGrants({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: [{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: [...new Set(namespaces)] }],
  });
}

/** Lets a role read metric data (GetMetricData has neither resource-level permissions nor a namespace condition). */
export function grantGetMetricData(grantee: Grantee): void {
  grantee.addGrants({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] });
}
