import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatementCondition } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';

/** One least-privilege permission: these actions on these resources, under these conditions if any. */
export interface Grant {
  actions: string[];
  resources: string[];
  /** Narrows an action that has no resource-level permissions (`cloudwatch:namespace` for PutMetricData). @default none */
  conditions?: DataAwsIamPolicyDocumentStatementCondition[];
}

/** Something permissions can be granted to: a role of this project (`ServiceRole`). */
export interface Grantee {
  addGrants(...grants: Grant[]): void;
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
  /** The role's name. */
  roleName: string;
  /** Service that assumes the role, e.g. `firehose.amazonaws.com`. */
  servicePrincipal: string;
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

/**
 * An IAM role for one AWS service with an inline policy built from grants: the resources' grant
 * methods add them (`bucket.grantRead(role, prefix)`, `stream.grantWrite(role)`), each naming its
 * resources (policy rules refuse `*` actions on `*`).
 */
export class ServiceRole extends Construct implements Grantee {
  private readonly role: IamRole;
  /** The role's ARN. */
  readonly arn: string;
  /** The role's name. */
  readonly name: string;
  private readonly roleName: string;
  private readonly grants: Grant[] = [];
  private permissions?: DataAwsIamPolicyDocument;

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
    this.arn = this.role.arn;
    this.name = this.role.name;
    this.roleName = props.roleName;
  }

  /**
   * Adds grants to the role's inline policy. A grant on exactly the resources (and conditions) of an
   * earlier one (the same key granted by a reader and a writer) joins its actions, so the policy holds
   * one statement per key however many resources granted it.
   */
  addGrants(...grants: Grant[]): void {
    for (const grant of grants) {
      const same = this.grants.find((g) => sameScope(g, grant));
      if (same) same.actions = withoutCovered([...same.actions, ...grant.actions.filter((a) => !same.actions.includes(a))]);
      else this.grants.push({ actions: [...grant.actions], resources: [...grant.resources], ...(grant.conditions ? { conditions: grant.conditions } : {}) });
    }
    if (this.grants.length === 0) return; // IAM refuses a policy without statements
    const statement = this.grants.map((grant) => ({ actions: grant.actions, resources: grant.resources, ...(grant.conditions ? { condition: grant.conditions } : {}) }));
    if (this.permissions) {
      this.permissions.putStatement(statement);
      return;
    }
    this.permissions = new DataAwsIamPolicyDocument(this, 'permissions', { statement });
    new IamRolePolicy(this, 'policy', { role: this.role.id, name: `${this.roleName}-permissions`, policy: this.permissions.json });
  }
}

/** True when two grants name exactly the same resources under the same conditions. */
function sameScope(a: Grant, b: Grant): boolean {
  return a.resources.length === b.resources.length && a.resources.every((r, i) => r === b.resources[i]) && JSON.stringify(a.conditions ?? []) === JSON.stringify(b.conditions ?? []);
}

/** The actions without those another one's wildcard already covers (`kms:GenerateDataKey` beside `kms:GenerateDataKey*`). */
function withoutCovered(actions: string[]): string[] {
  const covers = (pattern: string, action: string) => pattern !== action && pattern.endsWith('*') && action.startsWith(pattern.slice(0, -1));
  return actions.filter((action) => !actions.some((other) => covers(other, action)));
}
