import { QuicksightDataSet } from '@cdktf/provider-aws/lib/quicksight-data-set';
import { QuicksightDataSource } from '@cdktf/provider-aws/lib/quicksight-data-source';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment-config';
import { IngestLakeStack } from './ingest-lake-stack';

/** QuickSight (behind `bi.enabled`): an Athena data source in the workgroup and a dataset over deduplicated events. */
export class BiStack extends IngestLakeStack {
  constructor(scope: Construct, config: EnvironmentConfig, inputs: { workgroupName: string; databaseName: string }) {
    super(scope, 'bi', config);
    const account = new DataAwsCallerIdentity(this, 'account');
    const principal = config.bi.quicksightPrincipalArn!;
    const source = new QuicksightDataSource(this, 'athena', {
      dataSourceId: this.name('athena'),
      name: this.name('athena'),
      awsAccountId: account.accountId,
      type: 'ATHENA',
      parameters: { athena: { workGroup: inputs.workgroupName } },
      sslProperties: { disableSsl: false },
      permission: [{ principal, actions: ['quicksight:DescribeDataSource', 'quicksight:DescribeDataSourcePermissions', 'quicksight:PassDataSource'] }],
    });
    new QuicksightDataSet(this, 'events', {
      dataSetId: this.name('events'),
      name: this.name('events'),
      awsAccountId: account.accountId,
      importMode: 'DIRECT_QUERY',
      physicalTableMap: [
        {
          physicalTableMapId: 'events',
          customSql: {
            dataSourceArn: source.arn,
            name: 'events_deduplicated',
            sqlQuery: `SELECT event_time, event_type, source, payload, dt FROM "${inputs.databaseName}"."events_deduplicated"`,
            columns: [
              { name: 'event_time', type: 'DATETIME' },
              { name: 'event_type', type: 'STRING' },
              { name: 'source', type: 'STRING' },
              { name: 'payload', type: 'STRING' },
              { name: 'dt', type: 'DATETIME' },
            ],
          },
        },
      ],
      permissions: [{ principal, actions: ['quicksight:DescribeDataSet', 'quicksight:DescribeDataSetPermissions', 'quicksight:PassDataSet', 'quicksight:DescribeIngestion', 'quicksight:ListIngestions'] }],
    });
  }
}
