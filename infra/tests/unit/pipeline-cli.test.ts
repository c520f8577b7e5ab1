import { dependencyWaves, stackReads } from '../../src/terraform/pipeline-cli';
import type { SynthesizedStack } from '../../src/terraform/stack-manifest';

describe('which upstream outputs a stack reads (what apply.sh compares after applying the upstream)', () => {
  test('each cross-stack input by upstream stack, each output once, sorted', () => {
    const json = JSON.stringify({
      resource: {
        aws_lambda_function: { f: { role: '${data.terraform_remote_state.cross-stack-reference-input-ingest-lake-dev-lake.outputs.cross-stack-output-aws_kms_keykey_F64E54E4arn}' } },
        aws_kinesis_firehose_delivery_stream: {
          d: {
            kms: '${data.terraform_remote_state.cross-stack-reference-input-ingest-lake-dev-lake.outputs.cross-stack-output-aws_kms_keykey_F64E54E4arn}',
            stream: '${data.terraform_remote_state.cross-stack-reference-input-ingest-lake-dev-streaming.outputs.cross-stack-output-aws_kinesis_streamstream-eventsarn}',
            bucket: '${data.terraform_remote_state.cross-stack-reference-input-ingest-lake-dev-lake.outputs.cross-stack-output-aws_s3_bucketlake_bucket_7B773D1Aarn}',
          },
        },
      },
    });
    expect(stackReads(json)).toEqual({
      'ingest-lake-dev-lake': ['cross-stack-output-aws_kms_keykey_F64E54E4arn', 'cross-stack-output-aws_s3_bucketlake_bucket_7B773D1Aarn'],
      'ingest-lake-dev-streaming': ['cross-stack-output-aws_kinesis_streamstream-eventsarn'],
    });
  });

  test('a stack that reads nothing', () => {
    expect(stackReads('{"resource":{}}')).toEqual({});
  });
});

describe('dependency waves (bootstrap.sh plans and applies one wave at a time)', () => {
  const stack = (name: string, dependencies: string[] = []): SynthesizedStack => ({ name, dir: `/x/${name}`, dependencies });

  test('each wave reads only earlier waves; dependencies outside the set are ignored', () => {
    expect(
      dependencyWaves([
        stack('monitoring', ['lake', 'delivery', 'outside']),
        stack('delivery', ['lake', 'streaming', 'pipeline']),
        stack('streaming', ['lake']),
        stack('pipeline', ['lake']),
        stack('lake'),
      ]),
    ).toEqual([['lake'], ['pipeline', 'streaming'], ['delivery'], ['monitoring']]);
  });

  test('a cycle is refused', () => {
    expect(() => dependencyWaves([stack('a', ['b']), stack('b', ['a'])])).toThrow('stack dependency cycle');
  });
});
