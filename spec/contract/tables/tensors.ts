import {
  addRowVector, argmaxRows, concatColumns, matmul, matmulTransA, matmulTransB, sliceColumns, sumRows, takeRows,
} from '../../../lib/tensor/ops';
import { withTemporaryTensors } from '../../../lib/tensor/temporaries';
import { Tensor } from '../../../lib/tensor/tensor';
import { ContractRow, ContractTable, any, row } from '../harness';

/*
 * Tensors and the operations of lib/tensor/ops.ts: shapes that are not lists of whole sizes ≥ 1,
 * data that is not numbers (strings, booleans, objects, nested or ragged arrays, typed arrays
 * where nested arrays belong), indices that are not whole numbers in range, values that are not
 * numbers, and the products' options (unknown keys, wrong types, an `into` of the wrong shape or
 * sharing memory). A refused call leaves every tensor it was given, `into` included, as it was.
 */

/** A fresh 2×3 tensor with distinct values. */
function t23(): Tensor {
  return Tensor.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
}

/** A fresh 3×2 tensor with distinct values. */
function t32(): Tensor {
  return Tensor.fromArray([0.5, -1, 2, 0.25, -0.75, 1.5], [3, 2]);
}

/** A row whose act needs no objects of its own (constructors and factories). */
function call(name: string, act: () => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => ({ act }), ...message);
}

/** A row whose act gets fresh tensors A [2,3] and B [3,2] and must leave both as they were. */
function withAB(name: string, act: (a: Tensor, b: Tensor) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const a = t23(), b = t32();
    return { act: () => act(a, b), keeps: { tensors: [a, b] } };
  }, ...message);
}

/** A row whose act gets A [2,3], B [3,2] and an `into` [2,2] holding values, and must leave all three as they were. */
function withInto(name: string, act: (a: Tensor, b: Tensor, into: Tensor) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const a = t23(), b = t32(), into = Tensor.fromArray([9, 8, 7, 6], [2, 2]);
    return { act: () => act(a, b, into), keeps: { tensors: [a, b, into] } };
  }, ...message);
}


const constructors: ContractRow[] = [
  call('new Tensor(5): a number for the shape', () => new Tensor(any(5)), /^Tensor: shape must be a non-empty array of sizes such as \[2, 3\], got number 5$/),
  call('new Tensor([]): no axes', () => new Tensor([]), /^Tensor: shape must be a non-empty array of sizes such as \[2, 3\], got \[\]$/),
  call('new Tensor(null)', () => new Tensor(any(null)), /^Tensor: shape must be .*got null$/),
  call('new Tensor(undefined)', () => new Tensor(any(undefined)), /^Tensor: shape must be .*got undefined$/),
  call("new Tensor('2,3'): a string for the shape", () => new Tensor(any('2,3')), /^Tensor: shape must be .*got string '2,3'$/),
  call('new Tensor([2, 0]): a size 0', () => new Tensor([2, 0]), /^Tensor: every size in a shape must be an integer ≥ 1, got 0 at axis 1 of \[2,0\]$/),
  call('new Tensor([2, 1.5]): a fractional size', () => new Tensor([2, 1.5]), /^Tensor: every size .*got 1\.5 at axis 1 of \[2,1\.5\]$/),
  call('new Tensor([-1, 3]): a negative size', () => new Tensor([-1, 3]), /^Tensor: every size .*got -1 at axis 0 of \[-1,3\]$/),
  call("new Tensor([2, '3']): a string size", () => new Tensor(any([2, '3'])), /^Tensor: every size .*got string '3' at axis 1/),
  call('new Tensor([2, NaN])', () => new Tensor([2, NaN]), /^Tensor: every size .*got NaN at axis 1/),
  call('new Tensor([Infinity])', () => new Tensor([Infinity]), /^Tensor: every size .*got Infinity at axis 0/),
  call('new Tensor([2, null])', () => new Tensor(any([2, null])), /^Tensor: every size .*got null at axis 1/),
  call('new Tensor: 33 axes', () => new Tensor(new Array(33).fill(1)), /^Tensor: shape has 33 axes; at most 32 are allowed$/),
  call('new Tensor([1e6, 1e6]): more values than one array holds', () => new Tensor([1e6, 1e6]), /^Tensor: cannot allocate shape \[1000000,1000000\]: 1000000000000 values/),
  call('new Tensor([2, 3], plain array)', () => new Tensor([2, 3], any([1, 2, 3, 4, 5, 6])), /^Tensor: data must be a Float64Array, got an array .*\(use Tensor\.fromArray to copy other arrays\)$/),
  call('new Tensor([2], Float32Array)', () => new Tensor([2], any(new Float32Array(2))), /^Tensor: data must be a Float64Array, got a Float32Array/),
  call('new Tensor([2], a string as data)', () => new Tensor([2], any('ab')), /^Tensor: data must be a Float64Array, got string 'ab'/),
  call('new Tensor([2, 3], 5 values)', () => new Tensor([2, 3], new Float64Array(5)), /^Tensor: shape \[2,3\] holds 6 values, but data has 5$/),
];

