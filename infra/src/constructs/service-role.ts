import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';

/** One least-privilege permission: these actions on these resources. */
export interface Grant {
  actions: string[];
  resources: string[];
}

export interface ServiceRoleProps {
  roleName: string;
  /** Service that assumes the role, e.g. `firehose.amazonaws.com`. */
  servicePrincipal: string;
  /** What the role may do; each grant names its resources (policy rules refuse `*` on `*`). */
  grants: Grant[];
  /** AWS managed policy ARNs to attach (e.g. SSM core for the collector instance). @default none */
  managedPolicyArns?: string[];
}

/** An IAM role for one AWS service with an inline policy built from grants. */
export class ServiceRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: [props.servicePrincipal] }] }],
    });
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: trust.json,
      ...(props.managedPolicyArns ? { managedPolicyArns: props.managedPolicyArns } : {}),
    });
    const policy = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: props.grants.map((grant) => ({ actions: grant.actions, resources: grant.resources })),
    });
    new IamRolePolicy(this, 'policy', { role: this.role.id, name: `${props.roleName}-permissions`, policy: policy.json });
  }
}
