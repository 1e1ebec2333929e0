import * as path from 'node:path';
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

/**
 * The flags of an experiment run over seeded rounds (`npm run disk`, `npm run conv-disk`):
 * --config, --rounds, --epochs, --seed, --out, --quiet. `outName` names its folder under out/.
 */
export function roundsFlags(configNames: readonly string[], defaultConfig: string, outName: string): Record<string, FlagSpec> {
  return {
    config: { type: 'string', default: defaultConfig, value: 'NAME', help: `configuration: ${configNames.join(', ')}, or all` },
    rounds: { type: 'string', default: '10', value: 'N', help: 'rounds, each with fresh data and weights' },
    epochs: { type: 'string', default: '300', value: 'N', help: 'epochs per round' },
    seed: { type: 'string', default: '0', value: 'S', help: 'seed from which every round seed is derived' },
    out: { type: 'string', value: 'DIR', help: `output folder (default: out/${outName}/<config>)` },
    quiet: { type: 'boolean', help: 'no per-round progress lines' },
  };
}

/** What `readRoundsFlags` reads. */
export interface RoundsRun<C> {
  /** The --config value, `all` included. */
  configName: string;
  configs: C[];
  rounds: number;
  epochs: number;
  seed: string;
  outDir: string;
}

/** Reads the flags of `roundsFlags`: the chosen configurations (every one for `all`), rounds, epochs, seed, output folder. */
export function readRoundsFlags<C extends { name: string }>(
  flags: Record<string, string | boolean>, all: readonly C[], outName: string,
): RoundsRun<C> {
  const configName = String(flags.config);
  const configs = configName === 'all' ? [...all] : all.filter((c) => c.name === configName);
  if (configs.length === 0) {
    throw new UsageError(`unknown --config '${configName}'; choose one of ${all.map((c) => c.name).join(', ')}, or all`);
  }
  const rounds = intFlag('rounds', flags.rounds);
  const epochs = intFlag('epochs', flags.epochs);
  const seed = String(flags.seed);
  if (seed.trim() === '') throw new UsageError('--seed must not be empty');
  const outDir = String(flags.out || path.join('out', outName, configName));
  return { configName, configs, rounds, epochs, seed, outDir };
}
