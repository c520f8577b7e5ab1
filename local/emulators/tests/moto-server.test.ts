import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateBucketCommand, HeadObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { MotoServer } from '../src/moto-server';

/** The TLS-only statement every bucket of the project carries, plus (optionally) a Deny that always applies. */
function tlsOnlyPolicy(bucket: string, alsoDenyPrefix?: string): string {
  const statements: object[] = [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ];
  if (alsoDenyPrefix) statements.push({ Sid: 'DenyPrefix', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/${alsoDenyPrefix}*` });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

async function putUnderTlsOnlyPolicy(moto: MotoServer, bucket: string): Promise<{ allowed: boolean; deniedPrefix: boolean }> {
  const s3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: tlsOnlyPolicy(bucket, 'locked/') }));
    const outcome = (key: string) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })).then(
        () => true,
        (error: { $metadata?: { httpStatusCode?: number } }) => (error.$metadata?.httpStatusCode === 403 ? false : Promise.reject(error)),
      );
    return { allowed: await outcome('open/object'), deniedPrefix: !(await outcome('locked/object')) };
  } finally {
    s3.destroy();
  }
}

describe('MotoServer', () => {
  test('serves SSM to the SDK on a free loopback port, and stop() ends the process', async () => {
    expect(MotoServer.isAvailable()).toBe(true);
    const moto = new MotoServer();
    const endpoint = await moto.start();
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ssm = new SSMClient(moto.clientConfig());
    try {
      await ssm.send(new PutParameterCommand({ Name: '/t/p', Value: 'v', Type: 'SecureString' }));
      const read = await ssm.send(new GetParameterCommand({ Name: '/t/p', WithDecryption: true }));
      expect(read.Parameter?.Value).toBe('v');
    } finally {
      ssm.destroy();
      await moto.stop();
    }
    await expect(fetch(`${endpoint}/moto-api/`)).rejects.toThrow();
  }, 60_000);

  test('two servers started at once each bind their own port and keep their own state', async () => {
    const servers = [new MotoServer(), new MotoServer()];
    const endpoints = await Promise.all(servers.map((server) => server.start()));
    try {
      expect(new Set(endpoints).size).toBe(2);
      const clients = servers.map((server) => new SSMClient(server.clientConfig()));
      await clients[0]!.send(new PutParameterCommand({ Name: '/only/first', Value: 'v', Type: 'String' }));
      await expect(clients[1]!.send(new GetParameterCommand({ Name: '/only/first' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
      for (const client of clients) client.destroy();
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  }, 120_000);

  test('awsFidelity: a conditional Deny that does not match does not apply (as in AWS); an unconditional Deny still denies', async () => {
    const corrected = new MotoServer({ awsFidelity: true });
    await corrected.start();
    try {
      expect(await putUnderTlsOnlyPolicy(corrected, 'tls-only-corrected')).toEqual({ allowed: true, deniedPrefix: true });
    } finally {
      await corrected.stop();
    }
    // Plain moto 5.2 treats the unmatched condition as a denial: the reason the option exists.
    const plain = new MotoServer();
    await plain.start();
    try {
      expect(await putUnderTlsOnlyPolicy(plain, 'tls-only-plain')).toEqual({ allowed: false, deniedPrefix: true });
    } finally {
      await plain.stop();
    }
  }, 90_000);

  test('awsFidelity: of writers racing on one ETag (If-Match) or on a new key (If-None-Match), exactly one wins each round', async () => {
    const moto = new MotoServer({ awsFidelity: true });
    await moto.start();
    // Sockets enough for every writer at once, so the writes really overlap on the server.
    const s3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true, requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 16 }) }) });
    const status = (write: Promise<unknown>) => write.then(() => 200, (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'race' }));
      const created = await Promise.all(Array.from({ length: 16 }, (_, i) => status(s3.send(new PutObjectCommand({ Bucket: 'race', Key: 'state.json', Body: `first ${i}`, IfNoneMatch: '*' })))));
      expect(created.filter((code) => code === 200)).toHaveLength(1);
      expect(created.filter((code) => code !== 200).every((code) => code === 412)).toBe(true);
      for (let round = 0; round < 10; round++) {
        const { ETag } = await s3.send(new HeadObjectCommand({ Bucket: 'race', Key: 'state.json' }));
        const codes = await Promise.all(Array.from({ length: 16 }, (_, i) => status(s3.send(new PutObjectCommand({ Bucket: 'race', Key: 'state.json', Body: `round ${round} writer ${i}`, IfMatch: ETag })))));
        expect({ round, winners: codes.filter((code) => code === 200).length }).toEqual({ round, winners: 1 });
      }
    } finally {
      s3.destroy();
      await moto.stop();
    }
  }, 90_000);

  test('a missing command is reported as unavailable, not as a crash', () => {
    expect(MotoServer.isAvailable('no-such-moto-server')).toBe(false);
  });
});
