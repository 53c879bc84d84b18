/** Text output helpers: aligned tables and record rendering for `tail`. */
import type { LogRecord } from '../log/index.ts';

export function table(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  const cells = rows.map((r) => r.map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}

function decodeValue(value: Buffer | null): unknown {
  if (value === null) return null;
  const text = value.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One JSON object per line: position, time, key, value (parsed JSON when it is JSON), headers. */
export function recordAsJson(record: LogRecord): string {
  return JSON.stringify({
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key === null ? null : record.key.toString('utf8'),
    value: decodeValue(record.value),
    headers: record.headers,
  });
}

/** Human-readable: `topic[p]@offset  time  key=…` then the value (JSON compacted). */
export function recordPretty(record: LogRecord, color: boolean): string {
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s);
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
  const time = Number.isFinite(record.timestamp)
    ? new Date(record.timestamp).toISOString()
    : String(record.timestamp);
  const key = record.key === null ? 'null' : record.key.toString('utf8');
  const headers = Object.entries(record.headers);
  const value = decodeValue(record.value);
  const body =
    value === null ? dim('(tombstone)') : typeof value === 'string' ? value : JSON.stringify(value);
  const head = `${bold(`${record.topic}[${record.partition}]@${record.offset}`)}  ${dim(time)}  key=${key}`;
  const hdr = headers.length > 0 ? `  ${dim(headers.map(([k, v]) => `${k}=${v}`).join(' '))}` : '';
  return `${head}${hdr}\n  ${body}\n`;
}
