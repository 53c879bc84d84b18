/**
 * The contract of a `fraudstream` command. Each command is one file in `src/cli/commands/` exporting
 * these members; the registry finds it by file, so adding a command needs no other edit.
 *
 * @example
 *   // src/cli/commands/hello.ts
 *   export const name = 'hello';
 *   export const summary = 'Say hello';
 *   export const usage = 'fraudstream hello [--to <name>]';
 *   export const options = { to: { type: 'string', description: 'who to greet', default: 'world' } } satisfies OptionSpecs;
 *   export async function run(args: CommandArgs) { args.stdout.write(`hello ${args.values.to}\n`); }
 */
import type { Config } from '../config.ts';
import type { Log } from '../log/index.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
  /** placeholder shown in help, e.g. `<n>` */
  valueName?: string;
  default?: string | boolean;
  multiple?: boolean;
}
export type OptionSpecs = Record<string, OptionSpec>;

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface CommandArgs {
  /** parsed options of the command (globals included) */
  values: OptionValues;
  /** positional arguments after the command name */
  positionals: string[];
  /** the validated configuration (defaults → --config file → FRAUDSTREAM_* env → global flags) */
  config: Readonly<Config>;
  /** directory of the embedded log (global `--log-dir`) */
  logDir: string;
  verbose: boolean;
  stdout: Output;
  stderr: Output;
  /** aborted on SIGINT / SIGTERM: stop, flush, return */
  signal: AbortSignal;
  /** opens the log once (later calls return the same one); the CLI closes it after `run` */
  openLog(): Promise<Log>;
}

export interface Command {
  name: string;
  summary: string;
  /** first help line(s), e.g. `fraudstream tail <topic> [options]` */
  usage: string;
  options: OptionSpecs;
  /** example command lines shown in help */
  examples?: string[];
  /** resolves to the exit code (default 0) */
  run(args: CommandArgs): Promise<number | undefined>;
}
