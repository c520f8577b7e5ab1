import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadEnvironmentConfig } from '../../src/config/environment-config';
import { InfraError } from '../../src/infra-error';
import { PlanFormatError, summarizeStack, type TerraformPlanJson } from '../../src/terraform/plan-summary';
import { runTerraform, TerraformCommandError } from '../../src/terraform/terraform-cli';

/** What `run` throws or rejects with; it must fail. */
async function failureOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe("infra's errors carry a stable code and pass on the error they wrap as `cause`", () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'infra-error-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  test('an environment config that cannot be read: ConfigError, caused by the file system error', async () => {
    const error = await failureOf(() => loadEnvironmentConfig('nowhere'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(InfraError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', cause: expect.objectContaining({ code: 'ENOENT' }) });
  });

  test('a plan document with unknown actions: PlanFormatError, caused by the parse error', async () => {
    const plan: TerraformPlanJson = { resource_changes: [{ address: 'aws_s3_bucket.b', mode: 'managed', type: 'aws_s3_bucket', change: { actions: ['update', 'delete'] } }] };
    const error = (await failureOf(() => summarizeStack({ stack: 'ingest-lake-dev-lake', plan }))) as PlanFormatError;
    expect(error).toMatchObject({ code: 'PLAN_FORMAT', name: 'PlanFormatError' });
    expect(error.message).toBe(`plan of ingest-lake-dev-lake: aws_s3_bucket.b: ${(error.cause as Error).message}`);
  });

  test('a command that fails: TerraformCommandError with its exit code, caused by the process error', async () => {
    const failing = path.join(directory, 'failing-terraform');
    writeFileSync(failing, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const error = (await failureOf(() => runTerraform(directory, ['plan'], process.env, failing))) as TerraformCommandError;
    expect(error).toBeInstanceOf(TerraformCommandError);
    expect(error).toMatchObject({ code: 'TERRAFORM_FAILED', exitCode: 3, cause: expect.objectContaining({ code: 3 }) });
  });

  test('a command that is not installed: TerraformCommandError, caused by the spawn error', async () => {
    const error = (await failureOf(() => runTerraform(directory, ['version'], process.env, path.join(directory, 'no-terraform')))) as TerraformCommandError;
    expect(error).toMatchObject({ code: 'TERRAFORM_FAILED', exitCode: null, cause: expect.objectContaining({ code: 'ENOENT' }) });
  });
});
