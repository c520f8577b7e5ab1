/**
 * The collector's acceptance run, at full size: a 2 M-row app_market snapshot with its 12 metadata
 * files goes from the vendor simulator through the collector CLI bundle into kinesalite and s3rver,
 * with a connection cut mid-file and a SIGKILL mid-run, then a resume. Prints timings and the
 * reconciliation. Run: npx tsx tests/bench/collector/collector-2m-run.ts [rows] [killAfterMs]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KinesisEmulator, S3Emulator } from '@ingest-lake/local-emulators';
import { appMarket, decodeRecord, parsePackEntry } from '@ingest-lake/shared';
import { VendorSimulator } from '@ingest-lake/vendor-simulator';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';

const rows = Number(process.argv[2] ?? 2_000_000);
const killAfterMs = Number(process.argv[3] ?? 8_000);
const root = path.resolve(__dirname, '../../..');

async function main(): Promise<void> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'collector-2m-'));
  const kinesis = new KinesisEmulator();
  const s3 = new S3Emulator(path.join(directory, 's3'));
  const simulator = new VendorSimulator({ dataset: appMarket, snapshot: '2026-11-20', dataRows: rows, apiRecords: 5_000, apiKey: 'k', cacheDir: path.resolve(__dirname, '../.cache') });
  const vendorUrl = await simulator.start();
  await Promise.all([kinesis.start(), s3.start()]);
  await kinesis.createStream('bulk-2m', 4);
  await s3.createBucket('lake');
  simulator.injectFault({ kind: 'reset-mid-body', target: appMarket.dataFile.file });

  const run = (kill?: number) =>
    new Promise<{ code: number | null; signal: string | null; ms: number; last: string }>((resolve) => {
      const started = Date.now();
      const child = spawn(process.execPath, [
        path.join(root, 'collector-ec2/dist/collector.cjs'), 'collect',
        '--manifest', path.join(root, 'collector-ec2/manifests/app_market.local.json'),
        '--snapshot', '2026-11-20', '--work-dir', path.join(directory, 'work'), '--lake-bucket', 'lake', '--stream', 'bulk-2m',
        '--vendor-url', vendorUrl, '--ledger', `file:${path.join(directory, 'ledger.json')}`,
        '--kinesis-endpoint', kinesis.endpoint, '--s3-endpoint', s3.endpoint, '--progress', 'json',
      ], { env: { PATH: process.env.PATH, VENDOR_API_KEY: 'k' }, stdio: ['ignore', 'pipe', 'inherit'] });
      let last = '';
      child.stdout.on('data', (chunk: Buffer) => (last = (last + chunk.toString()).split('\n').slice(-3).join('\n')));
      const timer = kill === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), kill);
      child.on('exit', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ code, signal, ms: Date.now() - started, last });
      });
    });

  const first = await run(killAfterMs);
  console.log(`first run: ${first.signal ?? `exit ${first.code}`} after ${first.ms} ms`);
  const second = await run();
  console.log(`resumed run: exit ${second.code} after ${second.ms} ms`);
  const report = JSON.parse(second.last.trim().split('\n').filter((l) => l.startsWith('{"report"')).pop() ?? '{}') as {
    report: { reconciled: boolean; files: Array<{ file: string; rowsRead: number; rowsSent: number; rowsQuarantined: number; resumes: number }> };
    producer: unknown;
  };
  const data = report.report.files.find((f) => f.file === appMarket.dataFile.file)!;
  console.log('data file', data, 'reconciled', report.report.reconciled, 'files', report.report.files.length);

  const client = kinesis.client();
  const keys = new Set<string>();
  let entries = 0;
  let kinesisRecords = 0;
  for (const shard of (await client.send(new ListShardsCommand({ StreamName: 'bulk-2m' }))).Shards ?? []) {
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: 'bulk-2m', ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        kinesisRecords++;
        const decoded = decodeRecord(record.Data!);
        if (decoded.kind !== 'pack' || !decoded.header.origin.startsWith('vendor-bulk')) continue;
        decoded.entryLines.forEach((line, i) => {
          const r = parsePackEntry(line, i, decoded.header.columns).r;
          entries++;
          keys.add(`${r.metric_date}|${r.app_id}|${r.country_code}|${r.device}`);
        });
      }
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  console.log(`stream: ${kinesisRecords} Kinesis records, ${entries} bulk rows (${entries - keys.size} re-sent after the kill), ${keys.size} distinct keys of ${rows}`);
  console.log(`data file served ${simulator.bytesServed.get(appMarket.dataFile.file)} bytes for a ${simulator.fileInfo(appMarket.dataFile.file)!.bytes}-byte file`);
  client.destroy();
  await Promise.all([simulator.stop(), kinesis.stop(), s3.stop()]);
  await rm(directory, { recursive: true, force: true });
  process.exit(report.report.reconciled && keys.size === rows ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
