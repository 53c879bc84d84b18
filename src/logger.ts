/**
 * Structured logs (pino): one JSON line per event, human-readable (pino-pretty) on a TTY.
 * Lifecycle events carry an `event` field (start, assignment, restore, commit_error, shutdown)
 * so they can be filtered without parsing messages.
 *
 * @example
 *   const log = createLogger({ name: 'fraudstream' });
 *   log.info({ event: 'start', port: 8080 }, 'dashboard on http://127.0.0.1:8080/dashboard');
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  name?: string;
  /** default: FRAUDSTREAM_LOG_LEVEL or info */
  level?: string;
  /** default: pretty when stderr is a TTY */
  pretty?: boolean;
  /** write here instead of stderr (tests) */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.FRAUDSTREAM_LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? (process.stderr.isTTY === true && !options.destination);
  if (pretty) {
    return pino({
      name: options.name ?? 'fraudstream',
      level,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(
    { name: options.name ?? 'fraudstream', level, base: { pid: process.pid } },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination(2),
  );
}

/** A logger that drops everything (library default when the caller passes none). */
export const silentLogger: Logger = pino({ level: 'silent' });
