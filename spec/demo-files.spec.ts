import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileError, describeFsError } from '../demos/common/file-errors';
import { prepareOutDir } from '../demos/common/out-dir';
import { FileSystemCalls, backupName, temporaryName, writeFilesAtomically } from '../demos/common/write-files';

/**
 * The demos' files: the output folder checked before any work (demos/common/out-dir.ts), the
 * results written all or nothing (demos/common/write-files.ts), and what a person sees when a
 * folder cannot be used — one line, no stack trace, a status other than 0 — on a full disk and
 * a read-only file system made here as small tmpfs mounts (root only; skipped elsewhere).
 */
const ROOT = path.join(__dirname, '..');

function runDemo(demo: string, args: string[]): { status: number | null; stdout: string; stderr: string; seconds: number } {
  const start = performance.now();
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'demos', demo), ...args], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - start) / 1000 };
}

/** Every file under `dir` with its bytes (base64), names sorted: a folder's whole state. */
function contentsOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    out[name] = fs.statSync(file).isDirectory() ? '<folder>' : fs.readFileSync(file).toString('base64');
  }
  return out;
}

/** Runs `act`, which must throw a FileError with exactly `message`. */
function expectFileError(act: () => unknown, message: string): void {
  let caught: unknown = null;
  try {
    act();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(FileError);
  expect((caught as Error).message).toBe(message);
}

/** An error as Node's fs raises it. */
function fsError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}, write`), { code });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-demo-files-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let counter = 0;
const fresh = (): string => {
  const dir = path.join(tmp, `case-${++counter}`);
  fs.mkdirSync(dir);
  return dir;
};

describe('describeFsError says what a file-system error means', () => {
  test.each([
    ['ENOSPC', 'no space left on device', 'the disk is full (ENOSPC, no space left on device)'],
    ['EROFS', 'read-only file system', 'the file system is read-only (EROFS, read-only file system)'],
    ['ENOTDIR', 'not a directory', 'a part of the path is a file, not a folder (ENOTDIR, not a directory)'],
    ['EACCES', 'permission denied', 'permission denied (EACCES)'],
  ])('%s', (code, message, expected) => {
    expect(describeFsError(fsError(code, message))).toBe(expected);
  });

  test('an unknown error gives its message', () => {
    expect(describeFsError(new Error('something else'))).toBe('something else');
  });
});

describe('prepareOutDir: the output folder, checked before any work', () => {
  test('creates the folder and its parents, and leaves nothing else in it', () => {
    const dir = path.join(fresh(), 'a', 'b', 'c');
    const out = prepareOutDir('--out', dir, ['results.json']);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(path.resolve(out.created as string)).toBe(path.resolve(dir, '..', '..'));
    out.discardIfEmpty(); // a run that fails later takes its empty folders away again
    expect(fs.existsSync(path.join(dir, '..', '..'))).toBe(false);
  });

  test('an existing folder is kept, with its files, even by discardIfEmpty', () => {
    const dir = fresh();
    fs.writeFileSync(path.join(dir, 'results.json'), 'old');
    const out = prepareOutDir('--out', dir, ['results.json']);
    expect(out.created).toBeNull();
    out.discardIfEmpty();
    expect(contentsOf(dir)).toEqual({ 'results.json': Buffer.from('old').toString('base64') });
  });

  test('a path that is a file, under a file, or holding a folder where a result goes: refused, nothing created', () => {
    const dir = fresh();
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'mine');
    expectFileError(() => prepareOutDir('--out', file), `--out '${file}' is a file, expected a folder`);
    expect(() => prepareOutDir('--out', path.join(file, 'run', 'x'))).toThrow(
      `--out '${path.join(file, 'run', 'x')}': cannot create the folder: '${file}' is a file, not a folder`);
    fs.mkdirSync(path.join(dir, 'run', 'curves.json'), { recursive: true });
    expect(() => prepareOutDir('--out', path.join(dir, 'run'), ['results.md', 'curves.json'])).toThrow(
      `'${path.join(dir, 'run', 'curves.json')}' is a folder; the demo writes a file of that name there`);
    expect(contentsOf(dir)).toEqual({ 'notes.txt': Buffer.from('mine').toString('base64'), run: '<folder>' });
    expect(fs.readdirSync(path.join(dir, 'run'))).toEqual(['curves.json']);
  });

  test('a folder that cannot be created (a name too long) takes back the parents it made', () => {
    const dir = fresh();
    const target = path.join(dir, 'new', 'x'.repeat(300), 'run');
    expect(() => prepareOutDir('--out', target)).toThrow(/cannot create the folder '.*xxx': the name is too long \(ENAMETOOLONG/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('writeFilesAtomically: all files or none', () => {
  const files = [
    { name: 'results.md', contents: 'new md' },
    { name: 'results.json', contents: '{"new":true}' },
    { name: 'curves.json', contents: new Uint8Array([1, 2, 3]) },
  ];
  const oldFiles = (dir: string): void => {
    fs.writeFileSync(path.join(dir, 'results.md'), 'old md');
    fs.writeFileSync(path.join(dir, 'results.json'), '{"old":true}');
  };

  test('writes every file and leaves no temporary file', () => {
    const dir = fresh();
    oldFiles(dir);
    writeFilesAtomically(dir, files);
    expect(fs.readdirSync(dir).sort()).toEqual(['curves.json', 'results.json', 'results.md']);
    expect(fs.readFileSync(path.join(dir, 'results.md'), 'utf8')).toBe('new md');
    expect([...fs.readFileSync(path.join(dir, 'curves.json'))]).toEqual([1, 2, 3]);
  });

  /** Node's fs, with the `nth` call of `method` failing with `error` (counting from 1). */
  function failing(method: keyof FileSystemCalls, nth: number, error: NodeJS.ErrnoException): FileSystemCalls {
    let calls = 0;
    const original = fs[method] as (...args: unknown[]) => unknown;
    return { ...fs, [method]: (...args: unknown[]) => {
      if (++calls === nth) throw error;
      return original(...args);
    } } as FileSystemCalls;
  }

  test.each([1, 2, 3])('a full disk while writing file %i leaves the folder exactly as it was', (nth) => {
    const dir = fresh();
    oldFiles(dir);
    const before = contentsOf(dir);
    expectFileError(() => writeFilesAtomically(dir, files, failing('writeSync', nth, fsError('ENOSPC', 'no space left on device'))),
      `cannot write '${path.join(dir, files[nth - 1].name)}': the disk is full (ENOSPC, no space left on device); no file was changed in '${dir}'`);
    expect(contentsOf(dir)).toEqual(before);
  });

  test('a failing flush (fsync) is a failed write too', () => {
    const dir = fresh();
    oldFiles(dir);
    const before = contentsOf(dir);
    expect(() => writeFilesAtomically(dir, files, failing('fsyncSync', 2, fsError('EIO', 'i/o error')))).toThrow(/results\.json': an input\/output error of the disk \(EIO/);
    expect(contentsOf(dir)).toEqual(before);
  });

  test.each([1, 2, 3])('a rename failing at file %i puts the files already renamed back as they were', (nth) => {
    const dir = fresh();
    oldFiles(dir);
    const before = contentsOf(dir);
    expect(() => writeFilesAtomically(dir, files, failing('renameSync', nth, fsError('EIO', 'i/o error')))).toThrow(
      `cannot write '${path.join(dir, files[nth - 1].name)}': an input/output error of the disk (EIO, i/o error); no file was changed in '${dir}'`);
    expect(contentsOf(dir)).toEqual(before);
  });

  test('a target that is a folder is found before anything is written', () => {
    const dir = fresh();
    oldFiles(dir);
    fs.mkdirSync(path.join(dir, 'curves.json'));
    const before = contentsOf(dir);
    expect(() => writeFilesAtomically(dir, files)).toThrow(`cannot write '${path.join(dir, 'curves.json')}': it is a folder, not a file`);
    expect(contentsOf(dir)).toEqual(before);
  });

  test('temporary and backup names are hidden files of the same folder', () => {
    expect(temporaryName('a.json')).toBe(`.a.json.${process.pid}.tmp`);
    expect(backupName('a.json')).toBe(`.a.json.${process.pid}.old`);
  });
});

describe('what a person sees', () => {
  test('an unusable --out ends every demo at once with one line, status 1, and its files untouched', () => {
    const dir = fresh();
    const file = path.join(dir, 'results.md');
    fs.writeFileSync(file, 'keep me');
    // Default rounds and epochs: minutes of training, were the folder checked at the end.
    for (const [demo, args] of [['disk.ts', []], ['conv-disk.ts', []], ['mnist.ts', ['--model', 'cnn']], ['playground/serve.ts', ['--build-only']]] as const) {
      const r = runDemo(demo, [...args, '--out', file]);
      expect(r.stderr).toBe(`error: --out '${file}' is a file, expected a folder\n`);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.seconds).toBeLessThan(20);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
    expect(fs.readdirSync(dir)).toEqual(['results.md']);
  }, 90_000);

  test('a wrong flag: one line naming it, status 2, no stack trace', () => {
    const r = runDemo('conv-disk.ts', ['--epochs', '1e3']);
    expect(r.stderr).toBe("error: --epochs must be an integer ≥ 1, got '1e3' (--help lists the flags)\n");
    expect(r.status).toBe(2);
    const missing = path.join(fresh(), 'model.json');
    const predict = runDemo('predict.ts', ['--model', missing, '--points', '0.5,0.5']);
    expect(predict.stderr).toBe(`error: --model '${missing}': no such file (--help lists the flags)\n`);
    expect(predict.status).toBe(2);
    expect(predict.stdout).toBe('');
  }, 30_000);
});

/** Mounts a tmpfs of `kib` KiB at a new folder (root only); null where mounting is not permitted. */
function mountTmpfs(kib: number, readOnly = false): string | null {
  const dir = fs.mkdtempSync(path.join(tmp, 'mount-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k${readOnly ? ',ro' : ''}`, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? dir : null;
}

