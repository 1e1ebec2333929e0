/**
 * Errors about the demos' files, in words: `FileError` is what a demo throws when a file or
 * folder cannot be read or written, and `describeFsError` turns Node's error codes (ENOSPC,
 * EROFS, ENOTDIR, …) into the reason a person reads, e.g.
 *
 *   cannot write 'out/disk/course/curves.json': the disk is full (ENOSPC, no space left on device)
 */
import { MinidlError } from '../../lib';

/** A file or folder a demo cannot use; `runMain` prints its message on one line and exits with status 1. */
export class FileError extends MinidlError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileError';
  }
}

/** What each error code means, as the messages say it. */
const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'it already exists',
  ENOENT: 'no such file or folder',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on the system',
  EIO: 'an input/output error of the disk',
  EBUSY: 'it is busy',
  EXDEV: 'it is on another file system',
};

/**
 * The reason of a file-system error in words, followed by its code and Node's own wording:
 * `the disk is full (ENOSPC, no space left on device)`. An error without a known code gives
 * its message.
 */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE') {
    return /null bytes/.test(String(e.message)) ? 'the path contains a NUL character' : String(e.message);
  }
  const reason = REASONS[code];
  if (reason === undefined) return err instanceof Error ? err.message : String(err);
  // Node's message: "ENOSPC: no space left on device, write" → "no space left on device"
  const own = String(e.message ?? '').replace(new RegExp(`^${code}: `), '').replace(/,\s.*$/s, '');
  return own && own !== reason ? `${reason} (${code}, ${own})` : `${reason} (${code})`;
}
