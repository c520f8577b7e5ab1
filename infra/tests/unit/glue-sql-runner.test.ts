import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GLUE_SQL_RUNNER_SCRIPT_PATH } from '../../src/stacks/catalog-stack';
import { cleanUpApps, environment, resources, synth } from './support';

/**
 * The Glue job's script, run with python3 against fakes of awsglue and boto3
 * (glue_runner_harness.py): listing, ordering, waiting, failing and the empty prefix.
 */

afterAll(cleanUpApps);

const HARNESS = path.join(__dirname, 'glue_runner_harness.py');
const JOB_ARGUMENTS = ['--sql_prefix', 'state/sql/', '--bucket', 'lake', '--workgroup', 'wg', '--database', 'db'];

interface Scenario {
  /** Listing pages, each the keys S3 returns for it. */
  pages: string[][];
  objects: Record<string, string>;
  /** Per SQL text, the states successive polls report (the last repeats). */
  queries: Record<string, string[]>;
}

interface Call {
  call: string;
  [field: string]: unknown;
}

interface Run {
  status: number | null;
  calls: Call[];
  output: string;
  error: { type: string; message: string } | null;
}

const directory = mkdtempSync(path.join(os.tmpdir(), 'glue-runner-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function run(scenario: Scenario, jobArguments: string[] = JOB_ARGUMENTS): Run {
  const scenarioFile = path.join(directory, `scenario-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(scenarioFile, JSON.stringify(scenario));
  const result = spawnSync('python3', [HARNESS, GLUE_SQL_RUNNER_SCRIPT_PATH, scenarioFile, ...jobArguments], {
    encoding: 'utf8',
  });
  if (!result.stdout) throw new Error(`harness printed nothing: ${result.stderr || String(result.error)}`);
  return { status: result.status, ...(JSON.parse(result.stdout) as Omit<Run, 'status'>) };
}

const started = (r: Run) => r.calls.filter((c) => c.call === 'athena.start_query_execution').map((c) => c.sql);
const sqlOf = (key: string) => `-- ${key}\nSELECT 1;`;
const objects = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, sqlOf(k)]));

describe('run_versioned_sql.py', () => {
  test('lists every page, runs the .sql files in key order, one at a time, waiting for each to succeed', () => {
    const keys = ['state/sql/2-queries/b.sql', 'state/sql/1-views/a.sql', 'state/sql/1-views/0-first.sql'];
    const result = run({
      // Unsorted across two pages, with a file that is not SQL.
      pages: [
        [keys[0]!, 'state/sql/README.txt'],
        [keys[1]!, keys[2]!],
      ],
      objects: objects(keys),
      queries: {
        [sqlOf(keys[0]!)]: ['SUCCEEDED'],
        [sqlOf(keys[1]!)]: ['SUCCEEDED'],
        [sqlOf(keys[2]!)]: ['QUEUED', 'RUNNING', 'SUCCEEDED'],
      },
    });
    expect(result.error).toBeNull();
    expect(result.status).toBe(0);
    expect(result.calls.filter((c) => c.call === 's3.list_objects_v2').map((c) => c.continuation)).toEqual([
      null,
      'page-1',
    ]);
    expect(started(result)).toEqual(
      ['state/sql/1-views/0-first.sql', 'state/sql/1-views/a.sql', 'state/sql/2-queries/b.sql'].map(sqlOf),
    );
    expect(result.calls.some((c) => c.call === 's3.get_object' && c.key === 'state/sql/README.txt')).toBe(false);
    // The first file's query is polled until it succeeds, sleeping in between, before the next one starts.
    const sequence = result.calls.map((c) =>
      c.call === 'athena.get_query_execution' ? `poll ${String(c.state)}` : c.call,
    );
    const firstStart = sequence.indexOf('athena.start_query_execution');
    expect(sequence.slice(firstStart, firstStart + 7)).toEqual([
      'athena.start_query_execution',
      'poll QUEUED',
      'sleep',
      'poll RUNNING',
      'sleep',
      'poll SUCCEEDED',
      's3.get_object',
    ]);
    expect(
      result.calls
        .filter((c) => c.call === 'athena.start_query_execution')
        .every((c) => c.workgroup === 'wg' && c.database === 'db'),
    ).toBe(true);
    expect(result.output).toContain('state/sql/2-queries/b.sql: SUCCEEDED');
  });

  test.each(['FAILED', 'CANCELLED'])(
    'a query that ends %s fails the run with an error naming its file; later files are not run',
    (state) => {
      const keys = ['state/sql/1-views/a.sql', 'state/sql/1-views/b.sql', 'state/sql/2-queries/c.sql'];
      const result = run({
        pages: [keys],
        objects: objects(keys),
        queries: {
          [sqlOf(keys[0]!)]: ['SUCCEEDED'],
          [sqlOf(keys[1]!)]: ['RUNNING', state],
          [sqlOf(keys[2]!)]: ['SUCCEEDED'],
        },
      });
      expect(result.status).toBe(1);
      expect(result.error?.type).toBe('SqlFileFailed');
      expect(result.error?.message).toBe(`state/sql/1-views/b.sql: ${state}: fake ${state.toLowerCase()} reason`);
      expect(started(result)).toEqual([sqlOf(keys[0]!), sqlOf(keys[1]!)]);
    },
  );

  test('an empty prefix (no Contents in the listing) runs nothing and says so', () => {
    const result = run({ pages: [[]], objects: {}, queries: {} });
    expect(result.error).toBeNull();
    expect(result.status).toBe(0);
    expect(result.calls.map((c) => c.call)).toEqual(['s3.list_objects_v2']);
    expect(result.output).toContain('no SQL files under s3://lake/state/sql/: nothing to run');
  });

  test("the job's default arguments are exactly the ones the script resolves", () => {
    const job = resources(synth(environment('dev').catalog), 'aws_glue_job')[0]!;
    const jobArguments = Object.entries(job.default_arguments as Record<string, string>).flat();
    const result = run({ pages: [[]], objects: {}, queries: {} }, jobArguments);
    expect(result.error).toBeNull();
    expect(Object.keys(job.default_arguments as object).sort()).toEqual([
      '--bucket',
      '--database',
      '--sql_prefix',
      '--workgroup',
    ]);
  });
});
