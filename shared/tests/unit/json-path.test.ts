import { evaluateJsonPath, UnsupportedJsonPathError } from '../../src/api/json-path';

const document = { records: [{ type: 'a' }, { 'odd key': 1 }], empty: null, 'dash-name': true };

describe('evaluateJsonPath', () => {
  test.each<[string, unknown]>([
    ['$', document],
    [' $ ', document],
    ['$.records', document.records],
    ['$.records[1]', { 'odd key': 1 }],
    ['$.records[0].type', 'a'],
    ["$.records[1]['odd key']", 1],
    ['$["dash-name"]', true],
    ['$.dash-name', true],
    ['$.empty', null],
    ['$.missing', undefined],
    ['$.records[2]', undefined],
    ['$.records.type', undefined],
    ['$.records[0].type.length', undefined],
    ['$.toString', undefined],
  ])('%s', (path, expected) => {
    expect(evaluateJsonPath(document, path)).toEqual(expected);
  });

  test.each([
    ['records', 0],
    ['$.records[*]', 9],
    ['$..type', 1],
    ['$.records[0:1]', 9],
    ['$.records[?(@.type)]', 9],
  ])('%s is not evaluated: it throws, naming the position', (path, position) => {
    expect(() => evaluateJsonPath(document, path)).toThrow(new UnsupportedJsonPathError(path, position));
  });
});
