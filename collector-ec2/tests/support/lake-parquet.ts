import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BUCKET } from './collector-fixture';

/** The rows of a Parquet object in the lake, read with DuckDB (the local catalog's engine). */
export async function readParquetFromLake(s3: S3Client, key: string, bucket = BUCKET): Promise<Array<Record<string, unknown>>> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'lake-parquet-'));
  const file = path.join(directory, path.basename(key));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await writeFile(file, await object.Body!.transformToByteArray());
    return (await connection.runAndReadAll(`SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson() as Array<Record<string, unknown>>;
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(directory, { recursive: true, force: true });
  }
}
