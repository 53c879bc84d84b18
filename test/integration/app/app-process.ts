/**
 * Runs `fraudstream start` as a real child process for the end-to-end tests: unique temp dirs for
 * the embedded log and the state, `--port 0`, the bound port read from the `server` log line on
 * stderr, SIGKILL on cleanup.
 *
 * @example
 *   const app = startApp(['--duration', '5', '--json']);
 *   const port = await app.port;
 *   const { code, stdout } = await app.exited;
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(REPO, 'bin', 'fraudstream.js');

export interface AppProcess {
  child: ChildProcess;
  /** the port the server listens on (rejects if the process exits first) */
  port: Promise<number>;
  /** exit code and full output */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stdout(): string;
  stderr(): string;
  kill(): void;
}

/** A fresh temp directory with `log/` and `state/` paths under it; `cleanup()` removes it. */
export function tempDirs(prefix: string) {
  const root = mkdtempSync(path.join(tmpdir(), `fraudstream-${prefix}-`));
  return {
    root,
    log: path.join(root, 'log'),
    state: path.join(root, 'state'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function startApp(
  args: string[],
  options: { logDir?: string; env?: Record<string, string>; command?: string } = {},
): AppProcess {
  const logArgs = options.logDir ? ['--log-dir', options.logDir] : [];
  const child = spawn(process.execPath, [BIN, options.command ?? 'start', ...logArgs, ...args], {
    cwd: REPO,
    // Everything a run writes stays beside its log directory, never in the repository.
    env: {
      ...process.env,
      ...(options.logDir
        ? {
            FRAUDSTREAM_ENGINE_STATE_DIR: path.join(path.dirname(options.logDir), 'state'),
            FRAUDSTREAM_LAKE_BASE_PATH: path.join(path.dirname(options.logDir), 'lake'),
          }
        : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
  });
  const port = new Promise<number>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /"event":"server","port":(\d+)/.exec(err) ?? /dashboard: http:\/\/[^:]+:(\d+)\//.exec(err);
      if (m) resolve(Number(m[1]));
    });
    void exited.then(({ code }) => reject(new Error(`app exited (${code}) before serving:\n${err}`)));
  });
  port.catch(() => {});
  return {
    child,
    port,
    exited,
    stdout: () => out,
    stderr: () => err,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** The last non-empty stdout line parsed as JSON (the `--json` summary). */
export function lastJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`last stdout line is not JSON: ${JSON.stringify(last)}`);
  }
}

/** Polls `fn` until it returns a value other than undefined (no fixed sleeps in assertions). */
export async function until<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
