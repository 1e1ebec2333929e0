import { MinidlError, checkArgumentCount } from '../errors';
import { Module } from '../modules/module';
import { describeValue } from '../options';
import { writeFileAtomically } from './atomic-write';
import { readFileText } from './file-read';
import { jsonText } from './json-data';
import { buildModel, modelToSaved } from './model-json';
import { SavedModel } from './saved-model';
import { checkSaved } from './saved-model-check';

/**
 * Saves `model` (architecture, parameters, state such as running statistics, format version)
 * as JSON text at `file`, with `metadata` (plain JSON data, e.g. the input standardization).
 * `loadModel(file)` gives back the same model, every value to the bit (−0 included).
 *
 * Nothing is written unless the whole model can be saved: a NaN or ±Infinity in a parameter or
 * state tensor (named with its module path, name, flat index and value), a module whose class
 * is not registered (`registerModule`) or whose `config()` is not plain data, metadata that is
 * not plain JSON data (a function, a BigInt, a cycle, NaN, a Date, …) are refused first. Then
 * the file is written safely (lib/serialization/atomic-write.ts):
 * under a temporary name next to it, flushed, and renamed over it, so a crash leaves the
 * previous file intact; a symbolic link is followed (the link stays, its target is replaced);
 * an existing file keeps its mode (0600 stays 0600); a target that exists but is not a regular
 * file (a folder, /dev/null or another device, a named pipe, a socket) is refused, as are a
 * folder that does not exist and a file or folder this user may not write.
 *
 * Every error is a MinidlError starting with `saveModel:` and naming `file`; after one, the
 * file (its bytes and mode), the model and every generator are as they were.
 */
export function saveModel(model: Module, file: string, metadata?: Record<string, unknown>): void {
  checkArgumentCount('saveModel', arguments.length, ['model', 'file', 'metadata']);
  checkPath('saveModel', file, model instanceof Module ? '' : ' (the call is saveModel(model, file, metadata?))');
  const text = jsonText(modelToSaved(`saveModel: ${file}`, model, metadata));
  writeFileAtomically('saveModel', file, text);
}

/**
 * Reads and checks a model file written by `saveModel` (of format version 1 or 2), and returns
 * its contents: the architecture, the values and the metadata. The model is not returned, but
 * it is built once to check it, so a file this returns is one `loadModel` and `modelFromJSON`
 * accept. Refuses, with a MinidlError starting with `readModelFile:` and naming `file`: a path
 * that is missing, a folder, a device, a named pipe or a socket; an empty file; a file that
 * starts with a byte-order mark (minidl never writes one; the message says how to remove it);
 * a file that is not UTF-8 text or not JSON (truncated, or of another program); JSON of another
 * format or of a newer version; and any inconsistency (see `modelFromJSON`). Reading changes
 * nothing.
 */
export function readModelFile(file: string): SavedModel {
  checkArgumentCount('readModelFile', arguments.length, ['file']);
  const saved = readChecked('readModelFile', file);
  buildModel(`readModelFile: ${file}`, saved);
  return saved;
}

/** Loads a model saved by `saveModel`; refuses what `readModelFile` refuses, with messages starting with `loadModel:` and naming `file`. */
export function loadModel(file: string): Module {
  checkArgumentCount('loadModel', arguments.length, ['file']);
  const saved = readChecked('loadModel', file);
  return buildModel(`loadModel: ${file}`, saved);
}

/** Reads `file`, parses it and checks its structure; messages start with `who` and name the file. */
function readChecked(who: string, file: string): SavedModel {
  checkPath(who, file, '');
  return checkSaved(`${who}: ${file}`, readJsonFile(who, file, 'a model file'));
}

/**
 * The parsed JSON of `file` (read by `readFileText`, which refuses what is not a readable
 * regular file of UTF-8 text); a MinidlError starting with `who` and naming the file for text
 * that is not JSON (`kind` says what the file should have been: 'a model file').
 */
export function readJsonFile(who: string, file: string, kind: string): unknown {
  const text = readFileText(who, file);
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    if (/Unexpected end of JSON input|Unterminated/i.test(message)) {
      throw new MinidlError(`${who}: ${file} is not valid JSON: it ends too early (truncated file?): ${message}`, { cause: err });
    }
    throw new MinidlError(`${who}: ${file} is not valid JSON (not ${kind}?): ${message}`, { cause: err });
  }
}

/** Refuses a `file` that is not a non-empty string without NUL characters (`hint` says more when the arguments look swapped). */
export function checkPath(who: string, file: unknown, hint: string): void {
  if (typeof file !== 'string' || file === '') {
    throw new MinidlError(`${who}: file must be a path (a non-empty string), got ${file === '' ? 'an empty string' : describeValue(file)}${hint}`);
  }
  if (file.includes('\0')) throw new MinidlError(`${who}: file must be a path, got ${JSON.stringify(file)}, which holds a NUL character`);
}
