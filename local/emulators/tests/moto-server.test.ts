import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { MotoServer } from '../src/moto-server';

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

  test('a missing command is reported as unavailable, not as a crash', () => {
    expect(MotoServer.isAvailable('no-such-moto-server')).toBe(false);
  });
});
