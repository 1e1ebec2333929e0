import { parseArgs } from 'node:util';

/** A command-line flag: its type, default and one line of help. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  default?: string;
  help: string;
  /** Placeholder shown in --help, e.g. `N`. */
  value?: string;
}

/** Thrown for a wrong flag or value; the demo prints the message and exits with status 2. */
export class UsageError extends Error {}

/**
 * Parses `argv` against the flag specs (unknown flags and missing values are errors).
 * Returns the flag values as strings/booleans, or null after printing help for `--help`.
 */
export function parseFlags(
  argv: string[],
  usage: string,
  flags: Record<string, FlagSpec>,
): Record<string, string | boolean> | null {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [name, spec] of Object.entries(flags)) options[name] = { type: spec.type };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new UsageError(`${(err as Error).message.replace(/\. To specify a positional.*$/s, '')}\nRun with --help to see the flags.`);
  }
  if (values.help) {
    console.log(helpText(usage, flags));
    return null;
  }
  const result: Record<string, string | boolean> = {};
  for (const [name, spec] of Object.entries(flags)) {
    const v = values[name];
    result[name] = v ?? (spec.type === 'boolean' ? false : (spec.default ?? ''));
  }
  return result;
}

export function helpText(usage: string, flags: Record<string, FlagSpec>): string {
  const lines = [usage, '', 'Flags:'];
  for (const [name, spec] of Object.entries(flags)) {
    const left = `  --${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    const def = spec.default !== undefined ? ` (default: ${spec.default})` : '';
    lines.push(`${left.padEnd(24)} ${spec.help}${def}`);
  }
  lines.push(`${'  --help'.padEnd(24)} show this help`);
  return lines.join('\n');
}

/** Reads a flag value as an integer ≥ min, or throws a UsageError naming the flag. */
export function intFlag(name: string, value: string | boolean, min = 1): number {
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${String(value)}'`);
  }
  return n;
}

/** Runs a demo's main function, turning a UsageError into a message and exit status 2. */
export function runMain(main: () => void | Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((err: unknown) => {
      if (err instanceof UsageError) {
        console.error(`error: ${err.message}`);
        process.exit(2);
      }
      console.error(err instanceof Error ? `error: ${err.message}` : err);
      process.exit(1);
    });
}
