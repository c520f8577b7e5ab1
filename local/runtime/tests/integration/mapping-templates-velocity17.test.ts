import {
  MappingTemplateSyntaxError,
  mappingTemplateVariables,
  putRecordTemplate,
  putRecordsTemplate,
  type MappingTemplateContext,
  type MappingTemplateRequest,
} from '@ingest-lake/shared';
import { VelocityMappingTemplate } from '../../src/ingest-endpoint';
import { renderWithVelocity17, type TemplateCase, type Velocity17Result } from '../support/velocity17';

/*
 * The ingest API's templates rendered by velocityjs (the local endpoint) and by Apache Velocity 1.7
 * (API Gateway's engine), with the same $input/$util/$context: the outputs must be identical and be
 * the JSON Kinesis expects. One JVM renders every case.
 */

/** The batch template as it was before the fix: nested double quotes, and `$context.requestId-`. */
const BROKEN_BATCH_TEMPLATE = `#set($records = $input.path('$.records'))
{
  "StreamName": "ingest",
  "Records": [
#foreach($record in $records)
    { "Data": "$util.base64Encode("$input.json("$.records[$foreach.index]")
")", "PartitionKey": "$context.requestId-$foreach.index" }#if($foreach.hasNext),#end
#end
  ]
}`;

const CONTEXT: MappingTemplateContext = {
  requestId: 'c0ffee00-1111-4222-8333-444455556666',
  stage: 'PROD',
  httpMethod: 'POST',
  resourcePath: '/v1/batch',
};
const records = [
  { type: 'a', value: 1 },
  { type: 'ünïcödé 東京 😀', quote: 'say "hi"' },
  { nested: { list: [1, 2.5, null, true] } },
];
const batchBody = JSON.stringify({ records });
const eventBody = '{ "value": "30", "type": "Tip 3", "city": "Zürich" }';
const probeBody = JSON.stringify({ records, text: 'He said "hi" & it\'s 5/5\n\tü€😀', nested: '{"inner":{"k":"v"}}' });

const request = (body: string): MappingTemplateRequest => ({
  body,
  headers: { 'X-Amzn-Trace-Id': 'Root=1-67890abc-0123456789abcdef01234567', 'content-type': 'application/json' },
  querystring: { q: 'from-query' },
});
const templateCase = (name: string, template: string, body = probeBody, context = CONTEXT): TemplateCase => ({
  name,
  template,
  request: request(body),
  context,
});

const cases: TemplateCase[] = [
  templateCase('put-record', putRecordTemplate('ingest'), eventBody),
  templateCase('put-records', putRecordsTemplate('ingest'), batchBody),
  templateCase('put-records one record', putRecordsTemplate('ingest'), JSON.stringify({ records: [{ only: true }] })),
  templateCase('put-records other request', putRecordsTemplate('ingest'), batchBody, {
    ...CONTEXT,
    requestId: 'another-request-id',
  }),
  templateCase('broken batch template', BROKEN_BATCH_TEMPLATE, batchBody),
  templateCase('unclosed foreach', "{\n#foreach($r in $input.path('$.records'))\n$r\n}"),
  templateCase('stray end', '{\n"a": 1\n#end\n}'),
];

/** Corner cases of the engines and of the $input/$util emulation: template → expected output. */
const probes: Array<[name: string, template: string, expected: string]> = [
  ['$input.json root', "$input.json('$')", probeBody],
  ['$input.json element', "$input.json('$.records[1]')", JSON.stringify(records[1])],
  ['$input.json absent', "[$input.json('$.missing')]", '[]'],
  ['$input.path size', "$input.path('$.records').size()", '3'],
  ['$input.path scalar', "$input.path('$.records[0].type') $input.path('$.records[0].value')", 'a 1'],
  ['$input.body', '$input.body', probeBody],
  [
    '$input.params header (any case), query, absent',
    "$input.params('x-amzn-trace-id')|$input.params('q')|$input.params('absent')|",
    'Root=1-67890abc-0123456789abcdef01234567|from-query||',
  ],
  ['$util.base64Encode UTF-8', '$util.base64Encode("ü€😀")', Buffer.from('ü€😀', 'utf8').toString('base64')],
  [
    '$util.escapeJavaScript',
    "$util.escapeJavaScript($input.path('$.text'))",
    String.raw`He said \"hi\" & it\'s 5\/5\n\t\u00FC\u20AC\uD83D\uDE00`,
  ],
  ['$util.parseJson', "$util.parseJson($input.path('$.nested')).inner.k", 'v'],
  [
    '#foreach index, count, hasNext',
    "#foreach($r in $input.path('$.records'))[$foreach.index $foreach.count $foreach.hasNext]#end",
    '[0 1 true][1 2 true][2 3 false]',
  ],
  [
    'formal notation ends a name before -',
    "#foreach($r in $input.path('$.records'))$!{context.requestId}-$foreach.index #end",
    `${CONTEXT.requestId}-0 ${CONTEXT.requestId}-1 ${CONTEXT.requestId}-2 `,
  ],
  [
    '- continues a name (the old partition key)',
    "#foreach($r in $input.path('$.records'))$context.requestId-$foreach.index #end",
    '$context.requestId-0 $context.requestId-1 $context.requestId-2 ',
  ],
  ['newline inside a string literal', '#set($s = "a\nb")$s|', 'a\nb|'],
  [
    'directive lines leave no blank lines',
    '[\n#foreach($i in [1, 2])\n#set($j = $i)\n$j#if($foreach.hasNext),#end\n#end\n]',
    '[\n1,2]',
  ],
];
cases.push(...probes.map(([name, template]) => templateCase(name, template)));

