import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { LakeKey } from './lake-key';
import type { Grantee } from './service-role';

export interface EncryptedLogGroupProps {
  /** The log group's name, e.g. `/aws/lambda/<function>`. */
  logGroupName: string;
  /** Encrypts the log events (its policy lets this account's CloudWatch Logs use it). */
  key: LakeKey;
  /** How long events are kept. @default 90 */
  retentionDays?: number;
}

/**
 * A CloudWatch Logs group encrypted with the lake key and with a retention, granting writers only
 * its own streams (`<arn>:*`). Its Terraform address is the construct's (the group is its default
 * child), so a stack that built the group inline keeps it.
 */
export class EncryptedLogGroup extends Construct implements ITerraformDependable {
  /** The log group's ARN (without the `:*` of its streams). */
  readonly arn: string;
  /** The log group's name. */
  readonly name: string;
  /** What `dependsOn` names: the log group itself. */
  readonly fqn: string;

  constructor(scope: Construct, id: string, props: EncryptedLogGroupProps) {
    super(scope, id);
    // `Default` is left out of the logical id: the group keeps the address `<id>` would have given it.
    const group = new CloudwatchLogGroup(this, 'Default', { name: props.logGroupName, retentionInDays: props.retentionDays ?? 90, kmsKeyId: props.key.arn });
    this.arn = group.arn;
    this.name = group.name;
    this.fqn = group.fqn;
  }

  /** Lets a role create its log streams in the group and put events into them (Lambda, CodeBuild, the collector). */
  grantWrite(grantee: Grantee): void {
    grantee.addGrants({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.streams()] });
  }

  /** Lets a role put events into streams that already exist (Firehose writes to the streams its construct creates). */
  grantPutLogEvents(grantee: Grantee): void {
    grantee.addGrants({ actions: ['logs:PutLogEvents'], resources: [this.streams()] });
  }

  /** Lets a role list the group's streams (VPC Flow Logs checks for its streams before it creates them). */
  grantDescribeStreams(grantee: Grantee): void {
    grantee.addGrants({ actions: ['logs:DescribeLogStreams'], resources: [this.streams()] });
  }

  /** Every stream of the group: the resource that stream-level actions name. */
  private streams(): string {
    return `${this.arn}:*`;
  }
}
