import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readConvDiskFlags, runConvDiskDemo } from '../../../demos/conv-disk';
import { choiceFlag, existingFileFlag, existingFolderFlag, intFlag, readArgv, textFlag } from '../../../demos/common/cli';
import { prepareOutDir } from '../../../demos/common/out-dir';
import { FileSystemCalls, OutputFile, temporaryName, writeFilesAtomically } from '../../../demos/common/write-files';
import { readDiskFlags, runDiskDemo } from '../../../demos/disk';
import { findConfig } from '../../../demos/disk/configs';
import { ConfigResult, RunConfigOptions, runConfig } from '../../../demos/disk/experiment';
import { diskModelText, loadDiskModel, saveDiskModel } from '../../../demos/disk/model-file';
import { TrainMnistOptions, trainMnist } from '../../../demos/mnist/train';
import { readMnistFlags, runMnistDemo } from '../../../demos/mnist';
import { readPlaygroundFlags } from '../../../demos/playground/serve';
import { parsePointList, parsePointsCsv, readPredictFlags, runPredictDemo } from '../../../demos/predict';
import { MNIST_FILES, MnistData } from '../../../lib/data/mnist';
import { Tensor } from '../../../lib/tensor/tensor';
import { Linear } from '../../../lib/modules/linear';
import { Rng } from '../../../lib/random/rng';
import { saveModel } from '../../../lib/serialization/model-file';
import { ContractRow, ContractTable, row } from '../harness';

/*
 * The demos: every flag of every demo, and every way the output folder or a result file can be
 * unusable. Flags are checked through each demo's reader (readDiskFlags, …), which throws before
 * any work; file faults through the demo itself (runDiskDemo, …), which must throw before any
 * training and leave the files as they were, and through the two helpers under them
 * (prepareOutDir, writeFilesAtomically), with a full disk or a failed rename injected.
 * Every row's files live in a fresh folder under the system's temporary folder.
 */

const scratchRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-contract-demos-'));
if (typeof afterAll === 'function') afterAll(() => fs.rmSync(scratchRoot, { recursive: true, force: true }));
let scratchCount = 0;

/** A fresh empty folder for one row. */
function scratch(): string {
  const dir = path.join(scratchRoot, `row-${++scratchCount}`);
  fs.mkdirSync(dir);
  return dir;
}

