import * as fs from 'fs';
import * as path from 'path';
import { MinidlError } from '../errors';
import { Module, describe } from '../modules/module';
import { SavedModel, checkSavedModel, modelFromJSON, modelToJSON } from './model-json';

/**
 * Saves `model` (architecture, parameters, state such as running statistics, format version)
 * as JSON at `file`. `metadata` is kept with it (e.g. the input standardization).
 *
 * The file is written under a temporary name in the same folder, flushed to disk, and only
 * then renamed over `file`: a crash mid-write leaves the previous file intact, never half a file.
 */
export function saveModel(model: Module, file: string, metadata?: Record<string, unknown>): void {
  if (typeof file !== 'string' || file === '') throw new MinidlError(`saveModel: file must be a path, got ${describe(file)}`);
  const text = JSON.stringify(modelToJSON(model, metadata));
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const fd = fs.openSync(temporary, 'w');
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, file);
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    throw new MinidlError(`saveModel: could not write ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads and checks a model file written by `saveModel`, without building the model: the
 * returned object holds the architecture, the values and the metadata.
 */
export function readModelFile(file: string): SavedModel {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new MinidlError(`loadModel: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new MinidlError(`loadModel: ${file} is not valid JSON (truncated or not a model file?): ${(err as Error).message}`, { cause: err });
  }
  try {
    return checkSavedModel(parsed);
  } catch (err) {
    throw new MinidlError(`loadModel: ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Loads a model saved by `saveModel`; a file that is truncated, of another version or inconsistent is refused with a clear error. */
export function loadModel(file: string): Module {
  const saved = readModelFile(file);
  try {
    return modelFromJSON(saved);
  } catch (err) {
    throw new MinidlError(`loadModel: ${file}: ${(err as Error).message}`, { cause: err });
  }
}
