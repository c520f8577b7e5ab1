import { DASHBOARD_CHARTS, type QueryChart } from '@ingest-lake/shared';

/**
 * The QuickSight analysis and dashboard definition (one sheet) with the local dashboard's charts:
 * records in per minute by stream, failed records per minute by reason, freshness by dataset, and
 * the dimension chart. Written in the provider's block names (snake_case): `@cdktf/provider-aws`
 * types `definition` as `any`, so `terraform validate` is what checks its shape
 * (infra/tests/terraform/validate.test.ts). Pure: the stack passes the datasets' ARNs.
 */

/** The datasets the charts read, as the definition declares them (identifier → ARN). */
export interface PipelineDashboardDataSets {
  recordsIn: string;
  failures: string;
  freshness: string;
  dimension: string;
}

/** The identifiers the definition uses for the datasets. */
export const DATA_SET_IDENTIFIERS: Readonly<Record<keyof PipelineDashboardDataSets, string>> = {
  recordsIn: 'records_in',
  failures: 'failures',
  freshness: 'freshness',
  dimension: 'dimension',
};

/** The time-series charts show the last hour, as the local live dashboard's history does. */
export const TIME_SERIES_WINDOW_HOURS = 1;

/** The freshness chart's value: seconds since the newest record (the freshness query gives its time as text). */
export const AGE_SECONDS_FIELD = 'age_seconds';
// Trino prints a timestamp(3) cast to varchar as `yyyy-MM-dd HH:mm:ss.SSS`.
const AGE_SECONDS_EXPRESSION = "dateDiff(parseDate({newest_ingested_at}, 'yyyy-MM-dd HH:mm:ss.SSS'), now(), 'SS')";

const SHEET_ID = 'pipeline';

const column = (dataSet: keyof PipelineDashboardDataSets, name: string) => ({ data_set_identifier: DATA_SET_IDENTIFIERS[dataSet], column_name: name });
const title = (text: string) => ({ visibility: 'VISIBLE', format_text: { plain_text: text } });

/** A line per series: rows counted per minute of a time column, coloured by a category column. */
function perMinuteLineChart(visualId: string, text: string, dataSet: keyof PipelineDashboardDataSets, time: string, series: string) {
  return {
    line_chart_visual: {
      visual_id: visualId,
      title: title(text),
      chart_configuration: {
        field_wells: {
          line_chart_aggregated_field_wells: {
            category: [{ date_dimension_field: { field_id: `${visualId}-minute`, column: column(dataSet, time), date_granularity: 'MINUTE' } }],
            colors: [{ categorical_dimension_field: { field_id: `${visualId}-series`, column: column(dataSet, series) } }],
            values: [{ categorical_measure_field: { field_id: `${visualId}-records`, column: column(dataSet, series), aggregation_function: 'COUNT' } }],
          },
        },
      },
    },
  };
}

/** Horizontal bars: a measure per category, optionally stacked by a second category. */
function barChart(visualId: string, text: string, dataSet: keyof PipelineDashboardDataSets, category: string, measure: { column: string; aggregation: 'SUM' | 'MAX' }, colour?: string) {
  return {
    bar_chart_visual: {
      visual_id: visualId,
      title: title(text),
      chart_configuration: {
        orientation: 'HORIZONTAL',
        bars_arrangement: colour ? 'STACKED' : 'CLUSTERED',
        field_wells: {
          bar_chart_aggregated_field_wells: {
            category: [{ categorical_dimension_field: { field_id: `${visualId}-category`, column: column(dataSet, category) } }],
            ...(colour ? { colors: [{ categorical_dimension_field: { field_id: `${visualId}-colour`, column: column(dataSet, colour) } }] } : {}),
            values: [
              {
                numerical_measure_field: {
                  field_id: `${visualId}-value`,
                  column: column(dataSet, measure.column),
                  aggregation_function: { simple_numerical_aggregation: measure.aggregation },
                },
              },
            ],
          },
        },
      },
    },
  };
}

/** Keeps a time-series visual to the last hour (QuickSight's relative date filter, anchored at now). */
function lastHour(visualId: string, dataSet: keyof PipelineDashboardDataSets, time: string) {
  return {
    filter_group_id: `${visualId}-last-hour`,
    cross_dataset: 'SINGLE_DATASET',
    status: 'ENABLED',
    scope_configuration: { selected_sheets: { sheet_visual_scoping_configurations: [{ sheet_id: SHEET_ID, scope: 'SELECTED_VISUALS', visual_ids: [visualId] }] } },
    filters: [
      {
        relative_dates_filter: {
          filter_id: `${visualId}-last-hour-filter`,
          column: column(dataSet, time),
          anchor_date_configuration: { anchor_option: 'NOW' },
          minimum_granularity: 'MINUTE',
          time_granularity: 'HOUR',
          relative_date_type: 'LAST',
          relative_date_value: TIME_SERIES_WINDOW_HOURS,
          null_option: 'NON_NULLS_ONLY',
        },
      },
    ],
  };
}

/** The whole definition, for `aws_quicksight_analysis` and `aws_quicksight_dashboard` alike. */
export function pipelineDashboardDefinition(dataSets: PipelineDashboardDataSets, dimension: QueryChart): Record<string, unknown> {
  const { recordsIn, failures, freshness } = DASHBOARD_CHARTS;
  const [dimensionCategory, dimensionColour] = dimension.label;
  const visuals = [
    perMinuteLineChart(recordsIn.id, recordsIn.title, 'recordsIn', 'ingested_at', 'dataset'),
    perMinuteLineChart(failures.id, failures.title, 'failures', 'failed_at', 'reason'),
    barChart(freshness.id, freshness.title, 'freshness', 'dataset', { column: AGE_SECONDS_FIELD, aggregation: 'MAX' }),
    barChart(dimension.id, dimension.title, 'dimension', dimensionCategory!, { column: dimension.value, aggregation: 'SUM' }, dimensionColour),
  ];
  return {
    data_set_identifiers_declarations: (Object.keys(DATA_SET_IDENTIFIERS) as Array<keyof PipelineDashboardDataSets>).map((key) => ({
      identifier: DATA_SET_IDENTIFIERS[key],
      data_set_arn: dataSets[key],
    })),
    calculated_fields: [{ data_set_identifier: DATA_SET_IDENTIFIERS.freshness, name: AGE_SECONDS_FIELD, expression: AGE_SECONDS_EXPRESSION }],
    filter_groups: [lastHour(recordsIn.id, 'recordsIn', 'ingested_at'), lastHour(failures.id, 'failures', 'failed_at')],
    sheets: [
      {
        sheet_id: SHEET_ID,
        name: 'Pipeline',
        visuals,
        layouts: [
          {
            configuration: {
              grid_layout: {
                elements: [recordsIn.id, failures.id, freshness.id, dimension.id].map((id) => ({ element_id: id, element_type: 'VISUAL', column_span: 18, row_span: 10 })),
              },
            },
          },
        ],
      },
    ],
  };
}
