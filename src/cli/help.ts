import type { Command, OptionSpecs } from './command.ts';

export const GLOBAL_OPTIONS: OptionSpecs = {
  'log-dir': {
    type: 'string',
    valueName: '<dir>',
    description: 'embedded log directory (default ./data/log, or $FRAUDSTREAM_LOG_DIR)',
  },
  kafka: {
    type: 'string',
    valueName: '<host:port,…>',
    description: 'use these Kafka brokers instead of the embedded log (or $FRAUDSTREAM_LOG_BACKEND=kafka)',
  },
  config: {
    type: 'string',
    valueName: '<file>',
    description: 'configuration file (YAML or JSON), see docs/configuration.md',
  },
  verbose: { type: 'boolean', description: 'print stack traces of internal errors' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

function optionLines(options: OptionSpecs): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? '<value>'}` : ''}`;
    const def =
      spec.default !== undefined && spec.default !== false ? ` (default ${String(spec.default)})` : '';
    return [flag, `${spec.description}${def}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'fraudstream: real-time fraud detection and commerce analytics on streams',
    '',
    'Usage: fraudstream <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    "Run 'fraudstream <command> --help' for the options of a command.",
    '',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary, ''];
  if (Object.keys(command.options).length > 0) lines.push('Options:', ...optionLines(command.options), '');
  lines.push('Global options:', ...optionLines(GLOBAL_OPTIONS), '');
  if (command.examples?.length) lines.push('Examples:', ...command.examples.map((e) => `  ${e}`), '');
  return lines.join('\n');
}
