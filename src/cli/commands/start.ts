import type { CommandArgs, OptionSpecs } from '../command.ts';

export const name = 'start';
export const summary = 'Run the fraud-detection demo (not yet available)';
export const usage = 'fraudstream start [options]';
export const options = {} satisfies OptionSpecs;

// Placeholder until the application lead wires the demo in.
export async function run(args: CommandArgs): Promise<number> {
  args.stderr.write('fraudstream: start is not yet available\n');
  return 1;
}
