import path from 'node:path';
import { buildApp, environmentsToSynth } from './app';

/** The CDKTF app entry (cdktf.json): synthesizes every stack of dev and prod (or INGEST_ENV) into cdktf.out/. */
const outdir = path.resolve(__dirname, '../../cdktf.out');
buildApp(outdir, environmentsToSynth(process.env)).synth();
