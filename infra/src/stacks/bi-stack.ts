import { QuicksightAnalysis } from '@cdktf/provider-aws/lib/quicksight-analysis';
import { QuicksightDashboard } from '@cdktf/provider-aws/lib/quicksight-dashboard';
import { QuicksightDataSet, type QuicksightDataSetPhysicalTableMapCustomSqlColumns } from '@cdktf/provider-aws/lib/quicksight-data-set';
import { QuicksightDataSource } from '@cdktf/provider-aws/lib/quicksight-data-source';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import type { Construct } from 'constructs';
import { dimensionChart, FRESHNESS_QUERY, namedQuery } from '@ingest-lake/shared';
import { failuresCustomSql, namedQueryCustomSql, recordsInCustomSql } from '../bi/athena-custom-sql';
import { pipelineDashboardDefinition } from '../bi/pipeline-dashboard-definition';
import { ANALYSIS_OWNER_ACTIONS, DASHBOARD_VIEWER_ACTIONS, DATA_SET_VIEWER_ACTIONS, DATA_SOURCE_USER_ACTIONS } from '../bi/quicksight-permissions';
import { IngestLakeStack, type IngestLakeStackProps } from './ingest-lake-stack';

export interface BiStackProps extends IngestLakeStackProps {
  workgroupName: string;
  databaseName: string;
}

/**
 * QuickSight (behind `bi.enabled`): an Athena data source in the workgroup, a dataset per chart
 * source plus one over deduplicated events, and an analysis and a published dashboard with the
 * local dashboard's charts (`DASHBOARD_CHARTS` and the dimension chart, from `shared/`). QuickSight
 * reads the lake as its account's service role, which the lake stack's bucket and key policies admit.
 */
export class BiStack extends IngestLakeStack {
  readonly analysis: QuicksightAnalysis;
  readonly dashboard: QuicksightDashboard;

  constructor(scope: Construct, props: BiStackProps) {
    super(scope, 'bi', props.config);
    const { config } = props;
    const account = new DataAwsCallerIdentity(this, 'account');
    const principal = config.bi.quicksightPrincipalArn!;
    const database = props.databaseName;
    const source = new QuicksightDataSource(this, 'athena', {
      dataSourceId: this.name('athena'),
      name: this.name('athena'),
      awsAccountId: account.accountId,
      type: 'ATHENA',
      parameters: { athena: { workGroup: props.workgroupName } },
      sslProperties: { disableSsl: false },
      permission: [{ principal, actions: DATA_SOURCE_USER_ACTIONS }],
    });
    /** A direct-query dataset over one custom SQL statement on the Athena source. */
    const dataSet = (id: string, sqlName: string, sqlQuery: string, columns: QuicksightDataSetPhysicalTableMapCustomSqlColumns[]) =>
      new QuicksightDataSet(this, id, {
        dataSetId: this.name(id),
        name: this.name(id),
        awsAccountId: account.accountId,
        importMode: 'DIRECT_QUERY',
        physicalTableMap: [{ physicalTableMapId: id, customSql: { dataSourceArn: source.arn, name: sqlName, sqlQuery, columns } }],
        permissions: [{ principal, actions: DATA_SET_VIEWER_ACTIONS }],
      });
    dataSet('events', 'events_deduplicated', `SELECT event_time, event_type, source, payload, dt FROM "${database}"."events_deduplicated"`, [
      { name: 'event_time', type: 'DATETIME' },
      { name: 'event_type', type: 'STRING' },
      { name: 'source', type: 'STRING' },
      { name: 'payload', type: 'STRING' },
      { name: 'dt', type: 'DATETIME' },
    ]);
    const recordsIn = dataSet('records-in', 'records_in', recordsInCustomSql(database), [
      { name: 'dataset', type: 'STRING' },
      { name: 'ingested_at', type: 'DATETIME' },
    ]);
    const failures = dataSet('failures', 'failures', failuresCustomSql(database), [
      { name: 'reason', type: 'STRING' },
      { name: 'failed_at', type: 'DATETIME' },
    ]);
    const freshness = dataSet('freshness', FRESHNESS_QUERY, namedQueryCustomSql(namedQuery(FRESHNESS_QUERY), database), [
      { name: 'dataset', type: 'STRING' },
      { name: 'newest_ingested_at', type: 'STRING' },
      { name: 'records', type: 'INTEGER' },
    ]);
    const chart = dimensionChart();
    const dimension = dataSet(chart.id, chart.query, namedQueryCustomSql(namedQuery(chart.query), database), [
      { name: 'category_name', type: 'STRING' },
      { name: 'publisher_name', type: 'STRING' },
      { name: 'apps', type: 'INTEGER' },
      { name: 'downloads', type: 'INTEGER' },
      { name: 'revenue_usd', type: 'DECIMAL' },
    ]);
    const definition = pipelineDashboardDefinition({ recordsIn: recordsIn.arn, failures: failures.arn, freshness: freshness.arn, dimension: dimension.arn }, chart);
    this.analysis = new QuicksightAnalysis(this, 'analysis', {
      analysisId: this.name('pipeline'),
      name: this.name('pipeline'),
      awsAccountId: account.accountId,
      definition,
      permissions: [{ principal, actions: ANALYSIS_OWNER_ACTIONS }],
    });
    this.dashboard = new QuicksightDashboard(this, 'dashboard', {
      dashboardId: this.name('pipeline'),
      name: this.name('pipeline'),
      awsAccountId: account.accountId,
      versionDescription: 'The pipeline charts of the local dashboard, from the lake through Athena',
      definition,
      permissions: [{ principal, actions: DASHBOARD_VIEWER_ACTIONS }],
    });
  }
}
