import { appMarketMetadata, type Dataset, compareHeader, compileRowValidator, hasHeaderDrift, headerProblems, HeaderMismatchError } from '../../src';

// apps: app_id, app_name, publisher_id, price_usd required, release_date nullable (read from the declaration).
const apps: Dataset = appMarketMetadata.apps;
const declared = [...apps.columnNames];
const nullable = declared.filter((name) => apps.columns[name]!.nullable);
const required = declared.filter((name) => !apps.columns[name]!.nullable);

describe('compareHeader: a vendor header against the declared schema', () => {
  test.each([
    ['the declared header', declared, {}],
    ['the declared header reordered, names padded', [...declared].reverse().map((name) => ` ${name} `), {}],
    ['an extra column', [...declared, 'rating'], { unknownColumns: ['rating'] }],
    ['a renamed column', declared.map((name) => (name === required[1] ? `${name}_v2` : name)), { unknownColumns: [`${required[1]}_v2`], missingRequiredColumns: [required[1]] }],
    ['a nullable column dropped', declared.filter((name) => name !== nullable[0]), { missingNullableColumns: [nullable[0]] }],
    ['a column twice', [...declared, declared[0]!], { duplicateColumns: [declared[0]] }],
  ])('%s', (_case, header, expected) => {
    const drift = compareHeader(apps, header);
    expect(drift).toEqual({ dataset: apps.name, unknownColumns: [], missingRequiredColumns: [], missingNullableColumns: [], duplicateColumns: [], ...expected });
    expect(hasHeaderDrift(drift)).toBe(Object.keys(expected).length > 0);
  });

  test('only unknown, duplicate and missing required columns make the file unreadable, with the messages the validator raises', () => {
    expect(nullable.length).toBeGreaterThan(0);
    expect(headerProblems(compareHeader(apps, declared.filter((name) => name !== nullable[0])))).toEqual([]);
    expect(() => compileRowValidator(apps, declared.filter((name) => name !== nullable[0]))).not.toThrow();
    const header = [...declared.filter((name) => name !== required[0]), 'rating'];
    expect(headerProblems(compareHeader(apps, header))).toEqual(['unknown column "rating"', `missing column "${required[0]}"`]);
    expect(() => compileRowValidator(apps, header)).toThrow(new HeaderMismatchError(apps.name, ['unknown column "rating"', `missing column "${required[0]}"`]));
  });
});
