import { ensureTestTools } from './ensure-test-tools';

/** Jest global setup of the e2e suites: make sure the real clients they drive are installed. */
export default async function globalSetup(): Promise<void> {
  ensureTestTools();
}
