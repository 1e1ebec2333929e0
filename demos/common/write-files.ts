/**
 * Writing a demo's result files all or nothing, so that a full disk or a crash never leaves a
 * half-written file, nor new files next to old ones of an earlier run.
 *
 * `writeFilesAtomically(dir, files)` works in three phases:
 *
 *   1. check: every name is a plain file name, given once, and nothing of that name in `dir` is a
 *      folder; the folder itself exists;
 *   2. write every file under a temporary name in the same folder (`.<name>.<pid>.tmp`), flush it
 *      to the disk (fsync) and close it. If any write fails (a full disk, say), every temporary
 *      file is removed and the folder holds exactly what it held before;
 *   3. only then rename each temporary file over its final name (a rename within a folder
 *      replaces a file at once: a reader sees the old file or the new one, never a mix), and
 *      flush the folder. Should a rename fail, the files already renamed are put back as they
 *      were (their previous versions were kept under a second name by a hard link).
 *
 * The error names the file and says what went wrong, and that the folder was left as it was:
 *
 *   cannot write 'out/disk/course/curves.json': the disk is full (ENOSPC, no space left on
 *   device); no file was changed in 'out/disk/course'
 *
 * This is how POSIX programs replace files safely (write, fsync, rename): see rename(2), whose
 * replacement of an existing name is atomic, and fsync(2).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError, describeFsError } from './file-errors';

/** One file to write: its plain name in the folder and its contents. */
export interface OutputFile {
  name: string;
  contents: string | Uint8Array;
}

/**
 * The file-system calls the writer makes, so that a spec can make one of them fail as a full
 * disk would (`{ ...fs, writeSync: failing }`). Node's `fs` is the default.
 */
export type FileSystemCalls = Pick<typeof fs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'linkSync' | 'lstatSync' | 'statSync'>;

/** The temporary name of `name` while it is written: `.<name>.<pid>.tmp` in the same folder. */
export function temporaryName(name: string): string {
  return `.${name}.${process.pid}.tmp`;
}

/** The name under which the previous version of `name` is kept while the new files are renamed. */
export function backupName(name: string): string {
  return `.${name}.${process.pid}.old`;
}

/** Writes `files` into the existing folder `dir`, all or nothing: see the file's comment. Throws a FileError. */
export function writeFilesAtomically(dir: string, files: readonly OutputFile[], io: FileSystemCalls = fs): void {
  // 1. check
  if (typeof dir !== 'string' || dir === '') throw new FileError(`writeFilesAtomically: expected a folder name, got ${String(dir) || 'an empty string'}`);
  if (!Array.isArray(files)) throw new FileError(`writeFilesAtomically: expected a list of { name, contents }, got ${String(files)}`);
  const seen = new Set<string>();
  for (const file of files) {
    const name = (file as Partial<OutputFile> | null)?.name;
    if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
      throw new FileError(`writeFilesAtomically: file names must be plain names without a folder, got '${String(name)}'`);
    }
    if (seen.has(name)) throw new FileError(`writeFilesAtomically: '${name}' is given twice`);
    seen.add(name);
    if (typeof file.contents !== 'string' && !(file.contents instanceof Uint8Array)) {
      throw new FileError(`writeFilesAtomically: the contents of '${name}' must be a string or bytes, got ${typeof file.contents}`);
    }
  }
  let dirStat: fs.Stats;
  try {
    dirStat = io.statSync(dir);
  } catch (err) {
    throw new FileError(`cannot write into '${dir}': ${describeFsError(err)}`, { cause: err });
  }
  if (!dirStat.isDirectory()) throw new FileError(`cannot write into '${dir}': it is a file, not a folder`);
  const hadPrevious = files.map((file) => {
    const target = path.join(dir, file.name);
    let stat: fs.Stats;
    try {
      stat = io.lstatSync(target);
    } catch {
      return false;
    }
    if (stat.isDirectory()) throw new FileError(`cannot write '${target}': it is a folder, not a file; no file was changed in '${dir}'`);
    return true;
  });

  // 2. write every temporary file
  const written: string[] = [];
  for (const file of files) {
    const temporary = path.join(dir, temporaryName(file.name));
    try {
      writeAndFlush(io, temporary, file.contents, written);
    } catch (err) {
      removeQuietly(io, written);
      throw new FileError(`cannot write '${path.join(dir, file.name)}': ${describeFsError(err)}; no file was changed in '${dir}'`, { cause: err });
    }
  }

  // 3. keep the previous versions under a second name, then rename
  const backups: Array<string | null> = files.map((file, i) => {
    if (!hadPrevious[i]) return null;
    const backup = path.join(dir, backupName(file.name));
    try {
      removeQuietly(io, [backup]);
      io.linkSync(path.join(dir, file.name), backup);
      return backup;
    } catch {
      return null; // no hard links here: a failed rename below cannot restore this file
    }
  });
  for (let i = 0; i < files.length; i++) {
    try {
      io.renameSync(path.join(dir, temporaryName(files[i].name)), path.join(dir, files[i].name));
    } catch (err) {
      const unrestored = restore(io, dir, files.slice(0, i), backups, hadPrevious);
      removeQuietly(io, written.slice(i));
      removeQuietly(io, backups.filter((b): b is string => b !== null));
      const state = unrestored.length === 0
        ? `no file was changed in '${dir}'`
        : `the previous versions of ${unrestored.map((n) => `'${n}'`).join(', ')} could not be put back`;
      throw new FileError(`cannot write '${path.join(dir, files[i].name)}': ${describeFsError(err)}; ${state}`, { cause: err });
    }
  }
  removeQuietly(io, backups.filter((b): b is string => b !== null));
  flushFolder(io, dir);
}

/** Writes `contents` to a new file, flushes it to the disk and closes it; records the path in `written` once created. */
function writeAndFlush(io: FileSystemCalls, file: string, contents: string | Uint8Array, written: string[]): void {
  const fd = io.openSync(file, 'w');
  written.push(file);
  try {
    const bytes = typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents;
    let offset = 0;
    while (offset < bytes.length) offset += io.writeSync(fd, bytes, offset, bytes.length - offset);
    io.fsyncSync(fd);
  } finally {
    io.closeSync(fd);
  }
}

/**
 * Undoes the renames of `renamed`: a file that had a previous version gets it back from its
 * backup, a new one is removed. Returns the names that could not be put back.
 */
function restore(io: FileSystemCalls, dir: string, renamed: readonly OutputFile[], backups: Array<string | null>, hadPrevious: boolean[]): string[] {
  const failed: string[] = [];
  renamed.forEach((file, i) => {
    const target = path.join(dir, file.name);
    try {
      const backup = backups[i];
      if (backup !== null) io.renameSync(backup, target);
      else if (!hadPrevious[i]) io.unlinkSync(target);
      else failed.push(target);
    } catch {
      failed.push(target);
    }
  });
  return failed;
}

/** Removes the files, ignoring those already gone (used while reporting another error). */
function removeQuietly(io: FileSystemCalls, files: readonly string[]): void {
  for (const file of files) {
    try {
      io.unlinkSync(file);
    } catch {
      // already gone, or the first error is the one to report
    }
  }
}

/**
 * Flushes the folder's entries (the renames) to the disk. Some systems cannot open a folder
 * for that (Windows): there the renames are as durable as the system makes them.
 */
function flushFolder(io: FileSystemCalls, dir: string): void {
  let fd: number;
  try {
    fd = io.openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    io.fsyncSync(fd);
  } catch {
    // a folder that cannot be flushed (EINVAL on some file systems): the files themselves were
  } finally {
    io.closeSync(fd);
  }
}
