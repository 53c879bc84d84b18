import { FraudApp } from '../../apps/fraud/app/fraud-app.ts';
import type { Config, DeepPartial } from '../../config.ts';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { fraudServerDeps } from '../../server/fraud-deps.ts';
import { buildServer } from '../../server/index.ts';
import { integerOption, numberOption, usageError } from '../args.ts';
import type { CommandArgs, OptionSpecs } from '../command.ts';
import { LiveConsole, summaryLines } from '../live-console.ts';

export const name = 'start';
export const summary = 'Run the fraud-detection pipeline with its server and dashboard (the demo by default)';
export const usage = 'fraudstream start [options]';
export const options = {
  duration: {
    type: 'string',
    valueName: '<s>',
    description: 'stop cleanly after this many seconds (default: until Ctrl-C)',
  },
  json: {
    type: 'boolean',
    description: 'print the final summary as one JSON object on the last line of stdout',
  },
  port: {
    type: 'string',
    valueName: '<port>',
    description: 'server port (default 8080 or server.port; 0 = any free port)',
  },
  'no-server': { type: 'boolean', description: 'do not serve the API, metrics and dashboard' },
  'no-lake': {
    type: 'boolean',
    description: 'do not write the bronze/silver/gold Delta tables (lake.enabled=false)',
  },
  'no-generator': {
    type: 'boolean',
    description: 'do not feed synthetic orders: score what arrives on the orders/transactions topics',
  },
  rate: {
    type: 'string',
    valueName: '<events/s>',
    description: 'generator rate (default generator.eventsPerSecond)',
  },
  'fraud-rate': {
    type: 'string',
    valueName: '<0..0.5>',
    description: 'share of generated purchases that are fraud',
  },
  seed: { type: 'string', valueName: '<n>', description: 'generator seed' },
  model: { type: 'string', valueName: '<file>', description: 'score with this model file (fraud.modelPath)' },
  rules: { type: 'string', valueName: '<file>', description: 'rule packs file (fraud.rulesFile)' },
} satisfies OptionSpecs;
export const examples = [
  'fraudstream start',
  'fraudstream start --duration 30 --json',
  'fraudstream start --rate 5000 --port 9090',
  'fraudstream start --kafka 127.0.0.1:9092 --no-generator',
];

export async function run(args: CommandArgs): Promise<number> {
  const { values } = args;
  const duration = numberOption(values, 'duration', { minExclusive: 0 });
  const port = integerOption(values, 'port', 0);
  if (port !== undefined && port > 65535) throw usageError(`--port must be 0..65535, got ${port}`);
  const rate = numberOption(values, 'rate', { minExclusive: 0 });
  const fraudRate = numberOption(values, 'fraud-rate', { min: 0, max: 0.5 });
  const seed = integerOption(values, 'seed', 0);
  const overrides: DeepPartial<Config> = {
    server: { ...(port !== undefined ? { port } : {}) },
    generator: {
      ...(rate !== undefined ? { eventsPerSecond: rate } : {}),
      ...(fraudRate !== undefined ? { fraudRate } : {}),
      ...(seed !== undefined ? { seed } : {}),
    },
    fraud: {
      ...(typeof values.model === 'string' ? { modelPath: values.model } : {}),
      ...(typeof values.rules === 'string' ? { rulesFile: values.rules } : {}),
    },
  };
  // The global configuration plus this command's flags, validated together.
  const config = loadConfig({ overrides: merge(args.config, overrides), env: {} });
  const logger = createLogger({ pretty: args.stderr.isTTY === true && !values.json });
  const log = await args.openLog();
  const app = await FraudApp.create({
    config,
    log,
    logger,
    generate: values['no-generator'] !== true,
    lake: config.lake.enabled && values['no-lake'] !== true,
  });
  const live = new LiveConsole(args.stderr);

  let server: ReturnType<typeof buildServer> | undefined;
  // The server listens before processing starts, so /health/live answers and /health/ready says 503
  // while state is being restored (a load balancer must not route to a restoring instance).
  if (values['no-server'] !== true && config.server.enabled) {
    server = buildServer(fraudServerDeps(app, { token: config.server.token }));
    try {
      await server.listen({ host: config.server.host, port: config.server.port });
    } catch (err) {
      await app.stop().catch(() => {});
      await server.close();
      throw usageError(
        `cannot listen on ${config.server.host}:${config.server.port}: ${(err as Error).message} (use --port)`,
      );
    }
    const address = server.server.address();
    const actualPort = typeof address === 'object' && address ? address.port : config.server.port;
    logger.info(
      { event: 'server', port: actualPort },
      `dashboard: http://${config.server.host}:${actualPort}/dashboard  metrics: /metrics  API: /api/v1/streams/status`,
    );
  }
  try {
    await app.start();
  } catch (err) {
    await server?.close();
    throw err;
  }
  app.subscribe((e) => {
    if (e.type === 'alert') live.alert(e.data as never);
  });

  const ticker = setInterval(() => live.tick(app.liveSnapshot()), 1000);
  await new Promise<void>((resolve) => {
    const timer = duration !== undefined ? setTimeout(resolve, duration * 1000) : undefined;
    args.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
    app.done().then(resolve, (err) => {
      logger.error({ event: 'failed', err }, 'processing stopped on an error');
      resolve();
    });
  });
  clearInterval(ticker);
  live.finish();
  await app.stop();
  await server?.close();
  const final = app.liveSnapshot();
  const failed = app.streams.state === 'failed';
  if (values.json) {
    args.stdout.write(
      `${JSON.stringify({
        events: final.events,
        events_per_sec: final.averageEventsPerSec,
        alerts: { total: final.alerts, ...final.alertsByLevel },
        decisions: final.decisions,
        dead_letters: final.deadLetters,
        levels: final.levels,
        p99_ms: final.latencyP99Ms,
        top_reasons: final.topReasons,
        duration_s: Math.round(final.uptimeMs / 100) / 10,
        state: final.state,
      })}\n`,
    );
  } else {
    args.stderr.write(`${summaryLines(final, 'fraudstream stopped').join('\n')}\n`);
  }
  return failed ? 1 : 0;
}

function merge<T extends object>(base: T, over: DeepPartial<T>): DeepPartial<T> {
  const out: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? { ...(out[k] as object), ...v } : v;
  }
  return out as DeepPartial<T>;
}
