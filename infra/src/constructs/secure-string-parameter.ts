import type { Grantee } from './service-role';

export interface SecureStringParameterProps {
  /** The parameter's name, with its leading `/`. */
  parameterName: string;
  /** The parameter's region. */
  region: string;
  /** The parameter's account (this account). */
  accountId: string;
}

/**
 * An SSM Parameter Store SecureString that operators create, so the secret is never in Terraform
 * state or user data: referenced by name, only to grant reading it. Nothing is created.
 */
export class SecureStringParameter {
  /** The parameter's ARN (a name with a leading `/` follows `parameter` directly). */
  readonly arn: string;

  constructor(props: SecureStringParameterProps) {
    this.arn = `arn:aws:ssm:${props.region}:${props.accountId}:parameter${props.parameterName}`;
  }

  /**
   * Lets a role read the parameter's value. It is encrypted with the AWS-managed `aws/ssm` key, whose
   * key policy lets every principal of the account decrypt through Parameter Store: no kms:Decrypt
   * grant (a customer-managed key would need one).
   */
  grantRead(grantee: Grantee): void {
    grantee.addGrants({ actions: ['ssm:GetParameter'], resources: [this.arn] });
  }
}
