/**
 * The command registry: every `src/cli/commands/<name>.ts` exporting `name`, `summary`, `usage`,
 * `options` and `run` is a command. Files are discovered at start, so a new command is a new file.
 */
import { readdir } from 'node:fs/promises';
import { FraudstreamError } from '../errors.ts';
import type { Command } from './command.ts';

const COMMANDS_DIR = new URL('./commands/', import.meta.url);

function isCommand(candidate: Partial<Command>): candidate is Command {
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.summary === 'string' &&
    typeof candidate.usage === 'string' &&
    typeof candidate.options === 'object' &&
    typeof candidate.run === 'function'
  );
}

async function importCommand(file: string): Promise<Command> {
  const module = (await import(new URL(file, COMMANDS_DIR).href)) as Partial<Command>;
  if (!isCommand(module)) {
    throw new FraudstreamError(
      'FS_CONFIG_INVALID',
      `src/cli/commands/${file} does not export name, summary, usage, options and run`,
    );
  }
  return module;
}

/** The command in `commands/<name>.ts`, loading only that file (fast start), or undefined. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) return undefined;
  const files = await readdir(COMMANDS_DIR);
  if (!files.includes(`${name}.ts`)) return undefined;
  const command = await importCommand(`${name}.ts`);
  return command.name === name ? command : undefined;
}

/** Commands sorted by name. */
export async function loadCommands(): Promise<Command[]> {
  const files = (await readdir(COMMANDS_DIR)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  const commands: Command[] = [];
  for (const file of files) commands.push(await importCommand(file));
  return commands.sort((a, b) => a.name.localeCompare(b.name));
}
