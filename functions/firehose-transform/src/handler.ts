import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FirehoseTransformationEvent, FirehoseTransformationResponse } from './firehose-contract';
import { settingsFromEnvironment } from './settings';
import { transformBatch, type BatchResult } from './transform-batch';

/**
 * Lambda entry point: parse settings once, transform the batch with the pure core, then
 * log failures and publish EMF metrics. Nothing here decides a record's outcome.
 */

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'firehose-transform' });
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'IngestLake',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'firehose-transform',
});
const settings = settingsFromEnvironment(process.env);

/** At most this many failed records are logged one by one per invocation; the rest are summarised. */
const MAX_FAILURE_LOGS_PER_INVOCATION = 50;

const METRIC_BY_RESULT = { Ok: 'RecordsOk', Dropped: 'RecordsDropped', ProcessingFailed: 'RecordsFailed' } as const;

function publishMetrics(result: BatchResult): void {
  for (const count of result.counts) {
    const metric = metrics.singleMetric();
    metric.addDimension('dataset', count.dataset);
    if (count.reason !== undefined) metric.addDimension('reason', count.reason);
    metric.addMetric(METRIC_BY_RESULT[count.result], MetricUnit.Count, count.records);
  }
}

function logFailures(result: BatchResult): void {
  for (const failure of result.failures.slice(0, MAX_FAILURE_LOGS_PER_INVOCATION)) {
    const { outcome } = failure;
    logger.warn('record failed', {
      recordId: failure.recordId,
      sequenceNumber: failure.sequenceNumber,
      dataset: outcome.dataset,
      reason: outcome.reason,
      field: outcome.field,
      entry: outcome.entry,
      detail: outcome.detail,
      records: outcome.recordCount,
    });
  }
  const unlogged = result.failures.length - MAX_FAILURE_LOGS_PER_INVOCATION;
  if (unlogged > 0) logger.warn('more failed records not logged individually', { unlogged });
}

export const handler = async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResponse> => {
  logger.appendKeys({ invocationId: event.invocationId, deliveryStreamArn: event.deliveryStreamArn });
  const result = transformBatch(event, settings, Date.now());
  logFailures(result);
  publishMetrics(result);
  logger.info('batch transformed', { records: event.records.length, counts: result.counts });
  return result.response;
};
