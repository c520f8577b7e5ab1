// The shared CLI runner (@ingest-lake/vendor-simulator/testing), with its reports typed as this
// package's RunReport (the runner cannot import the collector: the collector's suites use it).
import { reportOf as reportOfRun, type CliRun } from '@ingest-lake/vendor-simulator/testing';
import type { RunReport } from '../../src/pipeline/run-report';

export { CLI_BUNDLE, LOCAL_MANIFEST, leaseActions, requireCliBundle, runCli, startCli, type CliOptions, type CliRun, type CliTarget } from '@ingest-lake/vendor-simulator/testing';

/** The run report a finished `collect` printed. */
export const reportOf = (run: CliRun): RunReport => reportOfRun<RunReport>(run);
