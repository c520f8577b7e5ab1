import type { Grantee } from './service-role';

/**
 * A CodeConnections (formerly CodeStar Connections) connection to the repository host, which an
 * administrator creates and authorizes in the console: referenced by ARN, only to grant its use.
 */
export class CodeConnection {
  /** The connection's ARN. */
  readonly arn: string;

  constructor(arn: string) {
    this.arn = arn;
  }

  /**
   * Lets a role pull the repository through the connection (CodePipeline's source action), under
   * both service prefixes the rename left (`codestar-connections:` and `codeconnections:`).
   */
  grantUse(grantee: Grantee): void {
    grantee.addGrants({ actions: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'], resources: [this.arn] });
  }
}