const from: ContractRow[] = [
  call("Tensor.from('abc')", () => Tensor.from(any('abc')), /^Tensor\.from: expected a number or nested arrays of numbers such as \[\[1, 2\], \[3, 4\]\], got string 'abc'$/),
  call('Tensor.from(true)', () => Tensor.from(any(true)), /^Tensor\.from: expected a number or nested arrays .*got boolean true$/),
  call('Tensor.from({})', () => Tensor.from(any({ a: 1 })), /^Tensor\.from: expected a number or nested arrays .*got an Object$/),
  call('Tensor.from(null)', () => Tensor.from(any(null)), /^Tensor\.from: .*got null$/),
  call('Tensor.from(undefined)', () => Tensor.from(any(undefined)), /^Tensor\.from: .*got undefined$/),
  call('Tensor.from(a Float64Array)', () => Tensor.from(any(new Float64Array(3))), /^Tensor\.from: .*got a Float64Array \(use Tensor\.fromArray\(values, shape\) for typed arrays\)$/),
  call('Tensor.from([])', () => Tensor.from([]), /^Tensor\.from: the array at depth 0 is empty; every size must be an integer ≥ 1$/),
  call('Tensor.from([[]])', () => Tensor.from([[]]), /^Tensor\.from: the array at depth 1 is empty/),
  call("Tensor.from([1, '2'])", () => Tensor.from(any([1, '2'])), /^Tensor\.from: entry \[1\] must be a number, got string '2'$/),
  call('Tensor.from([[1, true]])', () => Tensor.from(any([[1, true]])), /^Tensor\.from: entry \[0,1\] must be a number, got boolean true$/),
  call('Tensor.from([[1, 2], [3, {}]])', () => Tensor.from(any([[1, 2], [3, {}]])), /^Tensor\.from: entry \[1,1\] must be a number, got an Object$/),
  call('Tensor.from([1, , 3]): a hole', () => Tensor.from(any([1, , 3])), /^Tensor\.from: entry \[1\] must be a number, got undefined$/), // eslint-disable-line no-sparse-arrays
  call('Tensor.from([[1, 2], [3]]): ragged', () => Tensor.from([[1, 2], [3]]), /^Tensor\.from: ragged array: expected 2 entries at \[1\] \(depth 1, shape \[2,2\]\), got 1$/),
  call('Tensor.from([[1, 2], 3]): ragged', () => Tensor.from(any([[1, 2], 3])), /^Tensor\.from: ragged array: expected 2 entries at \[1\] .*got number 3$/),
  call('Tensor.from([1, [2]]): ragged', () => Tensor.from(any([1, [2]])), /^Tensor\.from: entry \[1\] must be a number, got an array \[2\] \(ragged array/),
  call('Tensor.from: an array inside itself', () => {
    const a: unknown[] = [];
    a.push(a);
    return Tensor.from(any(a));
  }, /^Tensor\.from: arrays nested more than 32 deep \(is an array inside itself\?\)$/),
];

const fromArray: ContractRow[] = [
  call("Tensor.fromArray(['a'], [1])", () => Tensor.fromArray(any(['a']), [1]), /^Tensor\.fromArray: values\[0\] must be a number, got string 'a'$/),
  call('Tensor.fromArray([1, true], [2])', () => Tensor.fromArray(any([1, true]), [2]), /^Tensor\.fromArray: values\[1\] must be a number, got boolean true$/),
  call('Tensor.fromArray([[1, 2]], [2])', () => Tensor.fromArray(any([[1, 2]]), [1]), /^Tensor\.fromArray: values\[0\] must be a number, got an array \[1,2\] \(use Tensor\.from for nested arrays\)$/),
  call('Tensor.fromArray([1, 2], [3])', () => Tensor.fromArray([1, 2], [3]), /^Tensor\.fromArray: shape \[3\] holds 3 values, but values has 2$/),
  call("Tensor.fromArray('ab', [2])", () => Tensor.fromArray(any('ab'), [2]), /^Tensor\.fromArray: values must be an array or a typed array of numbers, got string 'ab'$/),
  call('Tensor.fromArray(null, [2])', () => Tensor.fromArray(any(null), [2]), /^Tensor\.fromArray: values must be an array .*got null$/),
  call('Tensor.fromArray(BigInt64Array)', () => Tensor.fromArray(any(new BigInt64Array(2)), [2]), /^Tensor\.fromArray: values must hold numbers, got a BigInt64Array of bigints$/),
  call("Tensor.fromArray([1, 2], '2')", () => Tensor.fromArray([1, 2], any('2')), /^Tensor\.fromArray: shape must be a non-empty array of sizes .*got string '2'$/),
  call('Tensor.fromArray([1, 2], [2, 0.5])', () => Tensor.fromArray([1, 2], [2, 0.5]), /^Tensor\.fromArray: every size .*got 0\.5 at axis 1/),
  call("Tensor.full([2], 'x')", () => Tensor.full([2], any('x')), /^Tensor\.full: value must be a number, got string 'x'$/),
  call('Tensor.full([2], undefined)', () => Tensor.full([2], any(undefined)), /^Tensor\.full: value must be a number, got undefined$/),
  call('Tensor.full([0], 1)', () => Tensor.full([0], 1), /^Tensor\.full: every size .*got 0 at axis 0/),
  call('Tensor.zeros(3)', () => Tensor.zeros(any(3)), /^Tensor\.zeros: shape must be a non-empty array of sizes such as \[2, 3\], got number 3$/),
  call('Tensor.ones([2, -1])', () => Tensor.ones([2, -1]), /^Tensor\.ones: every size .*got -1 at axis 1/),
];

/** A row on a fresh 2×3 tensor that must stay as it was. */
function onT(name: string, act: (t: Tensor) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const t = t23();
    return { act: () => act(t), keeps: { tensors: [t] } };
  }, ...message);
}

