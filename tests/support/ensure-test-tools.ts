import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The e2e suites drive two real clients from Debian's packages: headless Chromium (dashboard
 * rendering) and the AWS CLI v2 (against the local endpoints). On a fresh machine of the project's
 * kind (root, Debian) they are installed here; elsewhere the message says what to install.
 */
export const TOOLS = { chromium: '/usr/bin/chromium', aws: '/usr/bin/aws' } as const;

export function ensureTestTools(): void {
  const missing = Object.entries(TOOLS).filter(([, binary]) => !existsSync(binary));
  if (missing.length === 0) return;
  const packages = missing.map(([name]) => (name === 'aws' ? 'awscli' : name));
  if (process.getuid?.() !== 0) {
    throw new Error(`e2e tests need ${missing.map(([, b]) => b).join(' and ')}: run \`sudo apt-get install -y ${packages.join(' ')}\``);
  }
  execFileSync('apt-get', ['update'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
