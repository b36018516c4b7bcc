// A small option parser: `--name value`, `--name=value`, boolean `--flag`; anything unknown is an error.
import { CliError } from './errors.js';

export type OptionKind = 'string' | 'number' | 'boolean';
export type OptionSpec = Record<string, OptionKind>;
export type Options = Record<string, string | number | boolean | undefined>;

export interface Parsed { positionals: string[]; options: Options }

/** Parses `argv` against `spec`; `command` names the command in errors. */
export function parseArgs(argv: readonly string[], spec: OptionSpec, command: string): Parsed {
  const positionals: string[] = [];
  const options: Options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg !== '-') throw new CliError(`${command}: unknown option ${arg} (options start with --; see \`slimtensor help\`)`, 2);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (kind === undefined) throw new CliError(`${command}: unknown option --${name} (see \`slimtensor help ${command}\`)`, 2);
    if (kind === 'boolean') {
      if (eq >= 0) throw new CliError(`${command}: --${name} is a flag and takes no value`, 2);
      options[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new CliError(`${command}: --${name} needs a value`, 2);
    if (kind === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(`${command}: --${name} must be a number, received ${JSON.stringify(value)}`, 2);
      options[name] = n;
    } else options[name] = value;
  }
  return { positionals, options };
}

/** A positive integer option or its default. */
export function positiveInt(options: Options, name: string, fallback: number, command: string): number {
  const v = options[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new CliError(`${command}: --${name} must be a positive integer, received ${String(v)}`, 2);
  return v;
}
