import { FirehoseTransformError } from '../../src/firehose-transform-error';
import { settingsFromEnvironment, TransformEnvironmentError } from '../../src/settings';

describe('settingsFromEnvironment: a wrong environment fails the cold start, naming the variable', () => {
  test.each([
    [{ DEFAULT_DATASET: 'nope' }, 'environment variable DEFAULT_DATASET: unknown dataset "nope"'],
    [{ DATASETS: 'events,nope' }, 'environment variable DATASETS: unknown dataset "nope"'],
    [{ EVENT_MAX_AGE_HOURS: '0' }, 'environment variable EVENT_MAX_AGE_HOURS: expected a positive number, got "0"'],
    [{ EVENT_MAX_LEAD_SECONDS: 'soon' }, 'environment variable EVENT_MAX_LEAD_SECONDS: expected a positive number, got "soon"'],
  ])('%j', (env, message) => {
    let thrown: unknown;
    try {
      settingsFromEnvironment(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TransformEnvironmentError);
    expect(thrown).toBeInstanceOf(FirehoseTransformError);
    expect(thrown).toMatchObject({ code: 'TRANSFORM_ENVIRONMENT_INVALID', name: 'TransformEnvironmentError', message });
  });
});
