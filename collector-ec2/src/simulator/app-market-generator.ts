import { appMarket, appMarketMetadata, type VendorFile } from '@ingest-lake/shared';

/**
 * Deterministic generator of the example vendor dataset's files, as the vendor serves them:
 * CSV with a header row, ~185 bytes per data row, some quoted names with commas and quotes,
 * non-ASCII text. Used by the vendor simulator, the tests and the benchmarks.
 */

/** mulberry32: a tiny, fast, seedable PRNG so that the same seed always yields the same file. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COUNTRIES = ['KR', 'US', 'JP', 'DE', 'GB', 'FR', 'BR', 'IN', 'ID', 'VN', 'TW', 'TH'];
const DEVICES = ['iphone', 'ipad', 'android_phone', 'android_tablet'];
const WORDS = ['Puzzle', 'Quest', 'Saga', 'Farm', 'Legends', 'Runner', 'Music', 'Photo', 'Fitness', 'Wallet', 'Chat', 'Maps'];
const NAME_STYLES = [
  (a: string, b: string, n: number) => `${a} ${b} ${n}`,
  (a: string, b: string, n: number) => `"${a}, ${b} & Friends ${n}"`,
  (a: string, b: string, n: number) => `${a} 월드 ${b} ${n}`,
  (a: string, b: string, n: number) => `"The ""${a}"" ${b} ${n}"`,
];

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Header line of a vendor file (the dataset's columns, in declaration order). */
export function headerLine(file: VendorFile): string {
  return `${file.dataset.columnNames.join(',')}\n`;
}

/**
 * Generates the data rows of app_market_daily.csv.gz as CSV text, in batches of lines. With
 * `invalidRowEvery`, every Nth row (1-based) has `downloads` = `lots`, which the schema refuses.
 */
export function* appMarketDailyLines(rowCount: number, snapshotDate: string, seed = 1, batchRows = 4_096, invalidRowEvery?: number): Generator<string> {
  const random = seededRandom(seed);
  let batch = '';
  let inBatch = 0;
  for (let i = 0; i < rowCount; i++) {
    // One row per app × country × device, as the vendor lays it out; values vary like real
    // estimates so that the file compresses like the vendor's (~2.5×), not like a template.
    const appId = 280_000_000 + Math.floor(i / (COUNTRIES.length * DEVICES.length)) * 7 + Math.floor(random() * 7);
    const country = COUNTRIES[i % COUNTRIES.length]!;
    const device = DEVICES[Math.floor(i / COUNTRIES.length) % DEVICES.length]!;
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    const style = NAME_STYLES[Math.floor(random() * NAME_STYLES.length)]!;
    const appName = style(word, WORDS[Math.floor(random() * WORDS.length)]!, Math.floor(random() * 1_000_000));
    const publisher = `Studio ${Math.floor(random() * 100_000)} Interactive Entertainment Co., Ltd. (${country}-${Math.floor(random() * 10_000)})`;
    const downloads = Math.floor(random() * 50_000);
    const revenue = (random() * 90_000).toFixed(4);
    const activeUsers = random() < 0.2 ? '' : String(downloads * 12 + Math.floor(random() * 1000));
    const rank = random() < 0.3 ? '' : String(1 + Math.floor(random() * 1500));
    const rating = random() < 0.1 ? '' : (1 + random() * 4).toFixed(2);
    batch +=
      `${snapshotDate},${appId},${appName},${csvField(publisher)},${country},${device},` +
      `${device.startsWith('i') ? 'ios' : 'google_play'},${6000 + (appId % 30)},${invalidRowEvery && (i + 1) % invalidRowEvery === 0 ? 'lots' : downloads},${revenue},` +
      `${activeUsers},${rank},${rating},${random() < 0.97 ? 'true' : 'false'},${snapshotDate}T${String(Math.floor(random() * 24)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}Z\n`;
    if (++inBatch === batchRows) {
      yield batch;
      batch = '';
      inBatch = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/** Small, deterministic rows for each of the 12 metadata files. */
export function metadataLines(datasetName: string, snapshotDate: string): string {
  const d = appMarketMetadata;
  const rows: string[][] = [];
  switch (datasetName) {
    case d.apps.name:
      for (let i = 0; i < 200; i++) rows.push([String(280_000_000 + i), csvField(`App ${i}, the game`), String(i % 997), '2020-01-01', '0.99']);
      break;
    case d.publishers.name:
      for (let i = 0; i < 50; i++) rows.push([String(i), csvField(`Studio ${i} Interactive Entertainment Co., Ltd.`), 'KR']);
      break;
    case d.countries.name:
      COUNTRIES.forEach((code, i) => rows.push([code, `Country ${code}`, `R${i % 4}`]));
      break;
    case d.regions.name:
      for (let i = 0; i < 4; i++) rows.push([`R${i}`, `Region ${i}`]);
      break;
    case d.devices.name:
      DEVICES.forEach((device) => rows.push([device, device.replace('_', ' '), device.startsWith('i') ? 'ios' : 'android']));
      break;
    case d.categories.name:
      for (let i = 0; i < 30; i++) rows.push([String(6000 + i), `Category ${i}`, i < 5 ? '' : String(6000 + (i % 5))]);
      break;
    case d.appCategories.name:
      for (let i = 0; i < 200; i++) rows.push([String(280_000_000 + i), String(6000 + (i % 30)), 'true']);
      break;
    case d.currencies.name:
      [['KRW', 'Won', '0'], ['USD', 'Dollar', '2'], ['JPY', 'Yen', '0'], ['EUR', 'Euro', '2']].forEach((row) => rows.push(row));
      break;
    case d.exchangeRates.name:
      [['KRW', '0.00075000'], ['USD', '1.00000000'], ['JPY', '0.00670000'], ['EUR', '1.08000000']].forEach(([code, rate]) =>
        rows.push([code!, snapshotDate, rate!]),
      );
      break;
    case d.stores.name:
      rows.push(['ios', 'App Store', 'ios'], ['google_play', 'Google Play', 'android']);
      break;
    case d.metrics.name:
      rows.push(['downloads', 'count', 'Estimated first-time downloads'], ['revenue_usd', 'USD', 'Estimated gross revenue']);
      break;
    case d.dataDictionary.name:
      appMarket.dataFile.dataset.columnNames.forEach((name) => rows.push([name, appMarket.dataFile.dataset.columns[name]!.kind, csvField(`Column ${name}`)]));
      break;
    default:
      throw new Error(`no generator for metadata dataset "${datasetName}"`);
  }
  return rows.map((row) => `${row.join(',')}\n`).join('');
}
