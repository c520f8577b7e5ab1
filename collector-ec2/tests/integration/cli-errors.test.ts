import { spawnSync } from 'node:child_process';
import { CLI_BUNDLE, LOCAL_MANIFEST, requireCliBundle } from '../support/collector-cli';
import { EXIT } from '../../src/cli/exit-codes';

/** The bundled CLI's answer to bad input: the documented exit code, and one JSON line naming the error's stable code. */
describe('ingest-collector refuses bad flags before any call', () => {
  beforeAll(() => requireCliBundle());

  const collect = (...flags: string[]) =>
    spawnSync(process.execPath, [CLI_BUNDLE, 'collect', '--manifest', LOCAL_MANIFEST, '--lake-bucket', 'lake', '--dry-run', ...flags], {
      encoding: 'utf8',
      env: { ...process.env, COLLECTOR_WORK_DIR: '/nonexistent/never-created' },
    });

  test.each([
    ['a snapshot that is not a date', ['--snapshot', '2026-13'], '--snapshot: must be YYYY-MM-DD, got "2026-13"'],
    ['a lease TTL that is not a number', ['--snapshot', '2026-11-30', '--lease-ttl', 'soon'], '--lease-ttl'],
  ])('%s: exit 2 (configuration) with code RUNTIME_SETTINGS_INVALID', (_, flags, message) => {
    const run = collect(...flags);
    expect(run.status).toBe(EXIT.configuration);
    const line = JSON.parse(run.stderr.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', error: 'RuntimeSettingsError', code: 'RUNTIME_SETTINGS_INVALID', exitCode: EXIT.configuration });
    expect(line.message).toContain(message);
  });
});
