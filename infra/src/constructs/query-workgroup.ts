import type { Grantee } from './service-role';

export interface QueryWorkgroupProps {
  /** The workgroup's name. */
  workgroupName: string;
  /** The workgroup's region. */
  region: string;
  /** The workgroup's account (this account). */
  accountId: string;
}

/**
 * An Athena workgroup referenced by name, from a stack that deploys before the workgroup's own (the
 * catalog stack's SQL job runs in the analytics stack's workgroup, whose queries name the catalog's
 * database): only to grant running queries in it. Nothing is created.
 */
export class QueryWorkgroup {
  /** The workgroup's ARN, built from its name. */
  private readonly arn: string;

  constructor(props: QueryWorkgroupProps) {
    this.arn = `arn:aws:athena:${props.region}:${props.accountId}:workgroup/${props.workgroupName}`;
  }

  /**
   * Lets a role start queries in the workgroup and poll their state, not read their results: what
   * the versioned-SQL runner calls (its statements are DDL and views; results stay in the lake).
   */
  grantRunQueries(grantee: Grantee): void {
    grantee.addGrants({ actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution'], resources: [this.arn] });
  }
}
