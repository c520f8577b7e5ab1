import type { Configuration } from './cost-inputs';
import type { DeploymentFacts } from './deployment-facts';

/**
 * The facts of a configuration that is not built: the synthesized stacks with the events path and the
 * bulk data file's delivery changed as `configuration` says. The estimate names the configuration in its assumptions.
 * @throws Error when the stacks have no events stream or no events delivery stream to change
 */
export function applyConfiguration(facts: DeploymentFacts, configuration: Configuration): DeploymentFacts {
  const { source, streamRetentionHours, formatConversion, dynamicPartitioning, compaction } = configuration.events;
  const changesEvents = source === 'direct-put' || streamRetentionHours !== undefined || formatConversion !== undefined || dynamicPartitioning !== undefined || compaction !== undefined;
  const isEvents = (name: string) => name.endsWith('-events');
  const stream = facts.streams.find((s) => isEvents(s.name));
  const delivery = facts.deliveryStreams.find((d) => isEvents(d.name));
  if (changesEvents && (!stream || !delivery)) throw new Error(`configuration ${configuration.name}: the ${facts.environment} stacks have no events stream and delivery stream to change`);
  const streams = source === 'direct-put' ? facts.streams.filter((s) => s !== stream) : facts.streams.map((s) => (s === stream && streamRetentionHours !== undefined ? { ...s, retentionHours: streamRetentionHours } : s));
  const changedDelivery = {
    ...delivery!,
    ...(formatConversion === undefined ? {} : { formatConversion }),
    ...(dynamicPartitioning === undefined ? {} : { dynamicPartitioning }),
    ...(compaction ? { compaction } : {}),
  };
  const dataFileDelivery = configuration.bulk?.dataFileDelivery;
  return {
    ...facts,
    streams,
    deliveryStreams: facts.deliveryStreams.map((d) => (d === delivery ? changedDelivery : d)),
    bulkDataFiles: facts.bulkDataFiles.map((f) => (dataFileDelivery ? { ...f, delivery: dataFileDelivery, configured: true } : f)),
    configuration: { name: configuration.name, description: configuration.description },
  };
}
