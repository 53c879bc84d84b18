/**
 * `fraudstream` entry point: finds the command, parses its options with node:util parseArgs, runs it
 * with the embedded log, and turns errors into one line on stderr.
 * Exit codes: 0 success, 1 internal error (stack with --verbose), 2 user mistake, 130 forced stop.
 *
 * @example
 *   fraudstream produce --topic orders --count 10000 --fraud-rate 0.05
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { type FraudstreamError, isFraudstreamError } from '../errors.ts';
import type { Log } from '../log/index.ts';
import { usageError } from './args.ts';
import type { Command, OptionSpecs, OptionValues, Output } from './command.ts';
import { commandHelp, GLOBAL_OPTIONS, mainHelp } from './help.ts';
import { openConfiguredLog } from './open-log.ts';
import { loadCommand, loadCommands } from './registry.ts';

/** Error codes that mean the user asked for something wrong (exit 2), not that we failed. */
const USER_ERRORS = new Set([
  'FS_USAGE',
  'FS_CONFIG_INVALID',
  'FS_UNKNOWN_TOPIC',
  'FS_TOPIC_EXISTS',
  'FS_UNKNOWN_PARTITION',
  'FS_INVALID_OFFSET',
  'FS_NOT_FOUND',
  'FS_CSV_INVALID',
  'FS_RULES_INVALID',
  'FS_MODEL_INVALID',
]);

export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

function toParseArgsOptions(specs: OptionSpecs): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(specs)) {
    out[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
    if (spec.default !== undefined) out[name].default = spec.default as string & boolean;
  }
  return out;
}

/** The command name is the first argument that is neither an option nor a global option's value. */
function splitCommand(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') break;
    if (token === '--log-dir' || token === '--kafka' || token === '--config') {
      i++;
      continue;
    }
    if (token.startsWith('-')) continue;
    return { name: token, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { name: undefined, rest: [...argv] };
}

function parseError(err: unknown, command: string): FraudstreamError | undefined {
  const code = (err as { code?: string }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return undefined;
  const message = (err as Error).message;
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return usageError(
      `unknown option ${option ?? message} for '${command}' (see 'fraudstream ${command} --help')`,
    );
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    if (/argument missing/.test(message)) return usageError(`option ${option} needs a value`);
    if (/ambiguous/.test(message)) {
      return usageError(`option ${option} needs a value (write a value starting with '-' as ${option}=-…)`);
    }
  }
  return usageError(message.split('. ')[0]);
}

/** Run the CLI; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const verbose = argv.includes('--verbose');
  let log: Log | undefined;
  try {
    const { name, rest } = splitCommand(argv);
    if (name === undefined) {
      const commands = await loadCommands();
      if (rest.some((a) => a !== '--help' && a !== '-h' && a !== '--verbose')) {
        throw usageError(
          `unknown option ${rest.find((a) => a !== '--help' && a !== '-h')} (see 'fraudstream --help')`,
        );
      }
      io.stdout.write(mainHelp(commands));
      return 0;
    }
    const command: Command | undefined = await loadCommand(name);
    if (command === undefined) {
      const names = (await loadCommands()).map((c) => c.name);
      throw usageError(`unknown command '${name}' (commands: ${names.join(', ')})`);
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: toParseArgsOptions({ ...GLOBAL_OPTIONS, ...command.options }),
        allowPositionals: true,
        strict: true,
      });
    } catch (err) {
      throw parseError(err, command.name) ?? err;
    }
    if (parsed.values.help === true) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    const flags = parsed.values as OptionValues;
    const kafka =
      typeof flags.kafka === 'string'
        ? flags.kafka
            .split(',')
            .map((b) => b.trim())
            .filter(Boolean)
        : undefined;
    if (kafka !== undefined && kafka.length === 0)
      throw usageError('--kafka needs at least one broker host:port');
    // Flags override the config file and FRAUDSTREAM_* environment variables.
    const config = loadConfig({
      ...(typeof flags.config === 'string' ? { file: flags.config } : {}),
      env: io.env,
      ...(typeof flags['log-dir'] === 'string' || kafka !== undefined
        ? {
            overrides: {
              log: {
                ...(typeof flags['log-dir'] === 'string' ? { dir: flags['log-dir'] } : {}),
                ...(kafka !== undefined ? { backend: 'kafka' as const } : {}),
              },
              ...(kafka !== undefined ? { kafka: { brokers: kafka } } : {}),
            },
          }
        : {}),
    });
    const logDir =
      config.log.backend === 'kafka' ? `kafka://${config.kafka.brokers.join(',')}` : config.log.dir;
    const code = await command.run({
      values: parsed.values as OptionValues,
      positionals: parsed.positionals,
      config,
      logDir,
      verbose,
      stdout: io.stdout,
      stderr: io.stderr,
      signal: io.signal,
      openLog: async () => (log ??= await openConfiguredLog(config)),
    });
    return code ?? 0;
  } catch (err) {
    const user = isFraudstreamError(err) && USER_ERRORS.has(err.code);
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`fraudstream: ${message.split('\n')[0]}\n`);
    if (verbose && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return user ? 2 : 1;
  } finally {
    if (log !== undefined) {
      try {
        await log.close();
      } catch (err) {
        io.stderr.write(`fraudstream: closing the log failed: ${(err as Error).message}\n`);
      }
    }
  }
}

const isEntryPoint =
  process.argv[1] !== undefined && /(fraudstream(\.js)?|cli[/\\]main\.ts)$/.test(process.argv[1]);
if (isEntryPoint) {
  const controller = new AbortController();
  let stops = 0;
  const stop = (signal: NodeJS.Signals) => {
    stops++;
    if (stops > 1) {
      process.stderr.write(`fraudstream: second ${signal}, exiting without cleanup\n`);
      process.exit(130);
    }
    controller.abort(signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  });
  process.exitCode = code;
}
