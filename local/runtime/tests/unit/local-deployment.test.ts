import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DeliverySettingsError, deliveryStreamSettings, parseDeliveryInputs } from '@ingest-lake/shared';
import { DEFAULT_LOCAL_OVERRIDES, LocalOverrideError, loadLocalDeployment } from '../../src/local-deployment';
import { LocalRuntimeError } from '../../src/local-runtime-error';
import { REPO_PATHS } from '../../src/repo-paths';

const DEV_CONFIG = path.join(REPO_PATHS.infraConfigDir, 'dev.json');

describe('the local deployment is the environment config the stacks are synthesized from', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'local-deployment-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  /** dev.json with some fields changed, written to a temporary file. */
  async function devConfigWith(change: (config: Record<string, Record<string, unknown>>) => void): Promise<string> {
    const config = JSON.parse(await readFile(DEV_CONFIG, 'utf8')) as Record<string, Record<string, unknown>>;
    change(config);
    const file = path.join(directory, `config-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(config));
    return file;
  }

  test('by default: infra/config/dev.json, the deployed names, and the settings infra renders, unchanged', async () => {
    const deployment = loadLocalDeployment();
    expect(deployment).toMatchObject({
      source: DEV_CONFIG,
      project: 'ingest-lake',
      environment: 'dev',
      bucketName: 'ingest-lake-dev-lake',
      ingestStreamName: 'ingest-lake-dev-events',
      collectorStreamName: 'ingest-lake-dev-app-market-daily',
      overrides: DEFAULT_LOCAL_OVERRIDES,
    });
    const deployed = deliveryStreamSettings(parseDeliveryInputs(JSON.parse(await readFile(DEV_CONFIG, 'utf8')), DEV_CONFIG));
    expect(deployment.streams.map((s) => s.settings)).toEqual(deployed);
    expect(deployment.streams.map((s) => s.settings.sourceStreamName)).toEqual(['ingest-lake-dev-events', 'ingest-lake-dev-app-market-daily']);
  });

  test.each([
    [60, {}, 1_000],
    [300, {}, 5_000],
    [60, { timeScale: 1 }, 60_000],
    [120, { timeScale: 30 }, 4_000],
  ])('a %i s buffer with overrides %j runs at %i ms locally', async (bufferIntervalSeconds, overrides, expectedMs) => {
    const configFile = await devConfigWith((config) => (config.delivery!.bufferIntervalSeconds = bufferIntervalSeconds));
    const deployment = loadLocalDeployment({ configFile, overrides });
    expect(deployment.streams.map((s) => [s.settings.destination.bufferIntervalSeconds, s.bufferIntervalMs])).toEqual([
      [bufferIntervalSeconds, expectedMs],
      [bufferIntervalSeconds, expectedMs],
    ]);
  });

  test('names follow project and environment of the config; --env prod reads prod.json', async () => {
    const configFile = await devConfigWith((config) => Object.assign(config, { project: 'probe-lake', environment: 'qa' }));
    expect(loadLocalDeployment({ configFile })).toMatchObject({ bucketName: 'probe-lake-qa-lake', ingestStreamName: 'probe-lake-qa-events' });
    expect(loadLocalDeployment({ environment: 'prod' }).streams[1]!.settings.deliveryStreamName).toBe('ingest-lake-prod-app-market-daily');
  });

  test('a bad config names the file and the field; a bad override names the override', async () => {
    const configFile = await devConfigWith((config) => (config.delivery!.bufferSizeMb = 1));
    expect(() => loadLocalDeployment({ configFile })).toThrow(DeliverySettingsError);
    expect(() => loadLocalDeployment({ configFile })).toThrow(`config ${configFile}: delivery.bufferSizeMb`);
    expect(() => loadLocalDeployment({ environment: 'nowhere' })).toThrow(path.join(REPO_PATHS.infraConfigDir, 'nowhere.json'));
    expect(() => loadLocalDeployment({ overrides: { timeScale: 0 } })).toThrow(LocalOverrideError);
    expect(() => loadLocalDeployment({ overrides: { shardsPerStream: 1.5 } })).toThrow('local override shardsPerStream');
  });

  test('the errors carry a stable code, and a config file that cannot be read is the cause of its error', () => {
    const thrown = (load: () => unknown) => {
      try {
        load();
      } catch (error) {
        return error;
      }
      throw new Error('expected an error');
    };
    const unreadable = thrown(() => loadLocalDeployment({ environment: 'nowhere' }));
    expect(unreadable).toBeInstanceOf(DeliverySettingsError);
    expect(unreadable).toMatchObject({ code: 'DELIVERY_SETTINGS_INVALID', cause: expect.objectContaining({ code: 'ENOENT' }) });
    const override = thrown(() => loadLocalDeployment({ overrides: { timeScale: 0 } }));
    expect(override).toBeInstanceOf(LocalRuntimeError);
    expect(override).toMatchObject({ code: 'LOCAL_OVERRIDE_OUT_OF_RANGE', name: 'LocalOverrideError' });
    expect('cause' in (override as Error)).toBe(false);
  });
});