const access: ContractRow[] = [
  onT('t.get([0, 1]): the index as an array', (t) => t.get(any([0, 1])), /^Tensor\.get: give the index as separate numbers, t\.get\(0, 1\), not as an array$/),
  onT("t.get('a', 0)", (t) => t.get(any('a'), 0), /^Tensor\.get: index \[string 'a',0\] is out of range for shape \[2,3\] \(axis 0 takes a whole number 0…1, got string 'a'\)$/),
  onT('t.get(2, 0): past the end', (t) => t.get(2, 0), /^Tensor\.get: index \[2,0\] is out of range for shape \[2,3\]/),
  onT('t.get(0, -1)', (t) => t.get(0, -1), /^Tensor\.get: index \[0,-1\] is out of range .*axis 1 takes a whole number 0…2, got -1/),
  onT('t.get(0.5, 0)', (t) => t.get(0.5, 0), /^Tensor\.get: index \[0\.5,0\] is out of range .*got 0\.5\)$/),
  onT('t.get(NaN, 0)', (t) => t.get(NaN, 0), /^Tensor\.get: index \[NaN,0\] is out of range/),
  onT('t.get(1): too few axes', (t) => t.get(1), /^Tensor\.get: index \[1\] has 1 axes, tensor has shape \[2,3\]$/),
  onT('t.set(0, 1): the index not in an array', (t) => t.set(any(0), 1), /^Tensor\.set: index must be an array with one whole number per axis of shape \[2,3\], got number 0$/),
  onT("t.set([0, 0], 'x')", (t) => t.set([0, 0], any('x')), /^Tensor\.set: value must be a number, got string 'x'$/),
  onT('t.set([0, 0]): no value', (t) => (t.set as (...args: unknown[]) => void)([0, 0]), /^Tensor\.set: takes the index as an array and the value, t\.set\(\[0, 0\], value\); got 1 argument\(s\)$/),
  onT('t.set([0, 0, 0], 1): too many axes', (t) => t.set([0, 0, 0], 1), /^Tensor\.set: index \[0,0,0\] has 3 axes, tensor has shape \[2,3\]$/),
  onT('t.set([0, 3], 1): out of range', (t) => t.set([0, 3], 1), /^Tensor\.set: index \[0,3\] is out of range for shape \[2,3\]/),
  onT('t.offset(null)', (t) => t.offset(any(null)), /^Tensor\.offset: index must be an array .*got null$/),
  onT('t.hasShape(undefined)', (t) => t.hasShape(any(undefined)), /^Tensor\.hasShape: shape must be an array of sizes such as \[2, 3\], got undefined$/),
  onT('t.reshape([-1, 2]): -1 is not inferred', (t) => t.reshape([-1, 2]), /^Tensor\.reshape: every size .*got -1 at axis 0 of \[-1,2\] \(every size is given: -1 is not inferred\)$/),
  onT('t.reshape(6): a number', (t) => t.reshape(any(6)), /^Tensor\.reshape: shape must be a non-empty array of sizes .*got number 6/),
  onT('t.reshape([4, 2]): another size', (t) => t.reshape([4, 2]), /^Tensor\.reshape: cannot view shape \[2,3\] \(6 values\) as \[4,2\] \(8 values\)$/),
  onT("t.reshape(['3', 2])", (t) => t.reshape(any(['3', 2])), /^Tensor\.reshape: every size .*got string '3' at axis 0/),
  row('reading a released temporary', () => {
    let inside: Tensor | null = null;
    withTemporaryTensors(() => {
      inside = Tensor.zeros([2]);
      return 0;
    });
    const released = inside as unknown as Tensor;
    return { act: () => released.data, keeps: { tensors: [released] } };
  }, /^Tensor\[2\]: this tensor was a temporary of withTemporaryTensors and was released when it ended/),
];

