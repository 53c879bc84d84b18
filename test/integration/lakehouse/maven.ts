import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Copies a pom's dependencies from Maven Central into `~/.cache/fraudstream/<name>/<pom hash>`
 * once and returns that directory, or null (with the reason) when Maven cannot reach the registry.
 */
export async function mavenDependencies(
  name: string,
  pom: string,
): Promise<{ dir: string | null; reason?: string }> {
  const hash = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 12);
  const dir = path.join(os.homedir(), '.cache', 'fraudstream', name, hash);
  if (existsSync(path.join(dir, '.complete'))) return { dir };
  try {
    await run('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${dir}`], {
      timeout: 540_000,
      maxBuffer: 16 * 2 ** 20,
    });
    await run('touch', [path.join(dir, '.complete')]);
    return { dir };
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    return { dir: null, reason: (e.stdout || e.stderr || e.message).split('\n').slice(-3).join(' ').trim() };
  }
}

/** One Maven artifact (group:artifact:version[:packaging[:classifier]]) copied into the cache. */
export async function mavenArtifact(
  name: string,
  coordinates: string,
): Promise<{ file: string | null; reason?: string }> {
  const dir = path.join(os.homedir(), '.cache', 'fraudstream', name);
  const [, artifact, version, , classifier] = coordinates.split(':');
  const file = path.join(dir, `${artifact}-${version}${classifier ? `-${classifier}` : ''}.jar`);
  if (existsSync(file)) return { file };
  try {
    await run(
      'mvn',
      ['-q', '-B', 'dependency:copy', `-Dartifact=${coordinates}`, `-DoutputDirectory=${dir}`],
      {
        timeout: 540_000,
        maxBuffer: 16 * 2 ** 20,
      },
    );
    return existsSync(file)
      ? { file }
      : { file: null, reason: `maven produced ${readdirSync(dir).join(', ')}` };
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    return { file: null, reason: (e.stdout || e.stderr || e.message).split('\n').slice(-3).join(' ').trim() };
  }
}
