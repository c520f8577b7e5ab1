import { appMarket, datasets, defineDataset, defineVendorDataset, DatasetDeclarationError, events, t } from '../../src';

const base = { version: 1, description: 'd', primaryKey: [] as string[] };

describe('defineDataset', () => {
  test.each([
    ['bad name', { ...base, name: 'Bad-Name', columns: { a: t.string() } }, 'name'],
    ['no columns', { ...base, name: 'x', columns: {} }, 'columns'],
    ['reserved column', { ...base, name: 'x', columns: { dt: t.date() } }, 'columns.dt'],
    ['lineage column', { ...base, name: 'x', columns: { _origin: t.string() } }, 'columns._origin'],
    ['bad decimal', { ...base, name: 'x', columns: { a: t.decimal(40, 2) } }, 'columns.a'],
    ['maxLength on int', { ...base, name: 'x', columns: { a: t.int({ maxLength: 3 }) } }, 'columns.a'],
    ['unknown key', { ...base, name: 'x', columns: { a: t.int() }, primaryKey: ['b'] }, 'primaryKey'],
    ['nullable key', { ...base, name: 'x', columns: { a: t.int({ nullable: true }) }, primaryKey: ['a'] }, 'primaryKey'],
    ['event time not a time', { ...base, name: 'x', columns: { a: t.int() }, eventTimeColumn: 'a' }, 'eventTimeColumn'],
  ])('%s is refused, naming the field', (_label, declaration, field) => {
    expect(() => defineDataset(declaration as never)).toThrow(DatasetDeclarationError);
    expect(() => defineDataset(declaration as never)).toThrow(`dataset "${declaration.name}": ${field}:`);
  });
});

describe('defineVendorDataset', () => {
  const file = (name: string) => ({ file: `${name}.csv.gz`, dataset: events });

  test('refuses more than 12 metadata files', () => {
    expect(() =>
      defineVendorDataset({
        name: 'v',
        description: 'v',
        dataFile: file('data'),
        metadataFiles: Array.from({ length: 13 }, (_, i) => file(`m${i}`)),
      }),
    ).toThrow('at most 12 metadata files (got 13)');
  });

  test('refuses duplicate and non-csv.gz file names', () => {
    expect(() => defineVendorDataset({ name: 'v', description: 'v', dataFile: file('a'), metadataFiles: [file('a')] })).toThrow(
      'listed twice',
    );
    expect(() =>
      defineVendorDataset({ name: 'v', description: 'v', dataFile: { file: '../x.csv', dataset: events }, metadataFiles: [] }),
    ).toThrow('plain file name');
  });

  test('the example vendor dataset has one data file and the full 12 metadata files, all registered', () => {
    expect(appMarket.metadataFiles).toHaveLength(12);
    for (const { dataset } of [appMarket.dataFile, ...appMarket.metadataFiles]) {
      expect(datasets.get(dataset.name)).toBe(dataset);
    }
  });
});