function renderWithVelocityjs(testCase: TemplateCase): { output: string } | { error: MappingTemplateSyntaxError } {
  try {
    return {
      output: VelocityMappingTemplate.compile(testCase.name, testCase.template).render(
        mappingTemplateVariables(testCase.request, testCase.context),
      ),
    };
  } catch (error) {
    if (error instanceof MappingTemplateSyntaxError) return { error };
    throw error;
  }
}

const decode = (data: string) => Buffer.from(data, 'base64').toString('utf8');

describe('mapping templates: velocityjs (local endpoint) against Apache Velocity 1.7 (API Gateway)', () => {
  let velocity17: Map<string, Velocity17Result>;

  beforeAll(async () => {
    velocity17 = await renderWithVelocity17(cases);
  }, 60_000);

  const rendered = (name: string) => {
    const testCase = cases.find((c) => c.name === name)!;
    const real = velocity17.get(name)!;
    const local = renderWithVelocityjs(testCase);
    return { real, local };
  };
  const output = (name: string): string => {
    const { real, local } = rendered(name);
    expect(real.error).toBeUndefined();
    expect(local).toEqual({ output: real.output });
    return real.output!;
  };

  test('PutRecord: identical output; Data = base64(JSON of the body + newline), PartitionKey = X-Amzn-Trace-Id', () => {
    const request = JSON.parse(output('put-record')) as { StreamName: string; Data: string; PartitionKey: string };
    expect(request).toEqual({
      StreamName: 'ingest',
      Data: expect.any(String),
      PartitionKey: 'Root=1-67890abc-0123456789abcdef01234567',
    });
    expect(decode(request.Data)).toBe(`${JSON.stringify(JSON.parse(eventBody))}\n`);
  });

  test('PutRecords: identical output; one entry per record, Data = base64(JSON + newline), partition keys unique', () => {
    const request = JSON.parse(output('put-records')) as {
      StreamName: string;
      Records: Array<{ Data: string; PartitionKey: string }>;
    };
    expect(request.StreamName).toBe('ingest');
    expect(request.Records.map((r) => decode(r.Data))).toEqual(records.map((r) => `${JSON.stringify(r)}\n`));
    expect(request.Records.map((r) => r.PartitionKey)).toEqual([0, 1, 2].map((i) => `${CONTEXT.requestId}-${i}`));
  });

  test('PutRecords: a single record has no trailing comma; another request gets other partition keys', () => {
    expect(JSON.parse(output('put-records one record'))).toEqual({
      StreamName: 'ingest',
      Records: [{ Data: Buffer.from('{"only":true}\n').toString('base64'), PartitionKey: `${CONTEXT.requestId}-0` }],
    });
    const keys = (name: string) =>
      (JSON.parse(output(name)) as { Records: Array<{ PartitionKey: string }> }).Records.map((r) => r.PartitionKey);
    const first = keys('put-records');
    const second = keys('put-records other request');
    expect(new Set([...first, ...second]).size).toBe(first.length + second.length);
  });

  test.each([
    ['broken batch template', 6],
    ['unclosed foreach', 2],
    ['stray end', 3],
  ])('%s: Velocity 1.7 rejects it, and so does the local endpoint, naming the template and line %i', (name, line) => {
    const { real, local } = rendered(name);
    expect(real.error).toEqual({ message: expect.stringContaining(name), line: expect.any(Number) });
    expect(local).toEqual({ error: expect.objectContaining({ templateName: name }) });
    if ('error' in local) expect(local.error.line).toBe(line);
    if (name === 'broken batch template') expect(real.error!.line).toBe(line);
  });

  test.each(probes)('%s', (name, _template, expected) => {
    expect(output(name)).toBe(expected);
  });
});
