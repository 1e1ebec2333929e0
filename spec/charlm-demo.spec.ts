import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { charlmOutputNames, openingWords, readCharLMFlags, runCharLMDemo } from '../demos/charlm';
import { headWeights } from '../demos/charlm/attention-weights';
import { attentionFigure } from '../demos/charlm/figures';
import { CharVocabulary, makeWindows } from '../demos/charlm/data';
import { snakeCase, torchStateDict } from '../demos/charlm/export';
import { buildLstm, buildTransformer } from '../demos/charlm/models';
import { AddPositionEmbedding } from '../demos/charlm/position-embedding';
import { drawCharacter } from '../demos/charlm/sample';
import { QUICK_SETTINGS } from '../demos/charlm/settings';
import { UsageError } from '../demos/common/cli';
import { Rng } from '../lib/random/rng';
import { Tensor } from '../lib/tensor/tensor';
import { gradcheck } from '../lib/tools/gradcheck';

/**
 * The character-level language model demo (demos/charlm.ts): two `--quick` runs give the same
 * bytes in every file; its flags' errors; its own layer (AddPositionEmbedding) gradchecked; the
 * pieces a reader checks by hand (windows, sampling, the names PyTorch's state_dict gives).
 * Its agreement with PyTorch is measured by demos/charlm/charlm_torch.py, not here.
 */
const ROOT = path.join(__dirname, '..');

/** Runs `demos/charlm.ts` as `npm run charlm` does. Asynchronous, so that two runs share the cores. */
function runCharlm(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'demos', 'charlm.ts'), ...args], { cwd: ROOT });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-charlm-demo-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm run charlm -- --quick', () => {
  const dirs = ['a', 'b'].map((name) => path.join(tmp, name));
  let runs: Array<{ status: number | null; stdout: string; stderr: string }> = [];

  beforeAll(async () => {
    runs = await Promise.all(dirs.map((dir) => runCharlm(['--quick', '--out', dir])));
    for (const r of runs) if (r.status !== 0) throw new Error(`charlm demo failed: ${r.stderr}`);
  }, 60_000);

  test('two runs write the same bytes in every file (times are printed, never written)', () => {
    const names = fs.readdirSync(dirs[0]).sort();
    expect(names).toEqual(['attention.png', 'attention.svg', 'loss-curve.png', 'loss-curve.svg', 'results.json', 'results.md']);
    expect(fs.readdirSync(dirs[1]).sort()).toEqual(names);
    for (const name of names) expect(fs.readFileSync(path.join(dirs[1], name)).equals(fs.readFileSync(path.join(dirs[0], name)))).toBe(true);
    expect(fs.readFileSync(path.join(dirs[0], 'results.json'), 'utf8')).not.toMatch(/seconds|time/i);
  });

  test('it prints the loss of every epoch in bits per character, with its time, and a sample per model', () => {
    const { stdout } = runs[0];
    for (const name of ['lstm', 'transformer']) {
      for (const epoch of [1, 2]) {
        expect(stdout).toMatch(new RegExp(`^${name} epoch ${epoch}/2: train \\d\\.\\d{4} bits/char, validation \\d\\.\\d{4} bits/char \\(\\d+\\.\\d\\d s, CPU \\d+\\.\\d\\d s\\)$`, 'm'));
      }
      expect(stdout).toContain(`${name} sample (temperature 0.8), after the prompt "In the beginning God":`);
    }
    const json = JSON.parse(fs.readFileSync(path.join(dirs[0], 'results.json'), 'utf8'));
    expect(json.settings).toMatchObject({ quick: true, epochs: 2, seed: '0', maxChars: 3000, sequenceLength: 32 });
    expect(json.models.map((m: { name: string }) => m.name)).toEqual(['lstm', 'transformer']);
    for (const model of json.models) {
      const [first, second] = model.epochs;
      expect(second.trainBits).toBeLessThan(first.trainBits); // it learns
      expect(first.trainBits).toBeLessThan(Math.log2(json.text.vocabulary.length) + 0.5); // about a uniform guess at first
      expect(Array.from(model.sample.text as string)).toHaveLength(QUICK_SETTINGS.sampleLength);
    }
  });
});

