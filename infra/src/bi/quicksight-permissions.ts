/**
 * What the QuickSight principal (`bi.quicksightPrincipalArn`) may do with each kind of asset the bi
 * stack publishes: QuickSight resource permissions (not IAM), the narrowest set QuickSight allows for each use.
 */

/** Use the Athena data source in a dataset, not change it. */
export const DATA_SOURCE_USER_ACTIONS = ['quicksight:DescribeDataSource', 'quicksight:DescribeDataSourcePermissions', 'quicksight:PassDataSource'];

/** What the principal may do with a dataset: use it in an analysis, not change it (QuickSight's viewer set). */
export const DATA_SET_VIEWER_ACTIONS = ['quicksight:DescribeDataSet', 'quicksight:DescribeDataSetPermissions', 'quicksight:PassDataSet', 'quicksight:DescribeIngestion', 'quicksight:ListIngestions'];

/**
 * QuickSight shares an analysis only with its owners' actions (there is no viewer level); the
 * definition is this code's, so an owner's edits are replaced by the next apply (save a copy to keep one).
 */
export const ANALYSIS_OWNER_ACTIONS = [
  'quicksight:DescribeAnalysis',
  'quicksight:DescribeAnalysisPermissions',
  'quicksight:QueryAnalysis',
  'quicksight:UpdateAnalysis',
  'quicksight:UpdateAnalysisPermissions',
  'quicksight:DeleteAnalysis',
  'quicksight:RestoreAnalysis',
];

/** A dashboard's viewer set: open and query it, nothing else. */
export const DASHBOARD_VIEWER_ACTIONS = ['quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:QueryDashboard'];
