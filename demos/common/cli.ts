/**
 * The demos' command lines: every flag is read and checked here before a demo does any work.
 *
 * Node's own `util.parseArgs` cuts the arguments into flags and values; this file then refuses,
 * with a message naming the flag, everything it would let through or word obscurely:
 *
 *   --bogus                  unknown flag --bogus; the flags are --config, --rounds, …
 *   --epoch 3, --no_figures  … (did you mean --epochs?) / (did you mean --no-figures?)
 *   all                      unexpected argument 'all': every value follows its flag, as in --config all
 *   --rounds                 --rounds needs a value, as in --rounds N
 *   --rounds --quiet         --rounds needs a value, got the flag --quiet
 *   --rounds 2 --rounds 3    --rounds is given twice ('2' and '3')
 *   --quiet=yes              --quiet takes no value, got '--quiet=yes'
 *   --seed ''                --seed is empty
 *
 * and the readers below (`intFlag`, `choiceFlag`, `existingFileFlag`, …) check each value.
 * A wrong flag is a `UsageError`: `runMain` prints it on one line and exits with status 2.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { MinidlError } from '../../lib';
import { describeFsError } from './file-errors';

/** A command-line flag: its type, default and one line of help. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  default?: string;
  help: string;
  /** Placeholder shown in --help, e.g. `N`. */
  value?: string;
}

/** Thrown for a wrong flag or value; the demo prints the message and exits with status 2. */
export class UsageError extends MinidlError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The flags as given: a string flag that was not given is absent (`undefined`), a boolean one `false`. */
export type FlagValues = Record<string, string | boolean | undefined>;

/**
 * Reads `argv` against the flag specs and refuses every mistake listed in this file's comment.
 * Returns the flags as given (absent string flags `undefined`, defaults not applied), or null
 * after printing the help for `--help`.
 */
export function readArgv(argv: readonly string[], usage: string, flags: Record<string, FlagSpec>): FlagValues | null {
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) {
    throw new UsageError(`the arguments must be a list of strings, got ${String(argv)}`);
  }
  const specs: Record<string, FlagSpec> = { ...flags, help: { type: 'boolean', help: 'show this help' } };
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, spec] of Object.entries(specs)) options[name] = { type: spec.type };
  // Not strict: parseArgs only cuts the arguments into tokens; the checks below word the errors.
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values: FlagValues = {};
  const given = new Map<string, string>();
  let afterTerminator = false;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      afterTerminator = true;
      continue;
    }
    if (token.kind === 'positional') {
      throw new UsageError(`unexpected argument '${token.value}'${afterTerminator ? " after '--'" : ''}: every value follows its flag, as in ${exampleFlag(flags)}`);
    }
    const spec = Object.prototype.hasOwnProperty.call(specs, token.name) ? specs[token.name] : undefined;
    if (spec === undefined) throw new UsageError(unknownFlagMessage(token.rawName, flags));
    const flag = `--${token.name}`;
    if (token.rawName !== flag) throw new UsageError(`write ${flag} in full, not ${token.rawName}`);
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${flag} takes no value, got '${flag}=${token.value}'`);
      if (given.has(token.name)) throw new UsageError(`${flag} is given twice`);
      given.set(token.name, '');
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined) throw new UsageError(`${flag} needs a value, as in ${flag} ${spec.value ?? 'VALUE'}`);
    if (!token.inlineValue && value.startsWith('-') && !/^-[\d.]/.test(value)) {
      throw new UsageError(`${flag} needs a value, got the flag ${value} (a value starting with '-' is written ${flag}=${value})`);
    }
    if (given.has(token.name)) throw new UsageError(`${flag} is given twice ('${given.get(token.name)}' and '${value}')`);
    if (value.trim() === '') throw new UsageError(`${flag} is empty; give it a value, or leave the flag out${spec.default !== undefined ? ` for its default ${spec.default}` : ''}`);
    if (value.includes('\0')) throw new UsageError(`${flag} contains a NUL character: '${value.replace(/\0/g, '\\0')}'`);
    given.set(token.name, value);
    values[token.name] = value;
  }
  if (values.help === true) {
    console.log(helpText(usage, flags));
    return null;
  }
  delete values.help;
  for (const [name, spec] of Object.entries(flags)) if (spec.type === 'boolean') values[name] = values[name] === true;
  return values;
}

/**
 * Reads `argv` as `readArgv` does, then gives every flag a value: the given one, else its
 * default, else `''` for a string flag and `false` for a boolean. Null after `--help`.
 */
export function parseFlags(
  argv: readonly string[],
  usage: string,
  flags: Record<string, FlagSpec>,
): Record<string, string | boolean> | null {
  const values = readArgv(argv, usage, flags);
  if (values === null) return null;
  const result: Record<string, string | boolean> = {};
  for (const [name, spec] of Object.entries(flags)) {
    result[name] = values[name] ?? (spec.type === 'boolean' ? false : (spec.default ?? ''));
  }
  return result;
}

/** The text `--help` prints: the usage line, then one line per flag with its default. */
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

/** `--config all`: a flag of the demo with an example value, for messages. */
function exampleFlag(flags: Record<string, FlagSpec>): string {
  const [name, spec] = Object.entries(flags).find(([, s]) => s.type === 'string') ?? ['help', { type: 'boolean' as const, help: '' }];
  return spec.type === 'string' ? `--${name} ${spec.default ?? spec.value ?? 'VALUE'}` : `--${name}`;
}

/** `unknown flag --epoch (did you mean --epochs?); the flags are …`. */
function unknownFlagMessage(rawName: string, flags: Record<string, FlagSpec>): string {
  const names = Object.keys(flags);
  const wanted = rawName.replace(/^-+/, '').toLowerCase().replace(/_/g, '-');
  let best = '';
  let bestDistance = Infinity;
  for (const name of names) {
    const d = editDistance(wanted, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  const close = bestDistance <= Math.max(1, Math.floor(best.length / 3));
  const hint = close ? ` (did you mean --${best}?)` : '';
  return `unknown flag ${rawName}${hint}; the flags are ${[...names, 'help'].map((n) => `--${n}`).join(', ')}`;
}

/** Levenshtein distance: the fewest insertions, deletions and substitutions turning a into b. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Reads a flag value as an integer from `min` to `max` (written in decimal digits), or throws
 * a UsageError naming the flag.
 */
export function intFlag(name: string, value: string | boolean | undefined, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const text = typeof value === 'string' ? value.trim() : '';
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} must be an integer ${range}, got ${describeFlagValue(value)}`);
  }
  return n;
}

