import { MinidlError } from '../errors';

/**
 * Reading one constructor argument from a saved config, for the `fromConfig` of minidl's
 * layers: each returns the value when it has the expected kind, and otherwise throws a
 * MinidlError naming the key and the value (`config.bias must be true or false, got "yes"`),
 * which the loader prefixes with the module's place in the file. Ranges (a size ≥ 1, a
 * probability in [0, 1]) are left to the constructor, which checks them as for any call.
 */

/** A number from a saved config. */
export function configNumber(config: Record<string, unknown>, key: string): number {
  const value = config[key];
  if (typeof value !== 'number') throw new MinidlError(`config.${key} must be a number, got ${JSON.stringify(value)}`);
  return value;
}

/** A boolean from a saved config. */
export function configBoolean(config: Record<string, unknown>, key: string): boolean {
  const value = config[key];
  if (typeof value !== 'boolean') throw new MinidlError(`config.${key} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** A list of numbers from a saved config, such as ColumnSplit's sizes. */
export function configNumbers(config: Record<string, unknown>, key: string): number[] {
  const value = config[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) {
    throw new MinidlError(`config.${key} must be a list of numbers, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}

/** A pair of numbers from a saved config, such as a kernel size `[3, 3]`. */
export function configPair(config: Record<string, unknown>, key: string): [number, number] {
  const value = configNumbers(config, key);
  if (value.length !== 2) throw new MinidlError(`config.${key} must be a pair of numbers, got ${JSON.stringify(value)}`);
  return [value[0], value[1]];
}