const products: ContractRow[] = [
  row('matmulTransB(A, a released temporary)', () => {
    let inside: Tensor | null = null;
    withTemporaryTensors(() => {
      inside = Tensor.zeros([2, 3]);
      return 0;
    });
    const a = t23(), released = inside as unknown as Tensor;
    return { act: () => matmulTransB(a, released), keeps: { tensors: [a] } };
  }, /^matmulTransB: B Tensor\[2,3\] \(released\) was a temporary of a step that has ended; its values can no longer be read/),
  withAB("matmul(A, B, { into: a released temporary })", (a, b) => {
    let inside: Tensor | null = null;
    withTemporaryTensors(() => {
      inside = Tensor.zeros([2, 2]);
      return 0;
    });
    return matmul(a, b, { into: inside as unknown as Tensor });
  }, /^matmul: 'into' Tensor\[2,2\] \(released\) was a temporary of a step that has ended/),
  withAB('matmul(undefined, B)', (_a, b) => matmul(any(undefined), b), /^matmul: A must be a Tensor, got undefined$/),
  withAB('matmul(A, [[1]])', (a) => matmul(a, any([[1]])), /^matmul: B must be a Tensor, got an array \[\[1\]\] \(wrap nested arrays with Tensor\.from\)$/),
  withAB('matmul(A, A): inner sizes differ', (a) => matmul(a, a), /^matmul: A·B needs A's columns to equal B's rows, got A \[2,3\] and B \[2,3\]$/),
  withAB('matmul(A 1-D, B)', (_a, b) => matmul(Tensor.zeros([3]), b), /^matmul: A must be a 2-D matrix, got shape \[3\]$/),
  withAB("matmul(A, B, 'fast')", (a, b) => matmul(a, b, any('fast')), /^matmul: expected an options object such as \{ into: …, accumulate: … \}, got string 'fast' \(options are passed by name\)/),
  withAB('matmul(A, B, { acumulate: true }): a misspelt key', (a, b) => matmul(a, b, any({ acumulate: true })), /^matmul: unknown option 'acumulate'; known options: into, accumulate, bias$/),
  withAB('matmul(A, B, { Bias })', (a, b) => matmul(a, b, any({ Bias: Tensor.zeros([2]) })), /^matmul: unknown option 'Bias' \(did you mean 'bias'\?\)/),
  withInto("matmul(A, B, { into, accumulate: 'yes' })", (a, b, into) => matmul(a, b, any({ into, accumulate: 'yes' })), /^matmul: option 'accumulate' must be true or false, got string 'yes'$/),
  withAB('matmul(A, B, { into: [1] })', (a, b) => matmul(a, b, any({ into: [1] })), /^matmul: option 'into' must be a Tensor, got an array \[1\]$/),
  withAB('matmul(A, B, { into: null })', (a, b) => matmul(a, b, any({ into: null })), /^matmul: option 'into' is null; give a Tensor, or leave it out for the default$/),
  withAB('matmul(A, B, { bias: [1, 2] })', (a, b) => matmul(a, b, any({ bias: [1, 2] })), /^matmul: option 'bias' must be a Tensor, got an array \[1,2\]$/),
  withAB('matmul(A, B, { bias: [1,3] })', (a, b) => matmul(a, b, { bias: Tensor.zeros([1, 3]) }), /^matmul: cannot add bias \[1,3\] to each row of A·B \[2,2\]: bias must have shape \[1,2\] or \[2\]$/),
  withAB('matmul(A, B, { accumulate: true }) without into', (a, b) => matmul(a, b, { accumulate: true }), /^matmul: accumulate needs an 'into' tensor to add to$/),
  row('matmul(A, B, { into }) of the wrong shape', () => {
    const a = t23(), b = t32(), into = Tensor.full([3, 3], 7);
    return { act: () => matmul(a, b, { into, accumulate: true }), keeps: { tensors: [a, b, into] } };
  }, /^matmul: result has shape \[2,2\] but 'into' has shape \[3,3\]$/),
  row('matmul(A, B, { into: A }): into is an operand', () => {
    const a = Tensor.fromArray([1, 2, 3, 4], [2, 2]), b = Tensor.fromArray([5, 6, 7, 8], [2, 2]);
    return { act: () => matmul(a, b, { into: a }), keeps: { tensors: [a, b] } };
  }, /^matmul: 'into' shares memory with an operand/),
  withInto('matmulTransA(A, A, { into, accumulate: 1 })', (a, _b, into) => matmulTransA(a, a, any({ into, accumulate: 1 })), /^matmulTransA: option 'accumulate' must be true or false, got number 1$/),
  withInto('matmulTransA(A, B): rows differ', (a, b) => matmulTransA(a, b), /^matmulTransA: Aᵀ·B needs A and B to have the same number of rows, got A \[2,3\] and B \[3,2\]$/),
  withAB('matmulTransB(A, B, { transpose: true })', (a, b) => matmulTransB(a, b, any({ transpose: true })), /^matmulTransB: unknown option 'transpose'; known options: into, accumulate$/),
  withAB('matmulTransB(A, B): columns differ', (a, b) => matmulTransB(a, b), /^matmulTransB: A·Bᵀ needs A and B to have the same number of columns, got A \[2,3\] and B \[3,2\]$/),
  withAB('matmulTransB(A, undefined)', (a) => matmulTransB(a, any(undefined)), /^matmulTransB: B must be a Tensor, got undefined$/),
  withInto('sumRows(G, into): into given positionally', (a, _b, into) => sumRows(a, any(into)), /^sumRows: expected an options object such as \{ into: … \}, got a Tensor; known options: into, accumulate$/),
  row('sumRows(G, { into }) of the wrong size', () => {
    const g = t23(), into = Tensor.full([1, 2], 4);
    return { act: () => sumRows(g, { into, accumulate: true }), keeps: { tensors: [g, into] } };
  }, /^sumRows: the row sum of \[2,3\] has shape \[1,3\] but 'into' has shape \[1,2\]; expected \[1,3\] or \[3\]$/),
  withAB('sumRows(1-D)', () => sumRows(Tensor.zeros([3])), /^sumRows: G must be a 2-D matrix, got shape \[3\]$/),
  withAB('sumRows({ accumulate: true }) without into', (a) => sumRows(a, { accumulate: true }), /^sumRows: accumulate needs an 'into' tensor to add to$/),
];

