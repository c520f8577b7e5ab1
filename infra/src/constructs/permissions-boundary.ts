import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import type { ServiceRole } from './service-role';

/**
 * IAM calls hashicorp/aws 5.100.0 makes for the IAM resource types these stacks declare, split by
 * whether IAM evaluates `iam:PermissionsBoundary` for the action (the role-changing calls of the
 * IAM user guide's delegated-administrator example). A resource type the stacks start to use that is
 * not listed here fails the unit test that compares this table with the synthesized stacks.
 */
export const TERRAFORM_IAM_ACTIONS: Readonly<Record<string, { boundaryConditioned: string[]; other: string[] }>> = {
  aws_iam_role: {
    boundaryConditioned: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
    other: [
      'iam:GetRole',
      'iam:ListRolePolicies',
      'iam:ListAttachedRolePolicies',
      'iam:ListInstanceProfilesForRole',
      'iam:ListRoleTags',
      'iam:TagRole',
      'iam:UntagRole',
      'iam:UpdateAssumeRolePolicy',
      'iam:UpdateRole',
      'iam:UpdateRoleDescription',
      'iam:DeleteRole',
      'iam:PassRole',
    ],
  },
  aws_iam_role_policy: { boundaryConditioned: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'], other: ['iam:GetRolePolicy'] },
  aws_iam_role_policy_attachment: { boundaryConditioned: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'], other: ['iam:ListAttachedRolePolicies'] },
  aws_iam_instance_profile: {
    boundaryConditioned: [],
    other: [
      'iam:CreateInstanceProfile',
      'iam:GetInstanceProfile',
      'iam:AddRoleToInstanceProfile',
      'iam:RemoveRoleFromInstanceProfile',
      'iam:TagInstanceProfile',
      'iam:UntagInstanceProfile',
      'iam:ListInstanceProfileTags',
      'iam:DeleteInstanceProfile',
    ],
  },
  // Only the boundary itself, which the deploy role may read and tag but never change (Deny below).
  aws_iam_policy: { boundaryConditioned: [], other: ['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions', 'iam:ListPolicyTags', 'iam:TagPolicy', 'iam:UntagPolicy'] },
};

/** Role-changing calls denied on the deploy role itself: it runs every commit's apply and must not widen its own rights. */
const OWN_ROLE_CHANGES = [
  'iam:AttachRolePolicy',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
];

/** Calls that would change what the boundary allows, or delete it. */
const BOUNDARY_CHANGES = ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'];

const unique = (values: string[]) => [...new Set(values)].sort();

export interface PermissionsBoundaryProps {
  /** The boundary policy's name (its ARN is built from it: `PermissionsBoundary.arnOf`). */
  policyName: string;
  /** The policy's description. */
  description: string;
  /** This account's id, which every ARN of the statements names. */
  accountId: string;
  /** The name pattern of the roles and instance profiles the deploy role may manage, e.g. `<project>-<env>-*`. */
  managedNamePattern: string;
  /** The deploy role's name: it may not change itself, and its IAM policy is `<name>-iam`. */
  deployRoleName: string;
}

/**
 * The environment's permissions boundary (decision 0009): the ceiling of every role, which allows
 * any service but IAM, Organizations, Account and role assumption, and IAM only as the deploy role
 * may use it: roles and instance profiles named by the pattern, role creation and policy changes
 * only when the role carries this boundary, and explicit denies on changing the boundary, removing
 * any role's boundary, changing the deploy role, and assuming roles. The policy is the construct's
 * default child: it keeps the Terraform address `<id>`.
 */
export class PermissionsBoundary extends Construct {
  /** The boundary's ARN, as every role of this stack names it. */
  readonly arn: string;
  private readonly iamStatements: DataAwsIamPolicyDocumentStatement[];
  private readonly deployRoleName: string;

  /** The ARN of a boundary named `policyName`: roles in other stacks name it without reading this stack's state. */
  static arnOf(accountId: string, policyName: string): string {
    return `arn:aws:iam::${accountId}:policy/${policyName}`;
  }

  constructor(scope: Construct, id: string, props: PermissionsBoundaryProps) {
    super(scope, id);
    this.iamStatements = deployIamStatements(props);
    this.deployRoleName = props.deployRoleName;
    const document = new DataAwsIamPolicyDocument(this, 'document', {
      statement: [
        {
          // A boundary grants nothing: it is the ceiling of every role of the environment. Below it,
          // each role's own policy grants what it needs; IAM only as the statements that follow allow.
          sid: 'AnyServiceButIdentityAndAccount',
          notActions: ['iam:*', 'organizations:*', 'account:*', 'sts:AssumeRole'],
          resources: ['*'],
        },
        ...this.iamStatements,
      ],
    });
    const policy = new IamPolicy(this, 'Default', { name: props.policyName, description: props.description, policy: document.json });
    this.arn = policy.arn;
  }

  /**
   * Gives the deploy role (the one named `deployRoleName`) the IAM this boundary allows, as an
   * inline policy of its own, so a role it creates under the boundary can do no more IAM than it.
   * The policy's Terraform address is pinned to `deploy-iam-policy`: the deploy role may not change
   * its own policies, so a moved address (a delete and a create) would fail every apply after it.
   */
  grantIamAdministration(deployRole: ServiceRole): void {
    const document = new DataAwsIamPolicyDocument(this, 'deploy-iam', { statement: this.iamStatements });
    new IamRolePolicy(this, 'deploy-iam-policy', { role: deployRole.name, name: `${this.deployRoleName}-iam`, policy: document.json }).overrideLogicalId('deploy-iam-policy');
  }
}

/** The IAM statements of the deploy role, which the boundary repeats. */
function deployIamStatements(props: PermissionsBoundaryProps): DataAwsIamPolicyDocumentStatement[] {
  const boundary = PermissionsBoundary.arnOf(props.accountId, props.policyName);
  const prefix = `arn:aws:iam::${props.accountId}`;
  const projectRoles = `${prefix}:role/${props.managedNamePattern}`;
  const tables = Object.values(TERRAFORM_IAM_ACTIONS);
  return [
    {
      sid: 'RolesOnlyUnderTheBoundary',
      actions: unique(tables.flatMap((t) => t.boundaryConditioned)),
      resources: [projectRoles],
      condition: [{ test: 'StringEquals', variable: 'iam:PermissionsBoundary', values: [boundary] }],
    },
    {
      sid: 'ProjectRolesProfilesAndBoundary',
      actions: unique(tables.flatMap((t) => t.other)),
      resources: [projectRoles, `${prefix}:instance-profile/${props.managedNamePattern}`, boundary],
    },
    {
      // The first Auto Scaling group of an account creates the service-linked role the group launches with.
      sid: 'AutoScalingServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [`${prefix}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`],
      condition: [{ test: 'StringEquals', variable: 'iam:AWSServiceName', values: ['autoscaling.amazonaws.com'] }],
    },
    { sid: 'NeverChangeTheBoundary', effect: 'Deny', actions: BOUNDARY_CHANGES, resources: [boundary] },
    { sid: 'NeverRemoveABoundary', effect: 'Deny', actions: ['iam:DeleteRolePermissionsBoundary'], resources: ['*'] },
    { sid: 'NeverChangeTheDeployRole', effect: 'Deny', actions: OWN_ROLE_CHANGES, resources: [`${prefix}:role/${props.deployRoleName}`] },
    { sid: 'NeverAssumeOtherRoles', effect: 'Deny', actions: ['sts:AssumeRole'], resources: ['*'] },
  ];
}
