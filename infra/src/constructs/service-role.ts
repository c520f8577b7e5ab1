import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatementCondition } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';

/** One least-privilege permission: these actions on these resources. */
export interface Grant {
  actions: string[];
  resources: string[];
}

/**
 * How the trust policy keeps another account's use of the service from assuming this role (the
 * confused-deputy problem), in the form the service documents:
 * - `source-account`: `aws:SourceAccount` = this account (VPC Flow Logs, CodeBuild, CodePipeline, Glue, API Gateway);
 * - `external-id`: `sts:ExternalId` = this account (Firehose's documented trust policy);
 * - `none`: for roles a compute service assumes for your own code (EC2 instance profiles, Lambda
 *   execution roles), where AWS documents no such key.
 */
export type ConfusedDeputyGuard = 'source-account' | 'external-id' | 'none';

export interface ServiceRoleProps {
  roleName: string;
  /** Service that assumes the role, e.g. `firehose.amazonaws.com`. */
  servicePrincipal: string;
  /** What the role may do; each grant names its resources (policy rules refuse `*` on `*`). */
  grants: Grant[];
  /** The trust policy's confused-deputy condition. */
  guard: ConfusedDeputyGuard;
  /** AWS managed policy ARNs to attach, one attachment each (e.g. SSM core for the collector instance). @default none */
  managedPolicyArns?: string[];
  /**
   * ARN of the managed policy that caps what the role can ever do (IAM permissions boundary). The
   * deploy role may only create and change roles that carry the environment's boundary (decision 0009).
   * @default none (the app sets the environment's boundary on every role it builds)
   */
  permissionsBoundary?: string;
}

/** An IAM role for one AWS service with an inline policy built from grants. */
export class ServiceRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    const condition: DataAwsIamPolicyDocumentStatementCondition[] = [];
    if (props.guard !== 'none') {
      const account = new DataAwsCallerIdentity(this, 'account');
      condition.push(
        props.guard === 'source-account'
          ? { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account.accountId] }
          : { test: 'StringEquals', variable: 'sts:ExternalId', values: [account.accountId] },
      );
    }
    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: [props.servicePrincipal] }], ...(condition.length ? { condition } : {}) }],
    });
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: trust.json,
      ...(props.permissionsBoundary ? { permissionsBoundary: props.permissionsBoundary } : {}),
    });
    // Attachments, not the role's deprecated managed_policy_arns argument.
    (props.managedPolicyArns ?? []).forEach((policyArn, index) => {
      new IamRolePolicyAttachment(this, `managed-policy-${index}`, { role: this.role.name, policyArn });
    });
    if (props.grants.length === 0) return; // IAM refuses a policy without statements
    const policy = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: props.grants.map((grant) => ({ actions: grant.actions, resources: grant.resources })),
    });
    new IamRolePolicy(this, 'policy', { role: this.role.id, name: `${props.roleName}-permissions`, policy: policy.json });
  }
}
