import {
  escapeJavaScript,
  MappingTemplateInput,
  mappingTemplateVariables,
} from '../../src/api/mapping-template-variables';

const context = { requestId: 'r-1', stage: 'PROD', httpMethod: 'POST', resourcePath: '/v1' };

describe('$input', () => {
  const input = new MappingTemplateInput({
    body: '{ "records": [ {"a": 1}, {"b": "é"} ], "n": null }',
    headers: { 'X-Amzn-Trace-Id': 'Root=1-a-b', 'content-type': 'application/json' },
    querystring: { q: 'query', shared: 'from-query' },
    path: { shared: 'from-path' },
  });

  test('body is the raw payload; json() re-serializes compactly; path() gives the value', () => {
    expect(input.body).toBe('{ "records": [ {"a": 1}, {"b": "é"} ], "n": null }');
    expect(input.json('$')).toBe('{"records":[{"a":1},{"b":"é"}],"n":null}');
    expect(input.json('$.records[1]')).toBe('{"b":"é"}');
    expect(input.json('$.n')).toBe('null');
    expect(input.json('$.missing')).toBe('');
    expect(input.path('$.records')).toEqual([{ a: 1 }, { b: 'é' }]);
    expect(input.path('$.missing')).toBeUndefined();
  });

  test('params(name) looks in path, then query string, then headers (any case); params() gives all three', () => {
    expect(input.params('shared')).toBe('from-path');
    expect(input.params('q')).toBe('query');
    expect(input.params('x-amzn-trace-id')).toBe('Root=1-a-b');
    expect(input.params('X-AMZN-TRACE-ID')).toBe('Root=1-a-b');
    expect(input.params('absent')).toBe('');
    expect(input.params()).toEqual({
      path: { shared: 'from-path' },
      querystring: { q: 'query', shared: 'from-query' },
      header: { 'X-Amzn-Trace-Id': 'Root=1-a-b', 'content-type': 'application/json' },
    });
  });

  test('a body that is not JSON fails only the calls that need JSON', () => {
    const notJson = new MappingTemplateInput({ body: 'plain', headers: {} });
    expect(notJson.body).toBe('plain');
    expect(() => notJson.json('$')).toThrow(SyntaxError);
  });
});

describe('$util', () => {
  const { util } = mappingTemplateVariables({ body: '{}', headers: {} }, context);

  test.each([
    ['', ''],
    ['ascii', 'YXNjaWk='],
    ['é', 'w6k='],
    ['東京😀\n', '5p2x5Lqs8J+YgAo='],
  ])('base64Encode(%j) encodes UTF-8 bytes', (text, expected) => {
    expect(util.base64Encode(text)).toBe(expected);
  });

  test.each([
    ['plain', 'plain'],
    ['say "hi"', 'say \\"hi\\"'],
    ["it's", "it\\'s"],
    ['a\\b', 'a\\\\b'],
    ['</script>', '<\\/script>'],
    ['\b\f\n\r\t', '\\b\\f\\n\\r\\t'],
    ['\u0000\u001f\u007f', '\\u0000\\u001F\u007f'],
    ['é€', '\\u00E9\\u20AC'],
    ['😀', '\\uD83D\\uDE00'],
  ])('escapeJavaScript(%j) escapes as Commons Lang does', (text, expected) => {
    expect(escapeJavaScript(text)).toBe(expected);
    expect(util.escapeJavaScript(text)).toBe(expected);
  });

  test('parseJson gives the object', () => {
    expect(util.parseJson('{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
  });
});

test('each rendering gets its own objects; $context is a copy', () => {
  const first = mappingTemplateVariables({ body: '{}', headers: {} }, context);
  const second = mappingTemplateVariables({ body: '{}', headers: {} }, context);
  expect(first.util).not.toBe(second.util);
  expect(first.context).toEqual(context);
  expect(first.context).not.toBe(context);
});
