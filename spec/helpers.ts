import { MinidlError } from '../lib';

/** Runs `fn`, expects it to throw a MinidlError whose message matches every pattern, and returns the error. */
export function expectMinidlError(fn: () => unknown, ...patterns: RegExp[]): MinidlError {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(MinidlError);
  for (const pattern of patterns) expect((caught as Error).message).toMatch(pattern);
  return caught as MinidlError;
}
