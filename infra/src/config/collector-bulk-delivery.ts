import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BULK_DELIVERIES, DEFAULT_BULK_DELIVERY, vendorDatasets, type BulkDelivery, type Dataset } from '@ingest-lake/shared';
import { InfraError } from '../infra-error';

/** A manifest whose data file delivery infra cannot follow; names the manifest and the value. */
export class CollectorBulkDeliveryError extends InfraError {
  readonly code = 'COLLECTOR_BULK_DELIVERY_INVALID';
  constructor(
    readonly source: string,
    problem: string,
  ) {
    super(`collector manifest ${source}: ${problem}`);
    this.name = 'CollectorBulkDeliveryError';
  }
}

/**
 * The curated datasets whose data file the instances' collector writes itself (`bulk.dataFileDelivery:
 * direct`, decision 0018), read from the manifests the release ships (`*.local.json` are for the
 * local runtime), so that the role may write those curated prefixes and no others.
 */
export function directDeliveryDatasets(manifestsDir: string): Dataset[] {
  const datasets: Dataset[] = [];
  for (const file of readdirSync(manifestsDir).filter((f) => f.endsWith('.json') && !f.endsWith('.local.json')).sort()) {
    const source = path.join(manifestsDir, file);
    const manifest = JSON.parse(readFileSync(source, 'utf8')) as { dataset?: unknown; bulk?: { dataFileDelivery?: unknown } };
    const delivery = manifest.bulk?.dataFileDelivery ?? DEFAULT_BULK_DELIVERY;
    if (!BULK_DELIVERIES.includes(delivery as BulkDelivery)) throw new CollectorBulkDeliveryError(source, `bulk.dataFileDelivery "${String(delivery)}" is not one of ${BULK_DELIVERIES.join(', ')}`);
    if (delivery !== 'direct') continue;
    const vendorDataset = vendorDatasets.find((v) => v.name === manifest.dataset);
    if (!vendorDataset) throw new CollectorBulkDeliveryError(source, `unknown vendor dataset "${String(manifest.dataset)}"`);
    datasets.push(vendorDataset.dataFile.dataset);
  }
  return datasets;
}