/** A fresh folder holding `files` (name → text; a name ending in '/' is a folder). */
function folderWith(files: Record<string, string>): string {
  const dir = scratch();
  for (const [name, text] of Object.entries(files)) {
    if (name.endsWith('/')) fs.mkdirSync(path.join(dir, name), { recursive: true });
    else fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Every path under `dir` (itself included), for `keeps.files`. */
function allPaths(dir: string): string[] {
  const out = [dir];
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    out.push(...(fs.lstatSync(p).isDirectory() ? allPaths(p) : [p]));
  }
  return out;
}

/** A row whose call is `act(argv)` with nothing to keep but the generators. */
function flagRow(name: string, act: () => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => ({ act }), ...message);
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---------------------------------------------------------------- the flags of the rounds demos

type Reader = (argv: readonly string[]) => unknown;

/** Rows shared by `npm run disk` and `npm run conv-disk`: the flags of `roundsFlags`. */
function roundsFlagRows(demo: string, read: Reader, configs: string): ContractRow[] {
  const rows: ContractRow[] = [
    flagRow(`${demo} --bogus: an unknown flag`, () => read(['--bogus']),
      /^unknown flag --bogus; the flags are --config, --rounds, --epochs, --seed, --out, --quiet/),
    flagRow(`${demo} --epoch 3: a near miss`, () => read(['--epoch', '3']), /unknown flag --epoch \(did you mean --epochs\?\)/),
    flagRow(`${demo} --Rounds 3: the wrong case`, () => read(['--Rounds', '3']), /unknown flag --Rounds \(did you mean --rounds\?\)/),
    flagRow(`${demo} -r 3: a short flag`, () => read(['-r', '3']), /unknown flag -r; the flags are/),
    flagRow(`${demo} all: a value without its flag`, () => read(['all']), /unexpected argument 'all': every value follows its flag, as in --config /),
    flagRow(`${demo} --rounds 2 3: a second value`, () => read(['--rounds', '2', '3']), /unexpected argument '3'/),
    flagRow(`${demo} -- --rounds 2: after the terminator`, () => read(['--', '--rounds', '2']), /unexpected argument '--rounds' after '--'/),
    flagRow(`${demo} --rounds: no value`, () => read(['--rounds']), /^--rounds needs a value, as in --rounds N$/),
    flagRow(`${demo} --rounds --quiet: a flag for a value`, () => read(['--rounds', '--quiet']), /^--rounds needs a value, got the flag --quiet/),
    flagRow(`${demo} --rounds 2 --rounds 3: given twice`, () => read(['--rounds', '2', '--rounds', '3']), /^--rounds is given twice \('2' and '3'\)$/),
    flagRow(`${demo} --quiet --quiet: a switch given twice`, () => read(['--quiet', '--quiet']), /^--quiet is given twice$/),
    flagRow(`${demo} --quiet=yes: a value for a switch`, () => read(['--quiet=yes']), /^--quiet takes no value, got '--quiet=yes'$/),
    flagRow(`${demo} --rounds=: an empty value`, () => read(['--rounds=']), /^--rounds is empty; give it a value, or leave the flag out for its default 10$/),
    flagRow(`${demo} --seed ' ': a blank seed`, () => read(['--seed', ' ']), /^--seed is empty/),
    flagRow(`${demo} --out '': an empty folder name`, () => read(['--out', '']), /^--out is empty/),
    flagRow(`${demo} --out 'a\\0b': a NUL character`, () => read(['--out', 'a\0b']), /^--out contains a NUL character/),
    flagRow(`${demo} --config nope: an unknown configuration`, () => read(['--config', 'nope']), new RegExp(`^unknown --config 'nope'; choose one of ${escape(configs)}, all$`)),
    flagRow(`${demo} --config COURSE: the wrong case`, () => read(['--config', 'COURSE']), /unknown --config 'COURSE' \(did you mean 'course'\?\)/),
    flagRow(`${demo} with a string instead of the argument list`, () => read('--rounds 3' as never), /the arguments must be a list of strings, got --rounds 3/),
    flagRow(`${demo} with a number among the arguments`, () => read(['--rounds', 3 as never]), /the arguments must be a list of strings/),
  ];
  for (const flag of ['rounds', 'epochs']) {
    for (const value of ['0', '-1', '1.5', 'zero', 'NaN', 'Infinity', '-Infinity', '1e3', '0x10', '99999999999999999999', '+', '3 rounds']) {
      rows.push(flagRow(`${demo} --${flag} ${value}`, () => read([`--${flag}=${value}`]), new RegExp(`^--${flag} must be an integer ≥ 1, got '${escape(value)}'$`)));
    }
  }
  return rows;
}

/** `npm run disk` with a wrong output folder: refused before any training, files kept. */
function diskOutRows(): ContractRow[] {
  const quick = ['--rounds', '1', '--epochs', '1', '--quiet'];
  return [
    row('npm run disk --out FILE: a file for the folder', () => {
      const dir = folderWith({ 'results.md': 'mine' });
      const file = path.join(dir, 'results.md');
      return { act: () => runDiskDemo([...quick, '--out', file]), keeps: { files: allPaths(dir) } };
    }, /^--out '.*results\.md' is a file, expected a folder$/),
    row('npm run disk --out FILE/run: a folder under a file', () => {
      const dir = folderWith({ notes: 'mine' });
      return { act: () => runDiskDemo([...quick, '--out', path.join(dir, 'notes', 'run')]), keeps: { files: [...allPaths(dir), path.join(dir, 'notes', 'run')] } };
    }, /^--out '.*notes\/run': cannot create the folder: '.*notes' is a file, not a folder$/),
    row('npm run disk --out DIR where results.json is a folder', () => {
      const dir = folderWith({ 'results.md': 'old', 'results.json/': '' });
      return { act: () => runDiskDemo([...quick, '--out', dir]), keeps: { files: allPaths(dir) } };
    }, /'.*results\.json' is a folder; the demo writes a file of that name there/),
    row('npm run disk --save --out DIR where course-model.json is a folder', () => {
      const dir = folderWith({ 'course-model.json/': '' });
      return { act: () => runDiskDemo([...quick, '--save', '--out', dir]), keeps: { files: allPaths(dir) } };
    }, /'.*course-model\.json' is a folder/),
    row('npm run disk --out DIR where a figure (dataset.png) is a folder', () => {
      const dir = folderWith({ 'dataset.png/': '' });
      return { act: () => runDiskDemo([...quick, '--out', dir]), keeps: { files: allPaths(dir) } };
    }, /'.*dataset\.png' is a folder/),
    row('npm run disk --out new/<300 characters>: a name too long, the parent made is removed', () => {
      const dir = scratch();
      return { act: () => runDiskDemo([...quick, '--out', path.join(dir, 'new', 'x'.repeat(300))]), keeps: { files: [dir, path.join(dir, 'new')] } };
    }, /^--out '.*': cannot create the folder: the name is too long \(ENAMETOOLONG/),
    row('npm run disk --out LINK: a symbolic link to nothing', () => {
      const dir = scratch();
      const link = path.join(dir, 'link');
      fs.symlinkSync(path.join(dir, 'nowhere'), link);
      // (the link itself is not in keeps: the harness cannot describe a link to nothing)
      return { act: () => runDiskDemo([...quick, '--out', link]), keeps: { files: [dir, path.join(dir, 'nowhere')] } };
    }, /^--out '.*link' is a symbolic link to '.*nowhere', which does not exist$/),
  ];
}

function convDiskOutRows(): ContractRow[] {
  return [
    row('npm run conv-disk --out FILE: a file for the folder (default 10 rounds of 300 epochs: refused before them)', () => {
      const dir = folderWith({ 'results.json': '{}' });
      return { act: () => runConvDiskDemo(['--out', path.join(dir, 'results.json')]), keeps: { files: allPaths(dir) } };
    }, /^--out '.*results\.json' is a file, expected a folder$/),
    row('npm run conv-disk --out DIR where curves.json is a folder', () => {
      const dir = folderWith({ 'results.md': 'old', 'curves.json/': '' });
      return { act: () => runConvDiskDemo(['--out', dir]), keeps: { files: allPaths(dir) } };
    }, /'.*curves\.json' is a folder; the demo writes a file of that name there/),
    row('npm run conv-disk --out FILE/a/b: folders under a file', () => {
      const dir = folderWith({ f: '' });
      return { act: () => runConvDiskDemo(['--out', path.join(dir, 'f', 'a', 'b')]), keeps: { files: allPaths(dir) } };
    }, /cannot create the folder: '.*\/f' is a file, not a folder/),
  ];
}

// ---------------------------------------------------------------- npm run mnist

/** A folder with the MNIST files named in `present` (empty files: only their presence is checked). */
function mnistFolder(present: Array<keyof typeof MNIST_FILES>, gz = false): string {
  const dir = scratch();
  for (const key of present) fs.writeFileSync(path.join(dir, MNIST_FILES[key] + (gz ? '.gz' : '')), '');
  return dir;
}

function mnistRows(): ContractRow[] {
  const rows: ContractRow[] = [
    flagRow('npm run mnist --model resnet', () => readMnistFlags(['--model', 'resnet']), /^unknown --model 'resnet'; choose one of softmax, mlp, cnn$/),
    flagRow('npm run mnist --model MLP', () => readMnistFlags(['--model', 'MLP']), /unknown --model 'MLP' \(did you mean 'mlp'\?\)/),
    flagRow('npm run mnist --model=', () => readMnistFlags(['--model=']), /^--model is empty; give it a value, or leave the flag out for its default mlp$/),
    flagRow('npm run mnist --lr 0.1: a setting that is not a flag', () => readMnistFlags(['--lr', '0.1']), /^unknown flag --lr; the flags are --model, --epochs, --seed, --data, --out, --monitor, --help$/),
    flagRow('npm run mnist --batch_size 32', () => readMnistFlags(['--batch_size', '32']), /^unknown flag --batch_size/),
    flagRow('npm run mnist --seeds 3', () => readMnistFlags(['--seeds', '3']), /unknown flag --seeds \(did you mean --seed\?\)/),
    flagRow('npm run mnist cnn: the model without --model', () => readMnistFlags(['cnn']), /^unexpected argument 'cnn'/),
    flagRow('npm run mnist --seed \'\'', () => readMnistFlags(['--seed=']), /^--seed is empty/),
    flagRow('npm run mnist --data DIR that does not exist', () => readMnistFlags(['--data', path.join(scratch(), 'nope')]), /^--data '.*nope': no such folder$/),
    row('npm run mnist --data FILE: a file for the folder', () => {
      const dir = folderWith({ 'train-images-idx3-ubyte': '' });
      const file = path.join(dir, 'train-images-idx3-ubyte');
      return { act: () => readMnistFlags(['--data', file]), keeps: { files: allPaths(dir) } };
    }, /^--data '.*train-images-idx3-ubyte' is a file, expected a folder$/),
    flagRow('npm run mnist --data DIR without any MNIST file', () => readMnistFlags(['--data', scratch()]),
      /^--data '.*': cannot find the training images: looked for train-images-idx3-ubyte and train-images-idx3-ubyte\.gz$/),
    flagRow('npm run mnist --data DIR without the training labels', () => readMnistFlags(['--data', mnistFolder(['trainImages', 'testImages', 'testLabels'])]),
      /cannot find the training labels: looked for train-labels-idx1-ubyte and train-labels-idx1-ubyte\.gz$/),
    flagRow('npm run mnist --data DIR without the test images (gzipped others)', () => readMnistFlags(['--data', mnistFolder(['trainImages', 'trainLabels', 'testLabels'], true)]),
      /cannot find the test images: looked for t10k-images-idx3-ubyte and t10k-images-idx3-ubyte\.gz$/),
    flagRow('npm run mnist --data DIR without the test labels', () => readMnistFlags(['--data', mnistFolder(['trainImages', 'trainLabels', 'testImages'])]),
      /cannot find the test labels/),
    row('npm run mnist --model cnn --out FILE: refused before the data is read', () => {
      const dir = folderWith({ 'results.md': 'mine' });
      return { act: () => runMnistDemo(['--model', 'cnn', '--out', path.join(dir, 'results.md')]), keeps: { files: allPaths(dir) } };
    }, /^--out '.*results\.md' is a file, expected a folder$/),
    row('npm run mnist --out DIR where results.json is a folder', () => {
      const dir = folderWith({ 'results.json/': '' });
      return { act: () => runMnistDemo(['--epochs', '1', '--out', dir]), keeps: { files: allPaths(dir) } };
    }, /'.*results\.json' is a folder/),
  ];
  for (const value of ['0', '-3', '2.5', 'ten', '1e2', '']) {
    rows.push(flagRow(`npm run mnist --epochs '${value}'`, () => readMnistFlags([`--epochs=${value}`]),
      value === '' ? /^--epochs is empty/ : new RegExp(`^--epochs must be an integer ≥ 1, got '${escape(value)}'$`)));
  }
  return rows;
}

// ---------------------------------------------------------------- npm run predict

/** A folder with a model file saved by lib without the disk demo's metadata, and a CSV. */
function predictFolder(csv = '0.5,0.5\n'): { dir: string; model: string; csv: string } {
  const dir = folderWith({ 'points.csv': csv, 'not-a-model.json': '{"format":"something else"}', 'broken.json': '{"format": "minidl-model", "vers' });
  const model = path.join(dir, 'plain-model.json');
  saveModel(new Linear(2, 2, { rng: new Rng(1) }), model);
  return { dir, model, csv: path.join(dir, 'points.csv') };
}

function predictRows(): ContractRow[] {
  const rows: ContractRow[] = [
    flagRow('npm run predict without flags', () => readPredictFlags([]), /^--model FILE is required \(a model saved by npm run disk -- --save\)$/),
    flagRow('npm run predict --points only', () => readPredictFlags(['--points', '0.5,0.5']), /^--model FILE is required/),
    row('npm run predict --model FILE without points', () => {
      const { dir, model } = predictFolder();
      return { act: () => readPredictFlags(['--model', model]), keeps: { files: allPaths(dir) } };
    }, /^give the points to classify with --points "X,Y …" or --csv FILE$/),
    row('npm run predict with both --points and --csv', () => {
      const { dir, model, csv } = predictFolder();
      return { act: () => readPredictFlags(['--model', model, '--points', '0.5,0.5', '--csv', csv]), keeps: { files: allPaths(dir) } };
    }, /^give either --points or --csv, not both$/),
    flagRow('npm run predict --model FILE that does not exist', () => readPredictFlags(['--model', path.join(scratch(), 'none.json'), '--points', '0.5,0.5']), /^--model '.*none\.json': no such file$/),
    flagRow('npm run predict --model DIR', () => readPredictFlags(['--model', scratch(), '--points', '0.5,0.5']), /^--model '.*' is a folder, expected a file$/),
    row('npm run predict --csv FILE that does not exist', () => {
      const { dir, model } = predictFolder();
      return { act: () => readPredictFlags(['--model', model, '--csv', path.join(dir, 'missing.csv')]), keeps: { files: allPaths(dir) } };
    }, /^--csv '.*missing\.csv': no such file$/),
    row('npm run predict --csv DIR', () => {
      const { dir, model } = predictFolder();
      return { act: () => readPredictFlags(['--model', model, '--csv', dir]), keeps: { files: allPaths(dir) } };
    }, /^--csv '.*' is a folder, expected a file$/),
    row('npm run predict --csv FILE/x: a path through a file', () => {
      const { dir, model, csv } = predictFolder();
      return { act: () => readPredictFlags(['--model', model, '--csv', path.join(csv, 'x')]), keeps: { files: allPaths(dir) } };
    }, /^--csv '.*points\.csv\/x': a part of the path is a file, not a folder \(ENOTDIR/),
    row('npm run predict --model NOT-A-MODEL.json', () => {
      const { dir } = predictFolder();
      return { act: () => runPredictDemo(['--model', path.join(dir, 'not-a-model.json'), '--points', '0.5,0.5']), keeps: { files: allPaths(dir) } };
    }, /not-a-model\.json/, /minidl-model/),
    row('npm run predict --model a cut-off file', () => {
      const { dir } = predictFolder();
      return { act: () => runPredictDemo(['--model', path.join(dir, 'broken.json'), '--points', '0.5,0.5']), keeps: { files: allPaths(dir) } };
    }, /broken\.json is not valid JSON/),
    row('npm run predict --model a minidl model without the disk metadata', () => {
      const { dir, model } = predictFolder();
      return { act: () => runPredictDemo(['--model', model, '--points', '0.5,0.5']), keeps: { files: allPaths(dir) } };
    }, /^loadDiskModel: .*plain-model\.json is a minidl model but not one saved by the disk demo/),
    row('loadDiskModel(a minidl model without the disk metadata)', () => {
      const { dir, model } = predictFolder();
      return { act: () => loadDiskModel(model), keeps: { files: allPaths(dir) } };
    }, /^loadDiskModel: .* lacks the input standardization or the decision rule$/),
  ];
  const points: Array<[string, RegExp]> = [
    ['', /^--points is empty/],
    [' ; ', /^--points: no points given$/],
    ['0.5', /^--points, point 1: expected two numbers x1,x2, got '0\.5'$/],
    ['0.5,0.5 0.1', /^--points, point 2: expected two numbers x1,x2, got '0\.1'$/],
    ['0.5,abc', /expected two numbers x1,x2, got '0\.5,abc'/],
    ['0.5,NaN', /expected two numbers x1,x2, got '0\.5,NaN'/],
    ['Infinity,0.5', /expected two numbers x1,x2, got 'Infinity,0\.5'/],
    ['0.5,-Infinity', /expected two numbers x1,x2, got '0\.5,-Infinity'/],
    ['0.5,0.5,0.5', /expected two numbers x1,x2, got '0\.5,0\.5,0\.5'/],
    [',0.5', /expected two numbers x1,x2, got ',0\.5'/],
    ['1.5,0.5', /^--points, point 1: \(1\.5, 0\.5\) lies outside the unit square \[0,1\]², the only region the network learned$/],
    ['-0.1,0.5', /\(-0\.1, 0\.5\) lies outside the unit square/],
    ['0.5,1e9', /\(0\.5, 1000000000\) lies outside the unit square/],
  ];
  for (const [value, message] of points) {
    rows.push(row(`npm run predict --points '${value}'`, () => {
      const { dir, model } = predictFolder();
      return { act: () => readPredictFlags(['--model', model, `--points=${value}`]), keeps: { files: allPaths(dir) } };
    }, message));
  }
  const csvs: Array<[string, string, RegExp]> = [
    ['an empty CSV', '', /points\.csv: no points found$/],
    ['a header only', 'x1,x2\n', /points\.csv: no points found$/],
    ['a bad third line', 'x1,x2\n0.5,0.5\n0.1,abc\n', /points\.csv, line 3: expected two numbers x1,x2, got '0\.1,abc'$/],
    ['three columns', '0.5,0.5,1\n', /points\.csv, line 1: expected two numbers/],
    ['a point outside the square', '0.5,0.5\n2,2\n', /points\.csv, line 2: \(2, 2\) lies outside the unit square/],
    ['NaN', '0.5,NaN\n', /points\.csv, line 1: expected two numbers x1,x2, got '0\.5,NaN'/],
  ];
  for (const [name, text, message] of csvs) {
    rows.push(row(`npm run predict --csv: ${name}`, () => {
      const { dir, model, csv } = predictFolder(text);
      return { act: () => readPredictFlags(['--model', model, '--csv', csv]), keeps: { files: allPaths(dir) } };
    }, message));
  }
  rows.push(
    flagRow('parsePointList(\'x,y\')', () => parsePointList('x,y'), /--points, point 1: expected two numbers x1,x2, got 'x,y'/),
    flagRow('parsePointsCsv with a blank header cell', () => parsePointsCsv('0.5,0.5\n,\n', 'p.csv'), /p\.csv, line 2: expected two numbers x1,x2, got ','/),
  );
  return rows;
}

// ---------------------------------------------------------------- npm run playground

function playgroundRows(): ContractRow[] {
  const rows: ContractRow[] = [];
  for (const value of ['65536', '-1', '80.5', 'http', '0x1F90', '1e4']) {
    rows.push(flagRow(`npm run playground --port ${value}`, () => readPlaygroundFlags([`--port=${value}`]), new RegExp(`^--port must be an integer from 0 to 65535, got '${escape(value)}'$`)));
  }
  rows.push(
    flagRow('npm run playground --port: no value', () => readPlaygroundFlags(['--port']), /^--port needs a value, as in --port N$/),
    flagRow('npm run playground --build-only=false', () => readPlaygroundFlags(['--build-only=false']), /^--build-only takes no value/),
    flagRow('npm run playground --host 0.0.0.0: no such flag (the server listens on 127.0.0.1 only)', () => readPlaygroundFlags(['--host', '0.0.0.0']), /^unknown flag --host; the flags are --port, --out, --build-only, --help$/),
    flagRow('npm run playground --build_only', () => readPlaygroundFlags(['--build_only']), /unknown flag --build_only \(did you mean --build-only\?\)/),
    flagRow('npm run playground 9000: the port without --port', () => readPlaygroundFlags(['9000']), /^unexpected argument '9000'/),
  );
  return rows;
}

// ---------------------------------------------------------------- the flag readers themselves

function readerRows(): ContractRow[] {
  const flags = { rounds: { type: 'string' as const, help: '' }, quiet: { type: 'boolean' as const, help: '' } };
  return [
    flagRow('intFlag: an absent value', () => intFlag('rounds', undefined), /^--rounds must be an integer ≥ 1, got nothing$/),
    flagRow('intFlag: a boolean', () => intFlag('rounds', true), /^--rounds must be an integer ≥ 1, got true$/),
    flagRow('intFlag: above the maximum', () => intFlag('port', '70000', 0, 65535), /^--port must be an integer from 0 to 65535, got '70000'$/),
    flagRow('intFlag: below a minimum of 0', () => intFlag('port', '-1', 0, 65535), /got '-1'$/),
    flagRow('choiceFlag: not a choice', () => choiceFlag('model', 'big', ['small', 'medium']), /^unknown --model 'big'; choose one of small, medium$/),
    flagRow('choiceFlag: an absent value', () => choiceFlag('model', undefined, ['small']), /^unknown --model nothing; choose one of small$/),
    flagRow('textFlag: blank', () => textFlag('seed', '   '), /^--seed must not be empty, got '   '$/),
    flagRow('existingFileFlag: missing', () => existingFileFlag('csv', path.join(scratch(), 'x.csv')), /^--csv '.*x\.csv': no such file$/),
    flagRow('existingFolderFlag: missing', () => existingFolderFlag('data', path.join(scratch(), 'x')), /^--data '.*x': no such folder$/),
    flagRow('readArgv: a flag written -rounds', () => readArgv(['-rounds', '3'], '', flags), /unknown flag -r/),
    flagRow('readArgv: --rounds -x (a value that looks like a flag)', () => readArgv(['--rounds', '-x'], '', flags), /^--rounds needs a value, got the flag -x \(a value starting with '-' is written --rounds=-x\)$/),
    flagRow('readArgv: a NUL character in a value', () => readArgv(['--rounds', '3\0'], '', flags), /^--rounds contains a NUL character: '3\\0'$/),
  ];
}

// ---------------------------------------------------------------- the output folder

function outDirRows(): ContractRow[] {
  return [
    flagRow('prepareOutDir: an empty name', () => prepareOutDir('--out', ''), /^--out: expected a folder name, got an empty string$/),
    flagRow('prepareOutDir: a NUL character', () => prepareOutDir('--out', 'out\0x'), /^--out 'out\\0x': the path contains a NUL character$/),
    row('prepareOutDir: a result name with a folder part', () => {
      const dir = scratch();
      return { act: () => prepareOutDir('--out', path.join(dir, 'run'), ['figures/a.svg']), keeps: { files: [dir, path.join(dir, 'run')] } };
    }, /^prepareOutDir: file names must be plain names without a folder, got 'figures\/a\.svg'$/),
    row('prepareOutDir: .. as a result name', () => {
      const dir = scratch();
      return { act: () => prepareOutDir('--out', dir, ['..']), keeps: { files: [dir] } };
    }, /got '\.\.'$/),
    row('prepareOutDir: a file', () => {
      const dir = folderWith({ out: 'text' });
      return { act: () => prepareOutDir('--out', path.join(dir, 'out')), keeps: { files: allPaths(dir) } };
    }, /^--out '.*out' is a file, expected a folder$/),
    row('prepareOutDir: three levels under a file, none created', () => {
      const dir = folderWith({ f: 'text' });
      return { act: () => prepareOutDir('--out', path.join(dir, 'f', 'a', 'b', 'c')), keeps: { files: allPaths(dir) } };
    }, /cannot create the folder: '.*\/f' is a file, not a folder$/),
    row('prepareOutDir: a result name that is a folder in an existing folder', () => {
      const dir = folderWith({ 'results.md': 'old', 'curves.json/inner/': '' });
      return { act: () => prepareOutDir('--out', dir, ['results.md', 'curves.json']), keeps: { files: allPaths(dir) } };
    }, /'.*curves\.json' is a folder; the demo writes a file of that name there$/),
    row('prepareOutDir: a name too long three levels down (the two folders made are removed)', () => {
      const dir = scratch();
      return { act: () => prepareOutDir('--out', path.join(dir, 'a', 'b', 'y'.repeat(256)), ['results.md']), keeps: { files: [dir, path.join(dir, 'a'), path.join(dir, 'a', 'b')] } };
    }, /^--out '.*\/a\/b\/yyyy+': cannot create the folder: the name is too long \(ENAMETOOLONG/),
    row('prepareOutDir: a dangling symbolic link', () => {
      const dir = scratch();
      const link = path.join(dir, 'out');
      fs.symlinkSync('missing-target', link);
      // (the link itself is not in keeps: the harness cannot describe a link to nothing)
      return { act: () => prepareOutDir('--out', link), keeps: { files: [dir, path.join(dir, 'missing-target')] } };
    }, /^--out '.*out' is a symbolic link to 'missing-target', which does not exist$/),
    row('prepareOutDir: a symbolic link to a file', () => {
      const dir = folderWith({ target: 'text' });
      const link = path.join(dir, 'out');
      fs.symlinkSync(path.join(dir, 'target'), link);
      return { act: () => prepareOutDir('--out', link), keeps: { files: [...allPaths(dir)] } };
    }, /^--out '.*out' is a file, expected a folder$/),
  ];
}

// ---------------------------------------------------------------- writing the results

const RESULTS: OutputFile[] = [
  { name: 'results.md', contents: '| new |\n' },
  { name: 'results.json', contents: '{"new":true}\n' },
  { name: 'curves.json', contents: new Uint8Array([123, 125, 10]) },
];

/** A folder holding an earlier run's results.md and results.json. */
function earlierRun(): string {
  return folderWith({ 'results.md': '| old |\n', 'results.json': '{"old":true}\n' });
}

/** The earlier run's files, and the temporary names, which must stay absent. */
function resultPaths(dir: string): string[] {
  return [...allPaths(dir), ...RESULTS.flatMap((f) => [path.join(dir, f.name), path.join(dir, temporaryName(f.name))])];
}

/** Node's fs, the `nth` call of `method` failing with `code` as Node would (counting from 1). */
function failing(method: keyof FileSystemCalls, nth: number, code: string, text: string): FileSystemCalls {
  let calls = 0;
  const original = fs[method] as (...args: unknown[]) => unknown;
  return { ...fs, [method]: (...args: unknown[]) => {
    if (++calls === nth) throw Object.assign(new Error(`${code}: ${text}, ${method}`), { code });
    return original(...args);
  } } as FileSystemCalls;
}

function writeRows(): ContractRow[] {
  const rows: ContractRow[] = [
    row('writeFilesAtomically: a folder that does not exist', () => {
      const dir = scratch();
      return { act: () => writeFilesAtomically(path.join(dir, 'gone'), RESULTS), keeps: { files: [dir, path.join(dir, 'gone')] } };
    }, /^cannot write into '.*gone': no such file or folder \(ENOENT/),
    row('writeFilesAtomically: a file for the folder', () => {
      const dir = folderWith({ f: 'text' });
      return { act: () => writeFilesAtomically(path.join(dir, 'f'), RESULTS), keeps: { files: allPaths(dir) } };
    }, /^cannot write into '.*\/f': it is a file, not a folder$/),
    flagRow('writeFilesAtomically: an empty folder name', () => writeFilesAtomically('', RESULTS), /^writeFilesAtomically: expected a folder name, got an empty string$/),
    row('writeFilesAtomically: not a list', () => {
      const dir = earlierRun();
      return { act: () => writeFilesAtomically(dir, RESULTS[0] as never), keeps: { files: resultPaths(dir) } };
    }, /^writeFilesAtomically: expected a list of \{ name, contents \}/),
    row('writeFilesAtomically: a number as contents', () => {
      const dir = earlierRun();
      return { act: () => writeFilesAtomically(dir, [RESULTS[0], { name: 'n.json', contents: 42 as never }]), keeps: { files: resultPaths(dir) } };
    }, /^writeFilesAtomically: the contents of 'n\.json' must be a string or bytes, got number$/),
    row('writeFilesAtomically: a name given twice', () => {
      const dir = earlierRun();
      return { act: () => writeFilesAtomically(dir, [...RESULTS, RESULTS[1]]), keeps: { files: resultPaths(dir) } };
    }, /^writeFilesAtomically: 'results\.json' is given twice$/),
    row('writeFilesAtomically: a target that is a folder', () => {
      const dir = folderWith({ 'results.md': 'old', 'curves.json/': '' });
      return { act: () => writeFilesAtomically(dir, RESULTS), keeps: { files: resultPaths(dir) } };
    }, /^cannot write '.*curves\.json': it is a folder, not a file; no file was changed in/),
  ];
  for (const name of ['', '.', '..', '../escape.json', 'sub/results.json', 'a\\b', 'nul\0.json']) {
    rows.push(row(`writeFilesAtomically: the name '${name.replace('\0', '\\0')}'`, () => {
      const dir = earlierRun();
      return { act: () => writeFilesAtomically(dir, [{ name, contents: 'x' }]), keeps: { files: [...resultPaths(dir), path.join(dir, '..', 'escape.json')] } };
    }, /^writeFilesAtomically: file names must be plain names without a folder/));
  }
  const faults: Array<[keyof FileSystemCalls, number, string, string, string, RegExp]> = [
    ['writeSync', 1, 'ENOSPC', 'no space left on device', 'a full disk while writing results.md', /^cannot write '.*results\.md': the disk is full \(ENOSPC, no space left on device\); no file was changed in '.*'$/],
    ['writeSync', 2, 'ENOSPC', 'no space left on device', 'a full disk while writing results.json', /results\.json': the disk is full/],
    ['writeSync', 3, 'ENOSPC', 'no space left on device', 'a full disk while writing curves.json (after two files)', /curves\.json': the disk is full/],
    ['writeSync', 3, 'EDQUOT', 'disk quota exceeded', 'a quota reached at the third file', /curves\.json': the disk quota is used up \(EDQUOT/],
    ['writeSync', 2, 'EIO', 'i/o error', 'a disk error while writing', /results\.json': an input\/output error of the disk \(EIO/],
    ['openSync', 1, 'EROFS', 'read-only file system', 'a file system turned read-only', /results\.md': the file system is read-only \(EROFS/],
    ['openSync', 2, 'EACCES', 'permission denied', 'permission denied on the second file', /results\.json': permission denied \(EACCES\)/],
    ['openSync', 3, 'EMFILE', 'too many open files', 'no file descriptor left', /curves\.json': too many open files \(EMFILE/],
    ['fsyncSync', 1, 'EIO', 'i/o error', 'a failing flush of the first file', /results\.md': an input\/output error/],
    ['fsyncSync', 3, 'ENOSPC', 'no space left on device', 'a full disk found by the flush of the last file', /curves\.json': the disk is full/],
    ['closeSync', 2, 'EIO', 'i/o error', 'a failing close', /results\.json': an input\/output error/],
    ['renameSync', 1, 'EIO', 'i/o error', 'the first rename failing', /^cannot write '.*results\.md': an input\/output error of the disk \(EIO, i\/o error\); no file was changed in/],
    ['renameSync', 2, 'EXDEV', 'cross-device link not permitted', 'the second rename failing (the first is undone)', /results\.json': it is on another file system \(EXDEV.*; no file was changed in/],
    ['renameSync', 3, 'EBUSY', 'resource busy or locked', 'the last rename failing (two undone, one new file removed)', /curves\.json': it is busy \(EBUSY.*; no file was changed in/],
  ];
  for (const [method, nth, code, text, name, message] of faults) {
    rows.push(row(`writeFilesAtomically: ${name}`, () => {
      const dir = earlierRun();
      return { act: () => writeFilesAtomically(dir, RESULTS, failing(method, nth, code, text)), keeps: { files: resultPaths(dir) } };
    }, message));
  }
  return rows;
}

// ---------------------------------------------------------------- the demos' functions with options

function runConfigRows(): ContractRow[] {
  const config = findConfig('course')!;
  const ok: RunConfigOptions = { seed: '0', rounds: 1, epochs: 1 };
  const cases: Array<[string, unknown, RegExp]> = [
    ["runConfig(config, 'abc'): a bare seed", 'abc', /^runConfig: expected an options object such as \{ seed: 'abc' \}, got string 'abc'/],
    ['runConfig(config): no options', undefined, /^runConfig: expected options such as \{ seed: '0', rounds: 10, epochs: 300 \}, got undefined$/],
    ['runConfig(config, null)', null, /^runConfig: expected an options object/],
    ['runConfig(config, [1, 2])', [1, 2], /^runConfig: expected an options object .*got an array \[1,2\]/],
    ['runConfig: rounds 0', { ...ok, rounds: 0 }, /^runConfig: option 'rounds' must be an integer ≥ 1, got 0$/],
    ['runConfig: rounds -2', { ...ok, rounds: -2 }, /option 'rounds' must be an integer ≥ 1, got -2/],
    ['runConfig: rounds 1.5', { ...ok, rounds: 1.5 }, /^runConfig: option 'rounds' must be a whole number, got number 1\.5$/],
    ["runConfig: rounds '2'", { ...ok, rounds: '2' }, /option 'rounds' must be a whole number, got string '2'/],
    ['runConfig: rounds null', { ...ok, rounds: null }, /^runConfig: option 'rounds' is null/],
    ['runConfig: rounds missing', { seed: '0', epochs: 1 }, /^runConfig: option 'rounds' must be an integer ≥ 1, got undefined$/],
    ['runConfig: epochs NaN', { ...ok, epochs: NaN }, /option 'epochs' must be a whole number, got number NaN/],
    ['runConfig: epochs Infinity', { ...ok, epochs: Infinity }, /option 'epochs' must be a whole number, got number Infinity/],
    ['runConfig: epochs 0', { ...ok, epochs: 0 }, /option 'epochs' must be an integer ≥ 1, got 0/],
    ["runConfig: seed ''", { ...ok, seed: '' }, /^runConfig: option 'seed' must be a non-empty string, got string ''$/],
    ['runConfig: seed 3 (a number)', { ...ok, seed: 3 }, /option 'seed' must be a string, got number 3/],
    ['runConfig: seed missing', { rounds: 1, epochs: 1 }, /option 'seed' must be a non-empty string, got undefined/],
    ['runConfig: track_test_error', { ...ok, track_test_error: false }, /^runConfig: unknown option 'track_test_error' \(did you mean 'trackTestError'\?\); known options: seed, rounds, epochs, trackTestError$/],
    ["runConfig: trackTestError 'yes'", { ...ok, trackTestError: 'yes' }, /option 'trackTestError' must be true or false, got string 'yes'/],
    ['runConfig: batchSize (the configuration fixes it)', { ...ok, batchSize: 10 }, /unknown option 'batchSize'/],
  ];
  const rows = cases.map(([name, options, message]) => flagRow(name, () => runConfig(config, options as never), message));
  rows.push(
    flagRow('runConfig(null, options)', () => runConfig(null as never, ok), /^runConfig: expected a configuration of DISK_CONFIGS \(demos\/disk\/configs\.ts\), got null$/),
    flagRow("runConfig('course', options): a name for the configuration", () => runConfig('course' as never, ok), /expected a configuration of DISK_CONFIGS .*got string 'course'/),
    flagRow("runConfig(config, options, 'print'): onRound not a function", () => runConfig(config, ok, 'print' as never), /^runConfig: onRound must be a function, got string 'print'$/),
  );
  return rows;
}

/** Data of the right kind for trainMnist (the options are refused before it is read). */
function tinyMnist(): MnistData {
  const split = () => ({ images: new Tensor([2, 784]), labels: new Int32Array([0, 1]), rows: 28, cols: 28 });
  return { train: split(), test: split(), source: 'two blank images' };
}

function trainMnistRows(): ContractRow[] {
  const ok: TrainMnistOptions = { model: 'softmax', epochs: 1, seed: '0' };
  const cases: Array<[string, unknown, RegExp]> = [
    ["trainMnist(data, 'mlp'): a bare model name", 'mlp', /^trainMnist: expected an options object such as \{ model: 'mlp' \}, got string 'mlp'/],
    ['trainMnist(data): no options', undefined, /^trainMnist: expected options such as \{ model: 'mlp', epochs: 20, seed: '0' \}, got undefined$/],
    ["trainMnist: model 'resnet'", { ...ok, model: 'resnet' }, /^trainMnist: option 'model' must be one of 'softmax', 'mlp', 'cnn', got string 'resnet'$/],
    ['trainMnist: model missing', { epochs: 1, seed: '0' }, /^trainMnist: option 'model' is required: one of softmax, mlp, cnn$/],
    ['trainMnist: epochs 0', { ...ok, epochs: 0 }, /^trainMnist: option 'epochs' must be an integer ≥ 1, got 0$/],
    ['trainMnist: epochs 2.5', { ...ok, epochs: 2.5 }, /option 'epochs' must be a whole number, got number 2\.5/],
    ["trainMnist: epochs '3'", { ...ok, epochs: '3' }, /option 'epochs' must be a whole number, got string '3'/],
    ['trainMnist: epochs null', { ...ok, epochs: null }, /option 'epochs' is null/],
    ['trainMnist: epochs missing', { model: 'mlp', seed: '0' }, /option 'epochs' must be an integer ≥ 1, got undefined/],
    ["trainMnist: seed ''", { ...ok, seed: '' }, /option 'seed' must be a non-empty string, got string ''/],
    ['trainMnist: seed 0 (a number)', { ...ok, seed: 0 }, /option 'seed' must be a string, got number 0/],
    ["trainMnist: onEpoch 'log'", { ...ok, onEpoch: 'log' }, /option 'onEpoch' must be a function, got string 'log'/],
    ['trainMnist: onBatch null', { ...ok, onBatch: null }, /option 'onBatch' is null/],
    ['trainMnist: skip_evaluation', { ...ok, skip_evaluation: true }, /unknown option 'skip_evaluation' \(did you mean 'skipEvaluation'\?\)/],
    ['trainMnist: lr (the settings are fixed)', { ...ok, lr: 0.1 }, /^trainMnist: unknown option 'lr'; known options: model, epochs, seed, onBatch, onEpoch, skipEvaluation, monitor$/],
  ];
  const rows = cases.map(([name, options, message]) => flagRow(name, () => trainMnist(tinyMnist(), options as never), message));
  rows.push(
    flagRow('trainMnist(null, options)', () => trainMnist(null as never, ok), /^trainMnist: expected MNIST data \{ train, test \} such as loadMnist or loadOfflineDigits return, got null$/),
    flagRow('trainMnist({ train: [] }, options)', () => trainMnist({ train: [] } as never, ok), /^trainMnist: expected MNIST data .*got an Object/),
  );
  return rows;
}

let trainedCourse: ConfigResult | null = null;
/** One round of one epoch of the course network, trained once for every row that needs a result. */
function courseResult(): ConfigResult {
  trainedCourse ??= runConfig(findConfig('course')!, { seed: 'contract', rounds: 1, epochs: 1, trackTestError: false });
  return trainedCourse;
}

function modelFileRows(): ContractRow[] {
  const withResult = (name: string, act: (result: ConfigResult, dir: string) => unknown, files: Record<string, string>, ...message: RegExp[]): ContractRow =>
    row(name, () => {
      const result = courseResult();
      const dir = folderWith(files);
      return { act: () => act(result, dir), keeps: { modules: [result.firstRound.net.model], files: [...allPaths(dir), path.join(dir, 'course-model.json')] } };
    }, ...message);
  return [
    withResult("diskModelText(result, 's'): a bare seed", (r) => diskModelText(r, 's' as never), {}, /^diskModelText: expected an options object such as \{ seed: 's' \}/),
    withResult("diskModelText: epochs '20'", (r) => diskModelText(r, { seed: 's', epochs: '20' as never }), {}, /^diskModelText: option 'epochs' must be a whole number, got string '20'$/),
    withResult('diskModelText: epochs missing', (r) => diskModelText(r, { seed: 's' } as never), {}, /^diskModelText: run\.epochs must be an integer ≥ 1, got undefined$/),
    withResult('diskModelText: seed missing', (r) => diskModelText(r, { epochs: 20 } as never), {}, /^diskModelText: run\.seed must be the run's seed, got undefined$/),
    withResult('diskModelText: round (always 1)', (r) => diskModelText(r, { seed: 's', epochs: 1, round: 2 } as never), {}, /unknown option 'round'; known options: seed, epochs/),
    flagRow('diskModelText(null, run)', () => diskModelText(null as never, { seed: 's', epochs: 1 }), /^diskModelText: expected the result of runConfig, got null$/),
    withResult("saveDiskModel('', …)", (r) => saveDiskModel('', r, { seed: 's', epochs: 1 }), {}, /^saveDiskModel: file must be a path, got string ''$/),
    withResult('saveDiskModel into a folder that does not exist', (r, dir) => saveDiskModel(path.join(dir, 'gone', 'course-model.json'), r, { seed: 's', epochs: 1 }), {},
      /^cannot write into '.*gone': no such file or folder \(ENOENT/),
    withResult('saveDiskModel over a folder', (r, dir) => saveDiskModel(path.join(dir, 'course-model.json'), r, { seed: 's', epochs: 1 }), { 'course-model.json/': '' },
      /^cannot write '.*course-model\.json': it is a folder, not a file; no file was changed in/),
  ];
}

export const table: ContractTable = {
  title: 'demos',
  rows: [
    ...roundsFlagRows('npm run disk', readDiskFlags, 'course, mixed, bce, adam, mae, weight-decay, weight-sharing, bn, bn-batch100'),
    flagRow('npm run disk --no_figures', () => readDiskFlags(['--no_figures']), /unknown flag --no_figures \(did you mean --no-figures\?\)/),
    flagRow('npm run disk --save=yes', () => readDiskFlags(['--save=yes']), /^--save takes no value, got '--save=yes'$/),
    flagRow('npm run disk --figures: not a flag', () => readDiskFlags(['--figures']), /^unknown flag --figures/),
    ...diskOutRows(),
    ...roundsFlagRows('npm run conv-disk', readConvDiskFlags, 'course, adam, adam-reflect'),
    flagRow('npm run conv-disk --save: a flag of the disk demo only', () => readConvDiskFlags(['--save']), /^unknown flag --save; the flags are --config, --rounds, --epochs, --seed, --out, --quiet, --jobs, --help$/),
    ...convDiskOutRows(),
    ...mnistRows(),
    ...predictRows(),
    ...playgroundRows(),
    ...readerRows(),
    ...outDirRows(),
    ...writeRows(),
    ...runConfigRows(),
    ...trainMnistRows(),
    ...modelFileRows(),
  ],
};
