import { t } from '../schema/column';
import { defineDataset } from '../schema/dataset';
import { defineVendorDataset } from './vendor-dataset';

/**
 * Example vendor dataset: daily app-market intelligence bought from a commercial data
 * platform and pulled over its REST API. The data file has one row per day × app × country ×
 * device (~185 bytes of CSV per row; the largest snapshot exceeds 20 M rows); twelve
 * metadata files describe the dimensions.
 */
export const appMarketDaily = defineDataset({
  name: 'app_market_daily',
  version: 1,
  description: 'Daily downloads, revenue and usage estimates per app, country and device.',
  columns: {
    metric_date: t.date({ description: 'Day the estimates are for.' }),
    app_id: t.bigint({ description: 'Vendor app id.' }),
    app_name: t.string({ description: 'App name on that day, as the store lists it.', maxLength: 512 }),
    publisher_name: t.string({ description: 'Publisher name on that day.', maxLength: 512 }),
    country_code: t.string({ description: 'ISO 3166-1 alpha-2 country code.', maxLength: 2 }),
    device: t.string({ description: 'Device family: iphone, ipad, android_phone, android_tablet.', maxLength: 32 }),
    store_id: t.string({ description: 'App store id.', maxLength: 32 }),
    category_id: t.int({ description: 'Primary category on that day.' }),
    downloads: t.bigint({ description: 'Estimated downloads.' }),
    revenue_usd: t.decimal(18, 4, { description: 'Estimated gross revenue in USD.' }),
    active_users: t.bigint({ nullable: true, description: 'Estimated daily active users, when modelled.' }),
    rank_overall: t.int({ nullable: true, description: 'Top-chart rank, when ranked.' }),
    rating_average: t.double({ nullable: true, description: 'Average store rating (1–5).' }),
    is_estimate: t.boolean({ description: 'False when the figures come from a connected account.' }),
    updated_at: t.timestamp({ description: 'When the vendor last revised the row (UTC).' }),
  },
  primaryKey: ['metric_date', 'app_id', 'country_code', 'device'],
  eventTimeColumn: 'metric_date',
});

const dimension = <const C extends Parameters<typeof defineDataset>[0]['columns']>(
  name: string,
  description: string,
  columns: C,
  primaryKey: ReadonlyArray<keyof C & string>,
) => defineDataset({ name: `app_market_${name}`, version: 1, description, columns, primaryKey });

export const appMarketMetadata = {
  apps: dimension(
    'apps',
    'Apps and their current attributes.',
    {
      app_id: t.bigint(),
      app_name: t.string({ maxLength: 512 }),
      publisher_id: t.bigint(),
      release_date: t.date({ nullable: true }),
      price_usd: t.decimal(10, 2),
    },
    ['app_id'],
  ),
  publishers: dimension(
    'publishers',
    'App publishers.',
    { publisher_id: t.bigint(), publisher_name: t.string({ maxLength: 512 }), hq_country_code: t.string({ nullable: true }) },
    ['publisher_id'],
  ),
  countries: dimension(
    'countries',
    'Countries covered by the estimates.',
    {
      country_code: t.string({ maxLength: 2 }),
      country_name: t.string(),
      region_code: t.string(),
      currency_code: t.string({ maxLength: 3, description: 'Currency local revenue is reported in.' }),
    },
    ['country_code'],
  ),
  regions: dimension('regions', 'Market regions.', { region_code: t.string(), region_name: t.string() }, ['region_code']),
  devices: dimension(
    'devices',
    'Device families.',
    { device: t.string(), device_name: t.string(), platform: t.string() },
    ['device'],
  ),
  categories: dimension(
    'categories',
    'Store categories.',
    { category_id: t.int(), category_name: t.string(), parent_category_id: t.int({ nullable: true }) },
    ['category_id'],
  ),
  appCategories: dimension(
    'app_categories',
    'Every category an app is listed in.',
    { app_id: t.bigint(), category_id: t.int(), is_primary: t.boolean() },
    ['app_id', 'category_id'],
  ),
  currencies: dimension(
    'currencies',
    'Currencies of local prices.',
    { currency_code: t.string({ maxLength: 3 }), currency_name: t.string(), minor_units: t.int() },
    ['currency_code'],
  ),
  exchangeRates: dimension(
    'exchange_rates',
    'Daily USD exchange rates used for revenue conversion.',
    { currency_code: t.string({ maxLength: 3 }), rate_date: t.date(), usd_rate: t.decimal(18, 8) },
    ['currency_code', 'rate_date'],
  ),
  stores: dimension(
    'stores',
    'App stores.',
    { store_id: t.string(), store_name: t.string(), platform: t.string() },
    ['store_id'],
  ),
  metrics: dimension(
    'metrics',
    'Definitions of the estimated metrics.',
    { metric_name: t.string(), unit: t.string(), definition: t.string() },
    ['metric_name'],
  ),
  dataDictionary: dimension(
    'data_dictionary',
    'Column documentation of the data file as the vendor publishes it.',
    { column_name: t.string(), data_type: t.string(), definition: t.string() },
    ['column_name'],
  ),
};

export const appMarket = defineVendorDataset({
  name: 'app_market',
  description: 'App-market intelligence: one daily data file plus twelve metadata files.',
  dataFile: { file: 'app_market_daily.csv.gz', dataset: appMarketDaily },
  metadataFiles: Object.values(appMarketMetadata).map((dataset) => ({
    file: `${dataset.name.replace(/^app_market_/, '')}.csv.gz`,
    dataset,
  })),
});
