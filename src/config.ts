/**
 * One validated, frozen configuration with a doc line per key.
 *
 * Sources, later ones win: defaults → config file (JSON or YAML) → environment variables
 * (`FRAUDSTREAM_KAFKA_BROKERS` → `kafka.brokers`) → explicit overrides (CLI flags).
 * Invalid values fail at start with FS_CONFIG_INVALID naming the key, where the value came
 * from, what was expected and what was found.
 *
 * @example
 *   const config = loadConfig({ file: 'fraudstream.yaml', overrides: { server: { port: 9090 } } });
 *   config.kafka.brokers; // ['127.0.0.1:9092']
 */
import { readFileSync } from 'node:fs';
import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import YAML from 'yaml';
import { FraudstreamError } from './errors.ts';

const Str = (d: string, def: string) => Type.String({ description: d, default: def });
const Int = (d: string, def: number, min = 0) => Type.Integer({ description: d, default: def, minimum: min });
const Num = (d: string, def: number, min = 0) => Type.Number({ description: d, default: def, minimum: min });
const Bool = (d: string, def: boolean) => Type.Boolean({ description: d, default: def });
const Enum = <T extends string>(d: string, values: readonly T[], def: T) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description: d, default: def },
  );

export const ConfigSchema = Type.Object(
  {
    log: Type.Object(
      {
        backend: Enum('which log the engine runs on', ['embedded', 'kafka'] as const, 'embedded'),
        dir: Str('directory of the embedded log', './data/log'),
        fsync: Enum('embedded log fsync policy', ['per_commit', 'interval', 'never'] as const, 'interval'),
        fsyncIntervalMs: Int('fsync period when log.fsync=interval (ms)', 200, 1),
      },
      { default: {}, additionalProperties: false },
    ),
    kafka: Type.Object(
      {
        brokers: Type.Array(Type.String(), {
          description: 'bootstrap brokers, comma-separated in the environment',
          default: ['127.0.0.1:9092'],
          minItems: 1,
        }),
        clientId: Str('client id sent to the brokers', 'fraudstream'),
        compression: Enum('producer compression', ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const, 'lz4'),
        connectTimeoutMs: Int('give up connecting to the brokers at start after this long (ms)', 30000, 1),
        tls: Bool('connect with TLS (SASL_SSL when sasl is set)', false),
        saslMechanism: Enum(
          'SASL mechanism; none disables SASL',
          ['none', 'PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const,
          'none',
        ),
        saslUsername: Str('SASL username', ''),
        saslPassword: Str('SASL password', ''),
      },
      { default: {}, additionalProperties: false },
    ),
    engine: Type.Object(
      {
        applicationId: Str(
          'application id: consumer group, prefix of internal topics and state',
          'fraudstream',
        ),
        processingGuarantee: Enum(
          'exactly_once commits outputs, state and offsets atomically',
          ['exactly_once', 'at_least_once'] as const,
          'exactly_once',
        ),
        commitIntervalMs: Int(
          'how often tasks commit (ms); under exactly-once each repartition hop of the fraud pipeline waits for one',
          10,
          1,
        ),
        stateDir: Str('directory for local state stores', './data/state'),
        stateBackend: Enum('state store backend', ['lmdb', 'memory'] as const, 'lmdb'),
        maxPollRecords: Int('records fetched per poll', 1000, 1),
        startFrom: Enum(
          'where a new consumer group starts (seed 002: latest in production)',
          ['earliest', 'latest', 'committed'] as const,
          'committed',
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    server: Type.Object(
      {
        enabled: Bool('serve the REST API, metrics and dashboard', true),
        host: Str('address the server listens on', '127.0.0.1'),
        port: Int('port the server listens on', 8080, 0),
        token: Str('bearer token for mutating endpoints; empty disables them', ''),
      },
      { default: {}, additionalProperties: false },
    ),
    lake: Type.Object(
      {
        enabled: Bool('write the bronze/silver/gold Delta tables', true),
        basePath: Str('base path of the Delta tables', './data/lake'),
      },
      { default: {}, additionalProperties: false },
    ),
    fraud: Type.Object(
      {
        inputTopic: Str('topic of incoming orders (card transactions arrive on `transactions`)', 'orders'),
        rulesFile: Str('rule packs file (YAML or JSON); empty = the shipped packs', ''),
        modelPath: Str('GBDT or ONNX model file; empty = rules only', ''),
      },
      { default: {}, additionalProperties: false },
    ),
    alerts: Type.Object(
      {
        slackWebhookUrl: Str('Slack incoming-webhook URL; empty disables Slack', ''),
        webhookUrl: Str('generic webhook URL; empty disables it', ''),
        webhookSecret: Str('HMAC-SHA256 secret for the generic webhook', ''),
        pagerdutyRoutingKey: Str('PagerDuty Events v2 routing key; empty disables PagerDuty', ''),
        pagerdutyUrl: Str('PagerDuty Events v2 endpoint', 'https://events.pagerduty.com/v2/enqueue'),
      },
      { default: {}, additionalProperties: false },
    ),
    analyst: Type.Object(
      {
        enabled: Bool('ask an LLM about HIGH_RISK decisions', false),
        url: Str('OpenAI-compatible chat-completions base URL', 'http://127.0.0.1:11434/v1'),
        model: Str('model name', 'llama3.1'),
        apiKey: Str('API key (Bearer)', ''),
      },
      { default: {}, additionalProperties: false },
    ),
    generator: Type.Object(
      {
        seed: Int('generator seed', 42),
        eventsPerSecond: Num('generator rate (events/s)', 2000, 0.001),
        fraudRate: Num('share of fraudulent events', 0.02, 0),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

const checker = TypeCompiler.Compile(ConfigSchema);

interface KeyInfo {
  path: string[];
  env: string;
  schema: TSchema;
}

function camelToSnake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Every leaf key with its env variable name, in schema order. */
export function configKeys(): KeyInfo[] {
  const out: KeyInfo[] = [];
  const walk = (schema: TObject, path: string[]) => {
    for (const [name, child] of Object.entries(schema.properties)) {
      const p = [...path, name];
      if ((child as TSchema).type === 'object') walk(child as TObject, p);
      else
        out.push({ path: p, env: `FRAUDSTREAM_${p.map(camelToSnake).join('_')}`, schema: child as TSchema });
    }
  };
  walk(ConfigSchema, []);
  return out;
}

function fromEnvString(key: KeyInfo, raw: string): unknown {
  const s = key.schema;
  if (s.type === 'array')
    return raw
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  if (s.type === 'integer' || s.type === 'number') return raw.trim() === '' ? raw : Number(raw);
  if (s.type === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    return raw;
  }
  return raw;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function merge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  source: string,
  at: string[] = [],
) {
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = base[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      if (b !== undefined && (typeof b !== 'object' || Array.isArray(b))) {
        throw invalid([...at, k].join('.'), source, 'a section (object)', v);
      }
      base[k] = base[k] ?? {};
      merge(base[k] as Record<string, unknown>, v as Record<string, unknown>, source, [...at, k]);
    } else base[k] = v;
  }
}

function invalid(key: string, source: string, expected: string, got: unknown): FraudstreamError {
  return new FraudstreamError(
    'FS_CONFIG_INVALID',
    `config key "${key}" (from ${source}): expected ${expected}, got ${JSON.stringify(got)}`,
    { details: { key, source, expected, got } },
  );
}

function describeExpected(schema: TSchema): string {
  if (schema.anyOf) return `one of ${schema.anyOf.map((s: TSchema) => JSON.stringify(s.const)).join(' | ')}`;
  if (schema.type === 'integer' || schema.type === 'number') {
    const min = schema.minimum !== undefined ? ` ≥ ${schema.minimum}` : '';
    return `${schema.type === 'integer' ? 'an integer' : 'a number'}${min}`;
  }
  if (schema.type === 'array') return 'a non-empty list of strings';
  return `a ${schema.type}`;
}

export interface LoadConfigOptions {
  /** path of a JSON or YAML file */
  file?: string;
  /** defaults to process.env */
  env?: NodeJS.ProcessEnv;
  overrides?: DeepPartial<Config>;
}

export function loadConfig(options: LoadConfigOptions = {}): Readonly<Config> {
  const keys = configKeys();
  const sources = new Map<string, string>();
  const raw: Record<string, unknown> = {};

  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (err) {
      throw new FraudstreamError('FS_CONFIG_INVALID', `cannot read config file ${options.file}`, {
        cause: err,
      });
    }
    let doc: unknown;
    try {
      doc = /\.json$/i.test(options.file) ? JSON.parse(text) : YAML.parse(text);
    } catch (err) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `config file ${options.file} does not parse: ${String(err)}`,
        {
          cause: err,
        },
      );
    }
    if (doc !== null && doc !== undefined) {
      if (typeof doc !== 'object' || Array.isArray(doc))
        throw invalid('(root)', options.file, 'a mapping', doc);
      merge(raw, doc as Record<string, unknown>, `file ${options.file}`);
      for (const key of leafPaths(doc)) sources.set(key, `file ${options.file}`);
    }
  }
  const env = options.env ?? process.env;
  for (const k of keys) {
    const v = env[k.env];
    if (v === undefined) continue;
    setPath(raw, k.path, fromEnvString(k, v));
    sources.set(k.path.join('.'), `env ${k.env}`);
  }
  if (options.overrides) {
    merge(raw, options.overrides as Record<string, unknown>, 'overrides');
    for (const key of leafPaths(options.overrides)) sources.set(key, 'command line');
  }

  const value = Value.Default(ConfigSchema, structuredClone(raw));
  const first = checker.Errors(value).First();
  if (first) {
    const key = first.path.split('/').filter(Boolean).join('.') || '(root)';
    const info = keys.find((k) => k.path.join('.') === key || key.startsWith(`${k.path.join('.')}.`));
    const top = key.split('.')[0];
    const known = new Set(keys.map((k) => k.path.join('.')));
    if (!info && !known.has(key)) {
      const section = keys.filter((k) => k.path[0] === top).map((k) => k.path.join('.'));
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `unknown config key near "${key}"${section.length ? ` (known in "${top}": ${section.join(', ')})` : ''}`,
        { details: { key } },
      );
    }
    const schema = info?.schema ?? first.schema;
    throw invalid(
      info?.path.join('.') ?? key,
      sources.get(info?.path.join('.') ?? key) ?? 'defaults',
      describeExpected(schema),
      first.value,
    );
  }
  return deepFreeze(value as Config);
}

/** Dotted paths of the leaves of a nested object (arrays are leaves). */
function leafPaths(o: unknown, prefix = ''): string[] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return prefix ? [prefix] : [];
  return Object.entries(o).flatMap(([k, v]) =>
    v === undefined ? [] : leafPaths(v, prefix ? `${prefix}.${k}` : k),
  );
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Markdown reference of every key: docs/configuration.md is generated from this. */
export function configReference(): string {
  const lines = ['| key | env | default | description |', '|---|---|---|---|'];
  for (const k of configKeys()) {
    const def = JSON.stringify(k.schema.default);
    lines.push(`| \`${k.path.join('.')}\` | \`${k.env}\` | \`${def}\` | ${k.schema.description ?? ''} |`);
  }
  return lines.join('\n');
}
