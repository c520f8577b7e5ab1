import { DASHBOARD_CHARTS, dimensionChart, FRESHNESS_QUERY, namedQuery, queryAsSubquery, sqlQueries } from '@ingest-lake/shared';
import { catalogRelations, qualifyRelations, UnknownRelationError } from '../../src/bi/athena-custom-sql';
import { AGE_SECONDS_FIELD, DATA_SET_IDENTIFIERS } from '../../src/bi/pipeline-dashboard-definition';
import { ANALYSIS_OWNER_ACTIONS, DASHBOARD_VIEWER_ACTIONS, DATA_SET_VIEWER_ACTIONS } from '../../src/bi/quicksight-permissions';
import { MOTO_CANNOT_DEPLOY } from '../terraform/moto-gaps';
import { cleanUpApps, environment, resources, synth } from './support';

afterAll(cleanUpApps);

const PRINCIPAL = 'arn:aws:quicksight:ap-northeast-2:111122223333:user/default/analyst';
const QUICKSIGHT_ROLE = /^arn:aws:iam::\$\{data\.aws_caller_identity\.account\.account_id\}:role\/service-role\/aws-quicksight-service-role-v0$/;

interface Visual {
  visual_id: string;
  title: { format_text: { plain_text: string } };
  chart_configuration: { field_wells: Record<string, { category: unknown[]; colors?: unknown[]; values: unknown[] }> };
}
interface Definition {
  data_set_identifiers_declarations: Array<{ identifier: string; data_set_arn: string }>;
  calculated_fields: Array<{ data_set_identifier: string; name: string; expression: string }>;
  filter_groups: Array<{ scope_configuration: { selected_sheets: { sheet_visual_scoping_configurations: Array<{ visual_ids: string[] }> } } }>;
  sheets: Array<{ visuals: Array<Record<string, Visual>> }>;
}

const bi = () => synth(environment('prod').bi!);
const visualsOf = (definition: Definition) => definition.sheets.flatMap((sheet) => sheet.visuals.map((visual) => Object.values(visual)[0]!));
const dataSetSql = (json: ReturnType<typeof bi>) =>
  new Map(resources(json, 'aws_quicksight_data_set').map((d) => [String(d.data_set_id), (d.physical_table_map as Array<{ custom_sql: { sql_query: string } }>)[0]!.custom_sql.sql_query]));

describe('QuickSight as code (bi.enabled): the local dashboard charts, from the lake through Athena', () => {
  test('the analysis and the published dashboard share one definition: the shared chart titles and ids, one visual each', () => {
    const json = bi();
    const [analysis] = resources(json, 'aws_quicksight_analysis');
    const [dashboard] = resources(json, 'aws_quicksight_dashboard');
    expect(analysis!.definition).toEqual(dashboard!.definition);
    expect(dashboard!.version_description).toEqual(expect.any(String));
    const visuals = visualsOf(analysis!.definition as Definition);
    const expected = [DASHBOARD_CHARTS.recordsIn, DASHBOARD_CHARTS.failures, DASHBOARD_CHARTS.freshness, dimensionChart()];
    expect(visuals.map((v) => [v.visual_id, v.title.format_text.plain_text])).toEqual(expected.map((c) => [c.id, c.title]));
    // The shard-load chart is local only: Kinesis shard counters are not in the lake.
    expect(visuals.map((v) => v.visual_id)).not.toContain(DASHBOARD_CHARTS.shardLoad.id);
  });

  test('every chart reads a declared dataset of this stack, and the time series are kept to the last hour', () => {
    const json = bi();
    const definition = resources(json, 'aws_quicksight_analysis')[0]!.definition as Definition;
    const arnsByAddress = Object.keys(json.resource!.aws_quicksight_data_set!).map((id) => `\${aws_quicksight_data_set.${id}.arn}`);
    expect(definition.data_set_identifiers_declarations.map((d) => d.identifier)).toEqual(Object.values(DATA_SET_IDENTIFIERS));
    for (const declaration of definition.data_set_identifiers_declarations) expect(arnsByAddress).toContain(declaration.data_set_arn);
    const referenced = JSON.stringify(definition.sheets).match(/"data_set_identifier":"([^"]+)"/g)!.map((m) => m.split(':')[1]!.replace(/"/g, ''));
    expect(new Set(referenced)).toEqual(new Set(Object.values(DATA_SET_IDENTIFIERS)));
    expect(definition.calculated_fields).toEqual([expect.objectContaining({ data_set_identifier: DATA_SET_IDENTIFIERS.freshness, name: AGE_SECONDS_FIELD })]);
    expect(definition.filter_groups.map((g) => g.scope_configuration.selected_sheets.sheet_visual_scoping_configurations[0]!.visual_ids)).toEqual([
      [DASHBOARD_CHARTS.recordsIn.id],
      [DASHBOARD_CHARTS.failures.id],
    ]);
    // The dimension chart: the shared query's label columns (category, then publisher as colour) and value.
    const dimension = visualsOf(definition).find((v) => v.visual_id === dimensionChart().id)!;
    const wells = JSON.stringify(dimension.chart_configuration.field_wells);
    for (const name of [...dimensionChart().label, dimensionChart().value]) expect(wells).toContain(`"column_name":"${name}"`);
  });

  test('the freshness and dimension datasets run the shared named queries, every relation qualified with the Glue database', () => {
    const sql = dataSetSql(bi());
    expect([...sql.keys()].sort()).toEqual(
      ['events', 'records-in', 'failures', 'freshness', dimensionChart().id].map((id) => `ingest-lake-prod-${id}`).sort(),
    );
    const database = /"(\$\{[^}]+\})"\./;
    for (const [id, query] of [
      ['freshness', FRESHNESS_QUERY],
      [dimensionChart().id, dimensionChart().query],
    ] as const) {
      const text = sql.get(`ingest-lake-prod-${id}`)!;
      const [, reference] = database.exec(text)!;
      // Unqualified again, it is the shared query without its comments and final semicolon.
      expect(text.split(`"${reference}".`).join('').replace(/"([a-z_0-9]+)"/g, '$1')).toBe(queryAsSubquery(namedQuery(query)));
      expect(text).not.toMatch(/\b(FROM|JOIN)\s+[a-z_]/i);
    }
    for (const text of sql.values()) expect(text).not.toMatch(/;\s*$/);
  });

  test("identifiers keep to QuickSight's patterns (PhysicalTableId [0-9a-zA-Z-]{1,64}; sheet, visual, field and filter ids [\\w-]+)", () => {
    const json = bi();
    for (const dataSet of resources(json, 'aws_quicksight_data_set')) {
      for (const table of dataSet.physical_table_map as Array<{ physical_table_map_id: string }>) expect(table.physical_table_map_id).toMatch(/^[0-9a-zA-Z-]{1,64}$/);
    }
    const definition = JSON.stringify(resources(json, 'aws_quicksight_analysis')[0]!.definition);
    const ids = [...definition.matchAll(/"(?:sheet_id|visual_id|field_id|filter_id|filter_group_id|element_id)":"([^"]*)"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect(id).toMatch(/^[\w-]{1,512}$/);
  });

  test('least privilege for the principal: dataset and dashboard viewer sets, the analysis shared as QuickSight shares analyses', () => {
    const json = bi();
    for (const dataSet of resources(json, 'aws_quicksight_data_set')) expect(dataSet.permissions).toEqual([{ principal: PRINCIPAL, actions: DATA_SET_VIEWER_ACTIONS }]);
    expect(resources(json, 'aws_quicksight_dashboard')[0]!.permissions).toEqual([{ principal: PRINCIPAL, actions: DASHBOARD_VIEWER_ACTIONS }]);
    expect(resources(json, 'aws_quicksight_analysis')[0]!.permissions).toEqual([{ principal: PRINCIPAL, actions: ANALYSIS_OWNER_ACTIONS }]);
    expect(DASHBOARD_VIEWER_ACTIONS.some((a) => /Update|Delete/.test(a))).toBe(false);
  });

  test('the bi stack holds QuickSight resources only, all in the moto gap list: it stays plan-only on moto', () => {
    const types = Object.keys(bi().resource!);
    expect(types.sort()).toEqual(['aws_quicksight_analysis', 'aws_quicksight_dashboard', 'aws_quicksight_data_set', 'aws_quicksight_data_source']);
    for (const type of types) expect(MOTO_CANNOT_DEPLOY).toHaveProperty(type);
  });
});

