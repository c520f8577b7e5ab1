import { Command } from 'commander';
import path from 'node:path';
import { applyConfiguration } from './cost-configuration';
import { configurationSchema, loadJson, priceTableSchema, workloadSchema } from './cost-inputs';
import { capacity, estimateMonthlyCost } from './cost-model';
import { readDeploymentFacts } from './deployment-facts';

/** `npm run cost -- --env dev --workload infra/cost/workloads/events-100rps-1kb.json`: the monthly estimate of what `npm run synth` wrote. */
const root = path.resolve(__dirname, '../../..');
const program = new Command('cost')
  .description('Monthly cost and capacity of the synthesized stacks under a workload.')
  .option('--env <environment>', 'environment whose stacks to read', 'dev')
  .option('--workload <file...>', 'workload description(s)', [path.join(root, 'infra/cost/workloads/events-100rps-1kb.json')])
  .option('--prices <file>', 'price table', path.join(root, 'infra/cost/prices/ap-northeast-2-2026-11.json'))
  .option('--cdktf-out <dir>', 'synthesized stacks', path.join(root, 'cdktf.out'))
  .option('--configuration <file>', 'a configuration that is not built (infra/cost/configurations/*.json), priced on the synthesized stacks')
  .option('--json', 'print JSON')
  .action((flags: { env: string; workload: string[]; prices: string; cdktfOut: string; configuration?: string; json?: boolean }) => {
    // npm runs workspace scripts in the workspace folder; paths given on the command line are relative to where npm was called.
    const fromCaller = (file: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
    const prices = loadJson(fromCaller(flags.prices), priceTableSchema);
    const synthesized = readDeploymentFacts(fromCaller(flags.cdktfOut), flags.env);
    const facts = flags.configuration ? applyConfiguration(synthesized, loadJson(fromCaller(flags.configuration), configurationSchema)) : synthesized;
    for (const file of flags.workload) {
      const workload = loadJson(fromCaller(file), workloadSchema);
      const estimate = estimateMonthlyCost(facts, workload, prices);
      const view = capacity(facts, workload);
      if (flags.json) {
        console.log(JSON.stringify({ estimate, capacity: view }));
        continue;
      }
      console.log(`\n${estimate.workload} — ${estimate.environment} stacks${facts.configuration ? ` with configuration "${facts.configuration.name}" (not built)` : ''}, prices ${estimate.priceVersion} ${estimate.region}`);
      console.table(estimate.lines.map((l) => ({ service: l.service, 'USD/month': l.monthlyUsd, 'USD per M records': Math.round((l.monthlyUsd / (estimate.recordsPerMonth / 1e6)) * 10_000) / 10_000, detail: l.detail })));
      console.log(`total ${estimate.monthlyUsd} USD/month for ${(estimate.recordsPerMonth / 1e6).toFixed(1)} M records = ${estimate.usdPerMillionRecords} USD per million records`);
      console.log('per path: its stream, Firehose, transform, API Gateway and compaction; the S3 of its data apart');
      console.table(estimate.paths.map((p) => ({ path: p.path, 'M records': Math.round(p.records / 1e5) / 10, 'USD/month': p.usd, 'USD per M': p.usdPerMillion, 'S3 USD/month': p.s3Usd, 'S3 USD per M': p.s3UsdPerMillion })));
      console.table([view]);
      for (const assumption of estimate.assumptions) console.log(`  assumption: ${assumption}`);
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`cost: ${(error as Error).message}`);
  process.exitCode = 1;
});