describe('the flags', () => {
  const usage = (argv: string[]): string => {
    try {
      readCharLMFlags(argv);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error(`no error for ${argv.join(' ')}`);
  };

  test('defaults: both models, 20 epochs, seed 0, the bundled text, out/charlm/both; --quick takes 2 epochs', () => {
    const run = readCharLMFlags([]);
    expect(run).toMatchObject({ models: ['lstm', 'transformer'], epochs: 20, seed: '0', outDir: path.join('out', 'charlm', 'both'), exportDir: null, quick: false });
    expect(path.basename(run!.textFile)).toBe('genesis.txt');
    expect(readCharLMFlags(['--quick', '--model', 'lstm'])).toMatchObject({ models: ['lstm'], epochs: 2, outDir: path.join('out', 'charlm', 'lstm') });
    expect(charlmOutputNames(readCharLMFlags(['--model', 'lstm'])!)).toEqual(['results.md', 'results.json', 'loss-curve.svg', 'loss-curve.png']);
  });

  test('wrong flags and values are refused with a message naming them', () => {
    expect(usage(['--model', 'gru'])).toBe("unknown --model 'gru'; choose one of lstm, transformer, both");
    expect(usage(['--model', 'LSTM'])).toBe("unknown --model 'LSTM' (did you mean 'lstm'?); choose one of lstm, transformer, both");
    expect(usage(['--epochs', '0'])).toBe("--epochs must be an integer from 1 to 10000, got '0'");
    expect(usage(['--epoch', '3'])).toMatch(/^unknown flag --epoch \(did you mean --epochs\?\)/);
    expect(usage(['--quick=yes'])).toBe("--quick takes no value, got '--quick=yes'");
    expect(usage(['--text', path.join(tmp, 'missing.txt')])).toBe(`--text '${path.join(tmp, 'missing.txt')}': no such file`);
    expect(usage(['transformer'])).toMatch(/^unexpected argument 'transformer': every value follows its flag/);
  });

  test('a text too short for one validation window is refused before anything is trained or written', () => {
    const file = path.join(tmp, 'short.txt');
    fs.writeFileSync(file, 'In the beginning.\n'.repeat(10));
    const out = path.join(tmp, 'short-out');
    expect(() => runCharLMDemo(['--quick', '--text', file, '--out', out])).toThrow(
      new UsageError(`--text '${file}': the text short.txt has 180 characters; it needs at least 321 so that its last 10 % holds one validation window of 32 + 1 characters`),
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a file that is not UTF-8 is refused, not read with replacement characters', () => {
    const file = path.join(tmp, 'latin1.txt');
    fs.writeFileSync(file, Buffer.from(Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? 0xe9 : 0x61)))); // 'é' in Latin-1
    const out = path.join(tmp, 'latin1-out');
    expect(() => runCharLMDemo(['--quick', '--text', file, '--out', out])).toThrow(/^--text '.*latin1\.txt': the file is not UTF-8 text: some of its 2000 bytes are no UTF-8 character/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('--help prints every flag and exits with status 0; a wrong flag exits with status 2 and one line', async () => {
    const [help, wrong] = await Promise.all([runCharlm(['--help']), runCharlm(['--model', 'rnn'])]);
    expect(help.status).toBe(0);
    for (const flag of ['--model', '--epochs', '--seed', '--text', '--out', '--quick', '--export', '--help']) expect(help.stdout).toContain(flag);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toBe("error: unknown --model 'rnn'; choose one of lstm, transformer, both (--help lists the flags)\n");
  }, 30_000);
});

describe('AddPositionEmbedding (demos/charlm/position-embedding.ts)', () => {
  test('y[n, t, :] = x[n, t, :] + P[t, :], by hand', () => {
    const layer = new AddPositionEmbedding(3, 2, { rng: new Rng(1) });
    layer.positions.weight.value.data.set([1, 2, 3, 4, 5, 6]); // P = [[1,2],[3,4],[5,6]]
    const y = layer.forward(Tensor.from([[[10, 20], [30, 40]], [[50, 60], [70, 80]]])); // T = 2 ≤ 3
    expect(y.toArray()).toEqual([[[11, 22], [33, 44]], [[51, 62], [73, 84]]]);
    const g = layer.backward(Tensor.from([[[1, 1], [2, 2]], [[3, 3], [4, 4]]]));
    expect(g.toArray()).toEqual([[[1, 1], [2, 2]], [[3, 3], [4, 4]]]); //                          ∂L/∂X = G
    expect(Array.from(layer.positions.weight.grad.data)).toEqual([4, 4, 6, 6, 0, 0]); //           Σₙ G[n, t, :]; row 2 unused
  });

  test('gradcheck: the input and the table, on several shapes', () => {
    const rng = new Rng('charlm-gradcheck');
    for (const [N, T, E, maxLength] of [[1, 1, 1, 1], [2, 3, 4, 5], [3, 4, 2, 4]]) {
      const layer = new AddPositionEmbedding(maxLength, E, { rng });
      const x = new Tensor([N, T, E]);
      rng.fillNormal(x.data);
      const report = gradcheck(layer, x);
      expect(report.ok).toBe(true);
      expect(report.accumulates).toBe(true);
      expect(report.entries.map((e) => e.name)).toEqual(['input', 'params[0] weight']);
    }
  });

  test('refuses an input that is not [N, T, E] with T ≤ maxLength', () => {
    const layer = new AddPositionEmbedding(4, 3);
    expect(() => layer.forward(new Tensor([2, 5, 3]))).toThrow('AddPositionEmbedding(4, 3).forward: input has shape [2,5,3], expected [N,T,3] with T ≤ 4');
    expect(() => layer.forward(new Tensor([2, 3]))).toThrow('expected [N,T,3] with T ≤ 4');
    expect(() => new AddPositionEmbedding(0, 3)).toThrow(/maxLength/);
  });
});

describe('the pieces', () => {
  test('windows: targets are the inputs shifted by one character', () => {
    const vocabulary = new CharVocabulary('abcab\n');
    expect(vocabulary.chars).toEqual(['\n', 'a', 'b', 'c']);
    const ids = vocabulary.encode('abcabcab');
    const { inputs, targets } = makeWindows(ids, 3); // 8 characters: ⌊7/3⌋ = 2 windows
    expect(inputs.toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(targets.toArray()).toEqual([[2, 3, 1], [2, 3, 1]]);
    expect(vocabulary.decode([3, 0, 1])).toBe('c\na');
    expect(() => vocabulary.encode('abz')).toThrow('the character "z" at position 2 is not in the vocabulary');
  });

  test('the prompt and the attention sentence: the first words of the first line', () => {
    expect(openingWords('In the beginning God created the heaven.\nAnd', 20)).toBe('In the beginning God');
    expect(openingWords('\nShort line\n', 20)).toBe('Short line');
    expect(openingWords('Abcdefghijklmnopqrstuvwxyz', 5)).toBe('Abcde');
  });

  test('drawCharacter: seeded, and a low temperature takes the most likely character', () => {
    const logits = [0.1, 2, 0.5, 1.9];
    const draws = (seed: number): number[] => {
      const rng = new Rng(seed);
      return Array.from({ length: 50 }, () => drawCharacter(logits, 1, rng));
    };
    expect(draws(3)).toEqual(draws(3));
    expect(new Set(draws(3)).size).toBeGreaterThan(2);
    const rng = new Rng(4);
    for (let i = 0; i < 20; i++) expect(drawCharacter(logits, 0.01, rng)).toBe(1);
    expect(() => drawCharacter(logits, 0, rng)).toThrow('the temperature must be a number > 0, got 0');
  });

  test("the names and layouts of PyTorch's state_dict (Linear's weight transposed)", () => {
    expect(snakeCase('weightIhL0')).toBe('weight_ih_l0');
    expect(snakeCase('outProj.weight')).toBe('out_proj.weight');
    const lstm = buildLstm(5, { embeddingDim: 2, hiddenSize: 3 }, new Rng(0));
    const state = torchStateDict(lstm, (p) => p.value.data);
    expect(state.map((t) => [t.name, t.shape])).toEqual([
      ['0.weight', [5, 2]], ['1.weight_ih_l0', [12, 2]], ['1.weight_hh_l0', [12, 3]], ['1.bias_ih_l0', [12]], ['1.bias_hh_l0', [12]],
      ['2.weight', [5, 3]], ['2.bias', [5]],
    ]);
    const linear = lstm.modules[2] as unknown as { weight: { value: Tensor } };
    expect(state[5].values[1 * 3 + 2]).toBe(linear.weight.value.get(2, 1)); // weight[o, i] = W[i, o]
    const transformer = buildTransformer(5, 4, { embeddingDim: 4, numHeads: 2, numBlocks: 2, mlpHidden: 8 }, new Rng(0));
    const names = torchStateDict(transformer, (p) => p.value.data).map((t) => t.name);
    expect(names.slice(0, 7)).toEqual([
      '0.weight', '1.positions.weight', '2.inner.0.weight', '2.inner.0.bias',
      '2.inner.1.in_proj_weight', '2.inner.1.in_proj_bias', '2.inner.1.out_proj.weight',
    ]);
    expect(names).toContain('3.inner.1.weight');
    expect(names.slice(-4)).toEqual(['6.weight', '6.bias', '7.weight', '7.bias']);
    expect(names).toHaveLength(transformer.params().length);
  });

  test('the attention weights of each head: causal, rows summing to 1', () => {
    const vocabulary = new CharVocabulary('In the beginning');
    const model = buildTransformer(vocabulary.size, 16, { embeddingDim: 8, numHeads: 2, numBlocks: 2, mlpHidden: 16 }, new Rng(5));
    for (const block of [0, 1]) {
      const { chars, weights } = headWeights(model, vocabulary, 'the beginning', block);
      expect(chars).toHaveLength(13);
      expect(weights).toHaveLength(2);
      for (const head of weights) {
        head.forEach((row, i) => {
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
          row.forEach((w, j) => { if (j > i) expect(w).toBe(0); });
        });
      }
    }
  });

  test('the attention figure: each character labels its row in a font 1 px smaller than a cell, centred on it, ␣ raised to the height of the letters', () => {
    const chars = ['I', 'n', ' ', 't'];
    const weights = [chars.map((_, i) => chars.map((__, j) => (j <= i ? 1 / (i + 1) : 0)))];
    const svg = attentionFigure('title', { chars, weights }, 'note');
    // 4 characters: cells of 16 px from y = 100, labels of 15 px right-aligned 5 px left of the panel
    const rows = [...svg.matchAll(/<text x="85" y="([\d.]+)" text-anchor="end" font-size="15">([^<]*)<\/text>/g)].map((m) => [Number(m[1]), m[2]] as const);
    expect(rows.map(([, c]) => c)).toEqual(['I', 'n', '␣', 't']);
    rows.forEach(([y, c], k) => expect(y - (100 + 16 * k + 8)).toBeCloseTo(c === '␣' ? -0.04 * 15 : 0.3 * 15, 6));
  });
});
