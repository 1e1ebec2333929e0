import { ReLU } from '../lib/modules/activations/relu';
import { Conv2d } from '../lib/modules/convolution/conv2d';
import { MaxPool2d } from '../lib/modules/pooling/max-pool2d';
import { Rng } from '../lib/random/rng';
import { setBackend } from '../lib/tensor/backend/select';
import { memoryChecks, setMemoryChecks } from '../lib/tensor/memory';
import { matmul, takeRows } from '../lib/tensor/ops';
import { withTemporaryTensors } from '../lib/tensor/temporaries';
import { Tensor, tensorToOverwrite } from '../lib/tensor/tensor';
import { bits, expectMinidlError, randn } from './helpers';

/*
 * tensorToOverwrite (lib/tensor/tensor.ts): a tensor whose maker writes every entry before
 * anything reads it is not zeroed first inside a step on the 'wasm' backend (the step's memory is
 * reused; zeroing it would be overwritten at once). What a miss would show: an earlier step's
 * number, or NaN with memory checks on (the specs run with them on), so that a writer that leaves
 * an entry out fails loudly here and in every spec that trains.
 */

afterAll(() => {
  setBackend('js');
  setMemoryChecks(true);
});

/** The tensor's values as numbers. */
function values(t: Tensor): number[] {
  return Array.from(t.data);
}

describe.each(['js', 'wasm'] as const)('%s', (backend) => {
  beforeEach(() => setBackend(backend));

  test('outside a step: zeros, as new Tensor', () => {
    expect(values(tensorToOverwrite([2, 3]))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('a bad shape throws the Tensor error, and the store zeroes again afterwards', () => {
    withTemporaryTensors(() => {
      expectMinidlError(() => tensorToOverwrite([2, 0]), /Tensor: .*shape/);
      expect(values(new Tensor([4]))).toEqual([0, 0, 0, 0]);
    });
    expect(values(new Tensor([4]))).toEqual([0, 0, 0, 0]); // and outside it
  });

  test('the layers and ops that use it: the same bits when a step reuses the memory of one before, and on js', () => {
    const rng = new Rng('overwrite');
    const x = randn(rng, [3, 2, 9, 9]);
    const conv = new Conv2d(2, 5, 3, { padding: 1, rng }), relu = new ReLU(), pool = new MaxPool2d(2);
    const a = randn(rng, [4, 6]), b = randn(rng, [6, 5]), rows = randn(rng, [7, 3]);
    const run = (): bigint[][] => withTemporaryTensors(() => {
      const y = pool.forward(relu.forward(conv.forward(x)));
      const g = relu.backward(pool.backward(Tensor.full(y.shape, 0.5)));
      return [bits(y.data), bits(g.data), bits(matmul(a, b).data), bits(takeRows(rows, [6, 0, 3]).data)];
    });
    const first = run();
    // the second run reuses the first one's memory, which then holds its numbers: the same bits again
    expect(run()).toEqual(first);
    setBackend('js');
    expect(run()).toEqual(first);
  });
});

describe('wasm: inside a step the values are not zeroed', () => {
  beforeEach(() => setBackend('wasm'));
  afterEach(() => setMemoryChecks(true));

  test('memory checks on: NaN until written (a miss is loud)', () => {
    expect(memoryChecks()).toBe(true);
    withTemporaryTensors(() => {
      const t = tensorToOverwrite([2, 2]);
      expect(values(t).every(Number.isNaN)).toBe(true);
      expect(values(new Tensor([2, 2]))).toEqual([0, 0, 0, 0]); // an ordinary tensor of the step still starts at zero
    });
  });

  test('memory checks off: the numbers an earlier step left there', () => {
    setMemoryChecks(false);
    withTemporaryTensors(() => Tensor.full([3], 7));
    const seen = withTemporaryTensors(() => values(tensorToOverwrite([3])));
    expect(seen).toEqual([7, 7, 7]);
    expect(withTemporaryTensors(() => values(new Tensor([3])))).toEqual([0, 0, 0]);
  });
});
