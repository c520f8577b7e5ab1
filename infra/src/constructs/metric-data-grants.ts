import type { Grantee } from './service-role';

/** Lets a role read metric data (GetMetricData has neither resource-level permissions nor a namespace condition). */
export function grantGetMetricData(grantee: Grantee): void {
  grantee.addGrants({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] });
}
