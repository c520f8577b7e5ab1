import type { Dataset } from '../schema/dataset';
import { DatasetDeclarationError } from '../schema/dataset';

/** One bulk file of a vendor dataset and the dataset its rows belong to. */
export interface VendorFile {
  /** File name as the vendor serves it and as archived under raw/ (e.g. `apps.csv.gz`). */
  file: string;
  dataset: Dataset;
}

/** A vendor dataset: one data file streamed through Kinesis plus up to 12 metadata/dimension files. */
export interface VendorDataset {
  name: string;
  description: string;
  dataFile: VendorFile;
  metadataFiles: ReadonlyArray<VendorFile>;
}

/** The vendor's contract: at most 13 bulk files per dataset (1 data + 12 metadata). */
export const MAX_METADATA_FILES = 12;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.csv\.gz$/;

/** Declares a vendor dataset, checking the file list against the vendor's contract. */
export function defineVendorDataset(declaration: VendorDataset): VendorDataset {
  const fail = (field: string, problem: string): never => {
    throw new DatasetDeclarationError(declaration.name, field, problem);
  };
  if (declaration.metadataFiles.length > MAX_METADATA_FILES) {
    fail('metadataFiles', `at most ${MAX_METADATA_FILES} metadata files (got ${declaration.metadataFiles.length})`);
  }
  const files = [declaration.dataFile, ...declaration.metadataFiles];
  const seen = new Set<string>();
  for (const { file, dataset } of files) {
    if (!FILE_NAME.test(file)) fail(`files.${file}`, 'must be a plain file name ending in .csv.gz');
    if (seen.has(file)) fail(`files.${file}`, 'listed twice');
    seen.add(file);
    if (dataset.primaryKey.length === 0) fail(`files.${file}`, `dataset "${dataset.name}" needs a primary key for dedup`);
  }
  return Object.freeze({ ...declaration, metadataFiles: Object.freeze([...declaration.metadataFiles]) });
}
