import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MappingTemplateContext, MappingTemplateRequest } from '@ingest-lake/shared';

/** One template rendering to compare: the same template, request and context for both engines. */
export interface TemplateCase {
  name: string;
  template: string;
  request: MappingTemplateRequest;
  context: MappingTemplateContext;
}

/** What Velocity 1.7 made of a case: the output, or the exception it threw (with the line of a parse error). */
export type Velocity17Result =
  | { name: string; output: string; error?: undefined }
  | { name: string; output?: undefined; error: { message: string; line: number | null } };

const RENDERER_SOURCE = path.join(__dirname, 'Velocity17Renderer.java');
const INSTALL_HINT =
  'The Velocity 1.7 comparison needs Java 11+ on PATH (apt-get install -y openjdk-17-jdk-headless) and, in the Maven ' +
  'repository (~/.m2/repository, or $M2_REPO), org.apache.velocity:velocity:1.7 with its dependencies ' +
  'commons-collections:commons-collections:3.2.x and commons-lang:commons-lang:2.4 ' +
  '(mvn dependency:get -Dartifact=org.apache.velocity:velocity:1.7).';

/**
 * The classpath for Velocity 1.7 and the versions of its dependencies its pom names (commons-lang 2.4,
 * whose escapeJavaScript `$util` mirrors; commons-collections 3.2.1, or 3.2.2, its security fix).
 * Throws, saying what to install, when java or a jar is missing.
 */
export function velocity17Classpath(): string {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0)
    throw new Error(`java is not runnable (${java.error?.message ?? java.stderr}). ${INSTALL_HINT}`);
  const repository = process.env.M2_REPO ?? path.join(os.homedir(), '.m2', 'repository');
  const jar = (group: string, artifact: string, versionPrefix: string): string => {
    const folder = path.join(repository, ...group.split('.'), artifact);
    const versions = existsSync(folder)
      ? readdirSync(folder)
          .filter((v) => v.startsWith(versionPrefix))
          .sort()
      : [];
    const found = versions.map((v) => path.join(folder, v, `${artifact}-${v}.jar`)).filter((file) => existsSync(file));
    if (found.length === 0)
      throw new Error(`no ${group}:${artifact}:${versionPrefix}* jar under ${repository}. ${INSTALL_HINT}`);
    return found[found.length - 1]!;
  };
  return [
    jar('org.apache.velocity', 'velocity', '1.7'),
    jar('commons-collections', 'commons-collections', '3.2'),
    jar('commons-lang', 'commons-lang', '2.4'),
  ].join(path.delimiter);
}

/** Renders every case with Apache Velocity 1.7 in one JVM (single-file source launch of Velocity17Renderer.java). */
export async function renderWithVelocity17(cases: readonly TemplateCase[]): Promise<Map<string, Velocity17Result>> {
  const classpath = velocity17Classpath();
  const directory = await mkdtemp(path.join(os.tmpdir(), 'velocity17-'));
  try {
    const casesFile = path.join(directory, 'cases.json');
    await writeFile(casesFile, JSON.stringify(cases));
    const { stdout } = await promisify(execFile)('java', ['-cp', classpath, RENDERER_SOURCE, casesFile], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const results = JSON.parse(stdout) as Velocity17Result[];
    return new Map(results.map((result) => [result.name, result]));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
