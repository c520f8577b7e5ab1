import { INGEST_ROUTES } from '@ingest-lake/shared';
import { cleanUpApps, environment, resources, synth } from './support';

afterAll(cleanUpApps);

const json = () => synth(environment('dev').ingestApi);
const single = (document: ReturnType<typeof synth>, type: string) => {
  const all = Object.keys(document.resource?.[type] ?? {});
  expect(all).toHaveLength(1);
  return { name: all[0]!, value: document.resource![type]![all[0]!]! };
};

describe('ingest API ordering and redeployment', () => {
  test('the stage waits for the account-wide CloudWatch role (access logs need it on a first apply)', () => {
    const document = json();
    const account = single(document, 'aws_api_gateway_account');
    const stage = single(document, 'aws_api_gateway_stage');
    expect(stage.value.depends_on).toContain(`aws_api_gateway_account.${account.name}`);
  });

  test('the deployment depends on every method, integration, method response and integration response', () => {
    const document = json();
    const deployment = single(document, 'aws_api_gateway_deployment').value;
    const dependsOn = deployment.depends_on as string[];
    for (const type of ['aws_api_gateway_method', 'aws_api_gateway_integration', 'aws_api_gateway_method_response', 'aws_api_gateway_integration_response', 'aws_api_gateway_model']) {
      const names = Object.keys(document.resource?.[type] ?? {});
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(dependsOn).toContain(`${type}.${name}`);
    }
    expect(resources(document, 'aws_api_gateway_integration_response')).toHaveLength(INGEST_ROUTES.length * 3);
  });

  test('the redeployment trigger hashes what each integration sends (so a changed template redeploys), not a constant', () => {
    const deployment = single(json(), 'aws_api_gateway_deployment').value;
    const trigger = (deployment.triggers as { redeployment: string }).redeployment;
    expect(trigger).toMatch(/^\$\{sha1\(jsonencode\(\[/);
    for (const name of ['put-record-integration', 'put-records-integration']) {
      for (const attribute of ['request_templates', 'uri', 'credentials']) expect(trigger).toContain(`aws_api_gateway_integration.${name}.${attribute}`);
    }
    expect(deployment.lifecycle).toEqual({ create_before_destroy: true });
  });

  test('routes, models and templates are the shared ones (the local endpoint serves the same)', () => {
    const document = json();
    const models = resources(document, 'aws_api_gateway_model').map((m) => ({ name: m.name, schema: JSON.parse(String(m.schema)) as unknown }));
    expect(models).toEqual(expect.arrayContaining(INGEST_ROUTES.map((r) => ({ name: r.model.name, schema: r.model.schema }))));
    const templates = resources(document, 'aws_api_gateway_integration').map((i) => (i.request_templates as Record<string, string>)['application/json']);
    // The stream name is a cross-stack reference: compare with it substituted.
    for (const route of INGEST_ROUTES) expect(templates.some((t) => t!.replace(/"StreamName": "[^"]*"/, '"StreamName": "S"') === route.template('S'))).toBe(true);
  });
});