const canMount = ((): boolean => {
  const dir = mountTmpfs(16);
  if (dir === null) return false;
  spawnSync('umount', [dir]);
  return true;
})();

(canMount ? describe : describe.skip)('on a real full disk and a read-only file system (tmpfs mounts)', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const dir of mounts) spawnSync('umount', [dir]);
  });
  const mount = (kib: number, readOnly = false): string => {
    const dir = mountTmpfs(kib, readOnly);
    if (dir === null) throw new Error('mount failed');
    mounts.push(dir);
    return dir;
  };

  /** Fills the file system of `dir` until `pages` free blocks are left. */
  const fillUntil = (dir: string, pages: number): void => {
    const { bavail, bsize } = fs.statfsSync(dir);
    fs.writeFileSync(path.join(dir, 'filler'), Buffer.alloc((bavail - pages) * bsize));
    expect(fs.statfsSync(dir).bavail).toBe(pages);
  };

  test('a disk too full for the results: the previous run\'s files stay whole, none is added or cut', () => {
    const disk = mount(256);
    const run = path.join(disk, 'run');
    fs.mkdirSync(run);
    for (const name of ['results.md', 'results.json', 'curves.json']) fs.writeFileSync(path.join(run, name), `previous ${name}\n`);
    const before = contentsOf(run);
    fillUntil(disk, 2); // room for the probe and two of the three new files, not the third
    const r = runDemo('disk.ts', ['--rounds', '1', '--epochs', '2', '--quiet', '--no-figures', '--out', run]);
    expect(r.stderr).toMatch(new RegExp(`\\nerror: cannot write '${run}/curves\\.json': the disk is full \\(ENOSPC, no space left on device\\); no file was changed in '${run}'\\n$`));
    expect(r.status).toBe(1);
    expect(contentsOf(run)).toEqual(before);
  }, 60_000);

  test('a full disk is found by the probe, before any training', () => {
    const disk = mount(64);
    fillUntil(disk, 0);
    const r = runDemo('mnist.ts', ['--out', path.join(disk, 'mnist')]);
    expect(r.stderr).toBe(`error: --out '${path.join(disk, 'mnist')}': cannot write in the folder: the disk is full (ENOSPC, no space left on device)\n`);
    expect(r.status).toBe(1);
    expect(fs.readdirSync(disk)).toEqual(['filler']); // the folder it made is taken back
  }, 30_000);

  test('a read-only file system, even for root', () => {
    const disk = mount(64, true);
    const r = runDemo('conv-disk.ts', ['--out', path.join(disk, 'a', 'b')]);
    expect(r.stderr).toBe(`error: --out '${path.join(disk, 'a', 'b')}': cannot create the folder '${path.join(disk, 'a')}': the file system is read-only (EROFS, read-only file system)\n`);
    expect(r.status).toBe(1);
  }, 30_000);
});
