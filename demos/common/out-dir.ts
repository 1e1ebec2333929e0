/**
 * The output folder of a demo, checked before any training: a run that cannot write its
 * results is told so in its first second, not after minutes of work.
 *
 * `prepareOutDir('--out', dir, names)` creates the folder (and its missing parents), makes sure
 * none of the files the demo will write there is a folder, then writes a probe file of 4 KiB,
 * flushes it to the disk and removes it. Whatever fails, the message names the path and says
 * what is wrong, and the folders it created are removed again:
 *
 *   --out 'results.md' is a file, expected a folder
 *   --out 'notes.txt/run1': cannot create the folder: 'notes.txt' is a file, not a folder
 *   --out '/mnt/ro/run1': cannot create the folder: the file system is read-only (EROFS, …)
 *   --out 'out/run1': cannot write in the folder: the disk is full (ENOSPC, …)
 *   --out 'out/run1': 'out/run1/curves.json' is a folder; the demo writes a file of that name
 *
 * The probe cannot promise room for every file that follows; `writeFilesAtomically`
 * (./write-files.ts) makes sure a later failure leaves no half-written file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError, describeFsError } from './file-errors';

/** Bytes the probe file writes: one page of most file systems. */
const PROBE_BYTES = 4096;

/** A checked output folder. */
export interface OutDir {
  /** The folder, as given. */
  readonly dir: string;
  /** The first folder this check created (the folder itself or a parent), or null when it existed. */
  readonly created: string | null;
  /** Removes the folders this check created, if they are still empty (for a run that fails later). */
  discardIfEmpty(): void;
}

/**
 * Makes `dir` ready to take the files `names` (plain file names): see the file's comment.
 * `flag` names the setting in messages (`--out`). Throws a FileError and leaves the file
 * system as it was when the folder cannot be used.
 */
export function prepareOutDir(flag: string, dir: string, names: readonly string[] = []): OutDir {
  if (typeof dir !== 'string' || dir === '') throw new FileError(`${flag}: expected a folder name, got ${dir === '' ? 'an empty string' : String(dir)}`);
  if (dir.includes('\0')) throw new FileError(`${flag} '${dir.replace(/\0/g, '\\0')}': the path contains a NUL character`);
  for (const name of names) checkPlainName(name);
  const existing = statOrNull(flag, dir, true);
  let created: string | null = null;
  if (existing !== null && !existing.isDirectory()) {
    throw new FileError(`${flag} '${dir}' is a file, expected a folder`);
  }
  if (existing === null) {
    const link = statOrNull(flag, dir);
    if (link !== null && link.isSymbolicLink()) {
      throw new FileError(`${flag} '${dir}' is a symbolic link to '${fs.readlinkSync(dir)}', which does not exist`);
    }
    const blocker = fileAmongParents(dir);
    if (blocker !== null) throw new FileError(`${flag} '${dir}': cannot create the folder: '${blocker}' is a file, not a folder`);
    const missing = missingFolders(dir);
    for (const folder of missing) {
      try {
        fs.mkdirSync(folder);
      } catch (err) {
        removeCreated(dir, created);
        const which = path.resolve(folder) === path.resolve(dir) ? '' : ` '${folder}'`;
        throw new FileError(`${flag} '${dir}': cannot create the folder${which}: ${describeFsError(err)}`, { cause: err });
      }
      created ??= folder;
    }
  }
  const outDir: OutDir = { dir, created, discardIfEmpty: () => removeCreated(dir, created) };
  try {
    for (const name of names) {
      const file = path.join(dir, name);
      const stat = statOrNull(flag, file);
      if (stat !== null && stat.isDirectory()) {
        throw new FileError(`${flag} '${dir}': '${file}' is a folder; the demo writes a file of that name there`);
      }
      if (stat !== null && !stat.isFile() && !stat.isSymbolicLink()) {
        throw new FileError(`${flag} '${dir}': '${file}' is not a regular file; the demo writes a file of that name there`);
      }
    }
    probe(flag, dir);
  } catch (err) {
    outDir.discardIfEmpty();
    throw err;
  }
  return outDir;
}

/** Throws unless `name` is a plain file name (no folder part, not `.` or `..`). */
function checkPlainName(name: string): void {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new FileError(`prepareOutDir: file names must be plain names without a folder, got '${String(name)}'`);
  }
}

/**
 * stat (following a symbolic link when `follow`) or lstat, or null when nothing is there; other
 * errors (permission denied, a name too long, …) are reported.
 */
function statOrNull(flag: string, file: string, follow = false): fs.Stats | null {
  try {
    return follow ? fs.statSync(file) : fs.lstatSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new FileError(`${flag} '${file}': ${describeFsError(err)}`, { cause: err });
  }
}

/** The nearest existing parent of `dir` when it is not a folder (so `dir` cannot be created), else null. */
function fileAmongParents(dir: string): string | null {
  let current = path.dirname(dir);
  for (;;) {
    try {
      const stat = fs.statSync(current);
      return stat.isDirectory() ? null : current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return null;
      current = parent;
    }
  }
}

/** The folders of the path to `dir` that do not exist yet, outermost first (those mkdir -p creates). */
function missingFolders(dir: string): string[] {
  const missing: string[] = [];
  let current = dir;
  while (!fs.existsSync(current)) {
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return missing;
}

/** Removes the empty folders from `dir` up to `created` (included), as far as they are empty. */
function removeCreated(dir: string, created: string | null): void {
  if (created === null) return;
  const top = path.resolve(created);
  let current = path.resolve(dir);
  for (;;) {
    try {
      fs.rmdirSync(current);
    } catch (err) {
      // never made (a deeper folder that failed) or already gone: go on upwards; not empty: leave it
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENAMETOOLONG') return;
    }
    if (current === top) return;
    const parent = path.dirname(current);
    if (parent === current || path.relative(top, parent).startsWith('..')) return;
    current = parent;
  }
}

/** Writes, flushes and removes a probe file in `dir`; throws a FileError naming the folder when that fails. */
function probe(flag: string, dir: string): void {
  const file = path.join(dir, `.minidl-probe-${process.pid}`);
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'wx');
    fs.writeSync(fd, Buffer.alloc(PROBE_BYTES, 0x20));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.unlinkSync(file);
  } catch (err) {
    if (fd !== null) {
      try { fs.closeSync(fd); } catch { /* already reporting the first error */ }
    }
    try { fs.rmSync(file, { force: true }); } catch { /* nothing more can be done */ }
    throw new FileError(`${flag} '${dir}': cannot write in the folder: ${describeFsError(err)}`, { cause: err });
  }
}