/** Reads a flag value that must be one of `choices`, or throws a UsageError listing them. */
export function choiceFlag<T extends string>(name: string, value: string | boolean | undefined, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    const lower = typeof value === 'string' ? choices.find((c) => c.toLowerCase() === value.toLowerCase()) : undefined;
    const hint = lower !== undefined ? ` (did you mean '${lower}'?)` : '';
    throw new UsageError(`unknown --${name} ${describeFlagValue(value)}${hint}; choose one of ${choices.join(', ')}`);
  }
  return value as T;
}

/** Reads a flag value that must be a non-empty text (a seed, say). */
export function textFlag(name: string, value: string | boolean | undefined): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} must not be empty, got ${describeFlagValue(value)}`);
  return value;
}

/** Reads a flag naming a file that must exist, be a file and be readable; returns the path. */
export function existingFileFlag(name: string, value: string | boolean | undefined): string {
  const file = textFlag(name, value);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new UsageError(`--${name} '${file}': ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeFsError(err)}`);
  }
  if (stat.isDirectory()) throw new UsageError(`--${name} '${file}' is a folder, expected a file`);
  try {
    fs.closeSync(fs.openSync(file, 'r'));
  } catch (err) {
    throw new UsageError(`--${name} '${file}' cannot be read: ${describeFsError(err)}`);
  }
  return file;
}

/** Reads a flag naming a folder that must exist; returns the path. */
export function existingFolderFlag(name: string, value: string | boolean | undefined): string {
  const dir = textFlag(name, value);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    throw new UsageError(`--${name} '${dir}': ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : describeFsError(err)}`);
  }
  if (!stat.isDirectory()) throw new UsageError(`--${name} '${dir}' is a file, expected a folder`);
  return dir;
}

/** `'zero'` for a given value, `nothing` for an absent one. */
function describeFlagValue(value: string | boolean | undefined): string {
  return typeof value === 'string' ? `'${value}'` : value === undefined ? 'nothing' : String(value);
}

/**
 * Runs a demo's main function. An error ends the process with one line on stderr, `error: …`,
 * and no stack trace: status 2 for a UsageError (a wrong flag; the line adds that --help lists
 * the flags), 1 for any other error.
 */
export function runMain(main: () => void | Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((err: unknown) => {
      if (err instanceof UsageError) {
        console.error(`error: ${err.message}${err.message.includes('--help') ? '' : ' (--help lists the flags)'}`);
        process.exit(2);
      }
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
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
  /** --quiet. */
  quiet: boolean;
}

/**
 * Reads the flags of `roundsFlags` (as `parseFlags` returns them): the chosen configurations
 * (every one for `all`), rounds, epochs, seed, output folder.
 */
export function readRoundsFlags<C extends { name: string }>(
  flags: Record<string, string | boolean | undefined>, all: readonly C[], outName: string,
): RoundsRun<C> {
  const configName = choiceFlag('config', flags.config, [...all.map((c) => c.name), 'all']);
  const configs = configName === 'all' ? [...all] : all.filter((c) => c.name === configName);
  const rounds = intFlag('rounds', flags.rounds);
  const epochs = intFlag('epochs', flags.epochs);
  const seed = textFlag('seed', flags.seed);
  const outDir = flags.out === undefined || flags.out === '' ? path.join('out', outName, configName) : textFlag('out', flags.out);
  return { configName, configs, rounds, epochs, seed, outDir, quiet: flags.quiet === true };
}