describe("QuickSight's service role reads the lake: bucket and key policies, prod only", () => {
  interface Statement {
    sid?: string;
    actions: string[];
    resources: string[];
    principals?: Array<{ type: string; identifiers: string[] }>;
  }
  const statements = (name: string) =>
    Object.values(synth(environment(name).lake).data!.aws_iam_policy_document!).flatMap((document) => document.statement as Statement[]);
  const forQuickSight = (name: string) => statements(name).filter((s) => s.principals?.some((p) => p.identifiers.some((i) => QUICKSIGHT_ROLE.test(i))));

  test('prod: read curated/ and the Firehose error output, read and write athena-results/, use the lake key; nothing else', () => {
    const granted = forQuickSight('prod');
    const s3 = granted.filter((s) => s.actions.every((a) => a.startsWith('s3:')));
    const prefixes = (action: string) => s3.filter((s) => s.actions.includes(action)).flatMap((s) => s.resources.filter((r) => r.includes('/')).map((r) => r.replace(/^.*?\}\//, '')));
    expect(prefixes('s3:GetObject').sort()).toEqual(['athena-results/*', 'curated/*', 'errors/partitioning-failed/*', 'errors/processing-failed/*']);
    expect(prefixes('s3:PutObject')).toEqual(['athena-results/*']);
    const kms = granted.filter((s) => s.actions.some((a) => a.startsWith('kms:')));
    expect(kms).toEqual([expect.objectContaining({ actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'], resources: ['*'] })]);
    expect(granted).toHaveLength(s3.length + kms.length);
  });

  test('dev (bi disabled): the role is named nowhere', () => {
    expect(forQuickSight('dev')).toEqual([]);
    expect(environment('dev').bi).toBeUndefined();
  });
});

describe('qualifyRelations: shared SQL made runnable without a database context', () => {
  test('every named query qualifies: catalog relations get the database, its own CTEs stay bare', () => {
    for (const query of sqlQueries()) {
      const qualified = qualifyRelations(query.name, queryAsSubquery(query), 'db');
      const bare = [...qualified.matchAll(/\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)/gi)].map((m) => m[1]!);
      for (const name of bare) expect([query.name, catalogRelations().has(name)]).toEqual([query.name, false]);
    }
    const movers = qualifyRelations('top_movers_between_snapshots', queryAsSubquery(namedQuery('top_movers_between_snapshots')), 'db');
    expect(movers).toContain('FROM "db"."app_market_daily_deduplicated" d');
    expect(movers).toContain('CROSS JOIN newest n');
    expect(movers).toContain('LEFT JOIN "db"."app_market_apps_current" a');
  });

  test('a relation that is neither in the catalog nor a CTE is refused by name', () => {
    expect(() => qualifyRelations('q', 'SELECT 1 FROM events e JOIN ghosts g ON g.id = e.id', 'db')).toThrow(new UnknownRelationError('q', 'ghosts'));
  });
});
