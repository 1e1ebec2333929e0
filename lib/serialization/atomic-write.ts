import * as fs from 'fs';
import * as path from 'path';
import { MinidlError } from '../errors';
import { describeFsError, describeKind, errorCode, formatMode } from './file-words';

/** How many symbolic links are followed before giving up (Linux's limit, MAXSYMLINKS). */
const MAX_LINKS = 40;

/** Temporary names are `.<name>.<pid>.<n>.tmp`; a long name is cut so the temporary one stays under the usual 255-byte limit. */
const MAX_NAME_IN_TEMPORARY = 200;

let temporaries = 0;

/**
 * Writes `text` to `file` so that, whatever happens, `file` holds either its previous contents
 * or the new ones, never a mixture or a half:
 *
 * 1. A symbolic link is followed to its target (as `>` in a shell, or Python's `open(file, 'w')`,
 *    would): the link stays a link, and its target gets the new contents.
 * 2. A target that exists but is not a regular file (a folder, a device such as /dev/null, a
 *    named pipe, a socket) is refused: replacing it would destroy it, even for root. So is an
 *    existing file this user may not write (mode 0444 for a user that is not root), a path
 *    whose folder does not exist, and a part of the path that is not a folder.
 * 3. The text goes to a new temporary file next to the target (same folder, so same file
 *    system), is flushed to disk (fsync), and only then renamed over the target, which is
 *    atomic on POSIX file systems. An existing target's mode (0600 stays 0600) and, when this
 *    process may set it, its owner and group are given to the new file before the rename; a
 *    new file gets the default mode (0666 minus the umask). The temporary file is created 0600,
 *    so a private file's contents are never readable by others, even for an instant.
 * 4. The folder is flushed too (where the platform allows it), so the rename survives a crash.
 *
 * On any failure the temporary file is removed and a MinidlError starting with `who` and naming
 * `file` is thrown; the target is as it was. (A file with several hard links gets a new inode:
 * its other names keep the previous contents, as with any write-then-rename.)
 */
export function writeFileAtomically(who: string, file: string, text: string): void {
  if (file.endsWith('/') || file.endsWith(path.sep)) throw new MinidlError(`${who}: cannot write ${file}: the path ends with a slash, so it names a folder; give the path of a file`);
  const { target, via } = followLinks(who, file);
  const named = via === null ? file : `${file} (a symbolic link to ${target})`;
  const existing = inspectTarget(who, named, target);
  const folder = path.dirname(target);
  const { fd, temporary } = createTemporary(who, named, target, existing);
  try {
    try {
      fs.writeFileSync(fd, text);
      if (existing !== null) keepOwnerAndMode(fd, existing);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, target);
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    const unchanged = existing === null ? 'nothing was written' : 'the previous file is unchanged';
    throw new MinidlError(`${who}: could not write ${named}: ${describeFsError(err)}; ${unchanged}`, { cause: err });
  }
  flushFolder(folder);
}

/** The path a write to `file` lands on: `file` itself, or the end of its chain of symbolic links. */
function followLinks(who: string, file: string): { target: string; via: string | null } {
  let current = file;
  for (let hops = 0; ; hops++) {
    let stats: fs.Stats;
    try {
      stats = fs.lstatSync(current);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return { target: current, via: current === file ? null : file };
      throw new MinidlError(`${who}: cannot write ${file}: ${describeFsError(err)}`, { cause: err });
    }
    if (!stats.isSymbolicLink()) return { target: current, via: current === file ? null : file };
    if (hops === MAX_LINKS) throw new MinidlError(`${who}: cannot write ${file}: more than ${MAX_LINKS} symbolic links in a row (a loop?)`);
    const link = fs.readlinkSync(current);
    // A relative link is relative to the folder that holds it, with that folder's own links resolved.
    current = path.isAbsolute(link) ? link : path.join(realFolder(path.dirname(current)), link);
  }
}

/** The folder with its symbolic links resolved, or as given when it cannot be resolved (the caller then reports the real error). */
function realFolder(folder: string): string {
  try {
    return fs.realpathSync(folder);
  } catch {
    return folder;
  }
}

/** The target's stats when it is an existing regular file this user may write, null when it does not exist yet; refuses anything else. */
function inspectTarget(who: string, named: string, target: string): fs.Stats | null {
  let stats: fs.Stats;
  try {
    stats = fs.lstatSync(target);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw new MinidlError(`${who}: cannot write ${named}: ${describeFsError(err)}`, { cause: err });
    checkFolder(who, named, path.dirname(target));
    return null;
  }
  if (!stats.isFile()) {
    throw new MinidlError(`${who}: cannot write ${named}: it is ${describeKind(stats)}, not a regular file, and saving would replace it; give the path of a file`);
  }
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch (err) {
    throw new MinidlError(`${who}: cannot write ${named}: the file is read-only for this user (mode ${formatMode(stats.mode)}, ${describeFsError(err)}); the file is unchanged`, { cause: err });
  }
  return stats;
}

/** Refuses a folder that does not exist or is not a folder, naming it. */
function checkFolder(who: string, named: string, folder: string): void {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(folder);
  } catch (err) {
    const why = errorCode(err) === 'ENOENT' ? `the folder ${folder} does not exist (create it first)` : `the folder ${folder} cannot be used: ${describeFsError(err)}`;
    throw new MinidlError(`${who}: cannot write ${named}: ${why}`, { cause: err });
  }
  if (!stats.isDirectory()) throw new MinidlError(`${who}: cannot write ${named}: ${folder} is ${describeKind(stats)}, not a folder`);
}

/** Creates a new temporary file next to `target`, private (0600) when it will replace an existing file. */
function createTemporary(who: string, named: string, target: string, existing: fs.Stats | null): { fd: number; temporary: string } {
  const folder = path.dirname(target);
  const base = path.basename(target).slice(0, MAX_NAME_IN_TEMPORARY);
  for (let attempt = 0; ; attempt++) {
    const temporary = path.join(folder, `.${base}.${process.pid}.${temporaries++}.tmp`);
    try {
      return { fd: fs.openSync(temporary, 'wx', existing === null ? 0o666 : 0o600), temporary };
    } catch (err) {
      if (errorCode(err) === 'EEXIST' && attempt < 100) continue;
      throw new MinidlError(`${who}: could not write ${named}: cannot create a file in the folder ${folder}: ${describeFsError(err)}`, { cause: err });
    }
  }
}

/** Gives the new file the existing one's owner and group (when this process may) and then its mode (chown may clear set-id bits). */
function keepOwnerAndMode(fd: number, existing: fs.Stats): void {
  const mine = fs.fstatSync(fd);
  if (mine.uid !== existing.uid || mine.gid !== existing.gid) {
    try {
      fs.fchownSync(fd, existing.uid, existing.gid);
    } catch {
      // Only root (or the owner, for a group it belongs to) may; otherwise the new file is this user's, as any new file would be.
    }
  }
  fs.fchmodSync(fd, existing.mode & 0o7777);
}

/** Flushes the folder's entry list, so that the rename is on disk too; some platforms cannot open a folder, and then the rename is left to the system. */
function flushFolder(folder: string): void {
  let fd: number;
  try {
    fd = fs.openSync(folder, 'r');
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch {
    // fsync of a folder is not supported everywhere (EINVAL on some file systems); the file itself is flushed.
  } finally {
    fs.closeSync(fd);
  }
}
