import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The e2e suites drive two real clients from Debian's packages: headless Chromium (dashboard
 * rendering) and the AWS CLI v2 (against the local endpoints), and the live dashboard's screenshot
 * needs a font with Hangul (the data has Korean app names; without one Chromium draws boxes). On a
 * fresh machine of the project's kind (root, Debian) they are installed here; elsewhere the message
 * says what to install.
 */
export const TOOLS = { chromium: '/usr/bin/chromium', aws: '/usr/bin/aws' } as const;

/** Whether fontconfig knows a font covering Korean (`fc-list :lang=ko`; fontconfig comes with Chromium). */
function hasKoreanFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=ko', 'family'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

/** What the suites need: the Debian package that provides each, and how to tell it is there. */
const REQUIREMENTS = [
  { what: TOOLS.chromium, debianPackage: 'chromium', present: () => existsSync(TOOLS.chromium) },
  { what: TOOLS.aws, debianPackage: 'awscli', present: () => existsSync(TOOLS.aws) },
  // Noto CJK: Google's and Adobe's CJK fonts (Korean, Japanese, Chinese), Debian's own package.
  { what: 'a font with Hangul', debianPackage: 'fonts-noto-cjk', present: hasKoreanFont },
];

export function ensureTestTools(): void {
  const missing = REQUIREMENTS.filter((requirement) => !requirement.present());
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((requirement) => requirement.debianPackage))];
  if (process.getuid?.() !== 0) {
    throw new Error(`e2e tests need ${missing.map((requirement) => requirement.what).join(' and ')}: run \`sudo apt-get install -y ${packages.join(' ')}\``);
  }
  execFileSync('apt-get', ['update'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