const rowsAndColumns: ContractRow[] = [
  withAB('addRowVector(X, [1, 2, 3]): an array for b', (a) => addRowVector(a, any([1, 2, 3])), /^addRowVector: b must be a Tensor, got an array \[1,2,3\]/),
  withAB('addRowVector(X, b [2]): the wrong size (X unchanged)', (a) => addRowVector(a, Tensor.ones([2])), /^addRowVector: cannot add b \[2\] to each row of X \[2,3\]: b must have shape \[1,3\] or \[3\]$/),
  withAB('addRowVector(X, b [3,1])', (a) => addRowVector(a, Tensor.ones([3, 1])), /^addRowVector: cannot add b \[3,1\] to each row of X \[2,3\]/),
  withAB('addRowVector(null, b)', () => addRowVector(any(null), Tensor.ones([3])), /^addRowVector: X must be a Tensor, got null$/),
  withAB('argmaxRows([[1, 2]])', () => argmaxRows(any([[1, 2]])), /^argmaxRows: X must be a Tensor, got an array \[\[1,2\]\]/),
  withAB('argmaxRows(1-D)', () => argmaxRows(Tensor.zeros([3])), /^argmaxRows: X must be a 2-D matrix, got shape \[3\]$/),
  withAB('takeRows(T, 1): a number for the indices', (a) => takeRows(a, any(1)), /^takeRows: indices must be an array or typed array of row indices, got number 1$/),
  withAB("takeRows(T, ['0'])", (a) => takeRows(a, any(['0'])), /^takeRows: row index string '0' is out of range for shape \[2,3\] \(indices\[0\]; expected a whole number 0…1\)$/),
  withAB('takeRows(T, [0, 2])', (a) => takeRows(a, [0, 2]), /^takeRows: row index 2 is out of range for shape \[2,3\] \(indices\[1\]/),
  withAB('takeRows(T, [0.5])', (a) => takeRows(a, [0.5]), /^takeRows: row index 0\.5 is out of range/),
  withAB('takeRows(T, [])', (a) => takeRows(a, []), /^takeRows: no row indices given$/),
  withAB('takeRows(undefined, [0])', () => takeRows(any(undefined), [0]), /^takeRows: T must be a Tensor, got undefined$/),
  withAB("sliceColumns(X, '0', 1)", (a) => sliceColumns(a, any('0'), 1), /^sliceColumns: cannot take columns from string '0' to 1 of X \[2,3\] \(start and end must be whole numbers, 0 ≤ start < end ≤ 3; got start string '0', end 1\)$/),
  withAB('sliceColumns(X, 2, 5): past the end', (a) => sliceColumns(a, 2, 5), /^sliceColumns: cannot take columns 2…4 of X \[2,3\]/),
  withAB('sliceColumns(X, 1, 1): nothing', (a) => sliceColumns(a, 1, 1), /^sliceColumns: cannot take columns 1…0 of X \[2,3\]/),
  withAB('sliceColumns(X, 0.5, 2)', (a) => sliceColumns(a, 0.5, 2), /^sliceColumns: cannot take columns .*got start 0\.5, end 2\)$/),
  withAB('concatColumns(T): not a list', (a) => concatColumns(any(a)), /^concatColumns: parts must be an array of Tensors, got a Tensor$/),
  withAB('concatColumns([])', () => concatColumns([]), /^concatColumns: nothing to concatenate$/),
  withAB('concatColumns([T, 1])', (a) => concatColumns([a, any(1)]), /^concatColumns: parts\[1\] must be a Tensor, got number 1$/),
  withAB('concatColumns([A, B]): row counts differ', (a, b) => concatColumns([a, b]), /^concatColumns: parts\[1\] has 3 rows \(shape \[3,2\]\) but parts\[0\] has 2$/),
];

/** Tensors, their factories, element access and the operations of ops.ts. */
export const table: ContractTable = {
  title: 'tensors',
  rows: [...constructors, ...from, ...fromArray, ...access, ...products, ...rowsAndColumns],
};
