import { GRU } from '../../../lib/modules/recurrent/gru';
import { LSTM } from '../../../lib/modules/recurrent/lstm';
import { RNN } from '../../../lib/modules/recurrent/rnn';
import { Rng } from '../../../lib/random/rng';
import { Tensor } from '../../../lib/tensor/tensor';
import { ContractRow, ContractTable, any, constructorRow, row } from '../harness';

/*
 * The recurrent layers RNN, LSTM and GRU: sizes and options checked before any number is drawn
 * (dropout and bidirectional refused for now, snake_case names, a nonlinearity RNN does not
 * know), inputs that are not finite [T, N, in] tensors, states and state gradients of other
 * shapes or kinds, backward before forward and gradOut of another shape. A refused call leaves
 * every module (parameters, gradients, mode), its input and every generator as they were.
 */


/** A constructor call with its own generator, which must not move (nor the global one). */
const build = (name: string, make: (rng: Rng) => unknown, ...message: RegExp[]): ContractRow => constructorRow('recurrent layers', name, make, ...message);

/** A recurrent layer with gradients that are not zero. */
function withGrads<M extends RNN | LSTM | GRU>(m: M): M {
  for (const p of m.params()) p.grad.data.fill(0.25);
  return m;
}
const lstm = (): LSTM => withGrads(new LSTM(2, 3, { numLayers: 2, rng: new Rng(1) }));
const gru = (): GRU => withGrads(new GRU(2, 3, { batchFirst: true, rng: new Rng(2) }));
const rnn = (): RNN => withGrads(new RNN(2, 3, { nonlinearity: 'relu', rng: new Rng(3) }));

/** A call on a fresh module, which must leave it and `input` (a sequence [T=4, N=2, 2]) as they were. */
function on<M extends RNN | LSTM | GRU>(name: string, make: () => M, act: (m: M, x: Tensor) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const m = make();
    const x = Tensor.fromArray(Array.from({ length: 16 }, (_, i) => Math.sin(i)), [4, 2, 2]);
    return { act: () => act(m, x), keeps: { modules: [m], tensors: [x] } };
  }, ...message);
}

const rows: ContractRow[] = [
  // constructors
  build('new LSTM(0, 3)', (rng) => new LSTM(0, 3, { rng }), /^LSTM: inputSize must be an integer ≥ 1, got 0$/),
  build('new GRU(2, 2.5)', (rng) => new GRU(2, 2.5, { rng }), /^GRU: hiddenSize must be an integer ≥ 1, got 2\.5$/),
  build('new RNN(2)', () => new (RNN as unknown as new (...a: unknown[]) => RNN)(2), /RNN: hiddenSize must be an integer ≥ 1, got undefined/),
  build("new RNN('2', 3)", (rng) => new RNN(any('2'), 3, { rng }), /RNN: inputSize must be an integer ≥ 1, got string '2'/),
  build('new LSTM(2, 3, { numLayers: 0 })', (rng) => new LSTM(2, 3, { numLayers: 0, rng }), /^LSTM\(2, 3\): numLayers must be an integer ≥ 1, got 0$/),
  build('new LSTM(2, 3, { numLayers: 1.5 })', (rng) => new LSTM(2, 3, { numLayers: 1.5, rng }), /LSTM\(2, 3\): numLayers must be an integer ≥ 1, got 1\.5/),
  build("new GRU(2, 3, { numLayers: '2' })", (rng) => new GRU(2, 3, { numLayers: any('2'), rng }), /GRU\(2, 3\): option 'numLayers' must be a number, got string '2'/),
  build('new LSTM(2, 3, { dropout: 0.5 }): not supported yet', (rng) => new LSTM(2, 3, { dropout: 0.5, rng }),
    /^LSTM\(2, 3\): dropout between layers is not supported yet, got dropout: 0\.5; leave it out \(or pass 0\), or put a Dropout module after the layer$/),
  build('new GRU(2, 3, { bidirectional: true }): not supported yet', (rng) => new GRU(2, 3, { bidirectional: true, rng }),
    /^GRU\(2, 3\): bidirectional: true is not supported yet; leave it out \(or pass false\)$/),
  build("new RNN(2, 3, { nonlinearity: 'sigmoid' })", (rng) => new RNN(2, 3, { nonlinearity: any('sigmoid'), rng }),
    /^RNN\(2, 3\): option 'nonlinearity' must be one of 'tanh', 'relu', got string 'sigmoid'$/),
  build("new LSTM(2, 3, { nonlinearity: 'relu' }): only RNN has one", (rng) => new LSTM(2, 3, any({ nonlinearity: 'relu', rng })),
    /LSTM\(2, 3\): unknown option 'nonlinearity'; known options: numLayers, bias, batchFirst, rng, dropout, bidirectional/),
  build('new LSTM(2, 3, { num_layers: 2 }): the snake_case name', (rng) => new LSTM(2, 3, any({ num_layers: 2, rng })),
    /LSTM\(2, 3\): unknown option 'num_layers' \(did you mean 'numLayers'\?\)/),
  build('new GRU(2, 3, { batch_first: true }): the snake_case name', (rng) => new GRU(2, 3, any({ batch_first: true, rng })),
    /GRU\(2, 3\): unknown option 'batch_first' \(did you mean 'batchFirst'\?\)/),
  build('new LSTM(2, 3, { proj_size: 2 }): not supported', (rng) => new LSTM(2, 3, any({ proj_size: 2, rng })), /LSTM\(2, 3\): unknown option 'proj_size'/),
  build('new LSTM(2, 3, 2): a positional numLayers', () => new LSTM(2, 3, any(2)), /LSTM\(2, 3\): expected an options object such as .*got number 2/),
  build("new RNN(2, 3, { bias: 'no' })", (rng) => new RNN(2, 3, { bias: any('no'), rng }), /RNN\(2, 3\): option 'bias' must be true or false, got string 'no'/),
  build('new GRU(2, 3, {}, extra)', () => new (GRU as unknown as new (...a: unknown[]) => GRU)(2, 3, {}, 1),
    /GRU: takes at most 3 arguments \(inputSize, hiddenSize, options\), got 4/),
  // forward
  on('LSTM.forward: a matrix [N, in] without the time axis', lstm, (m) => m.forward(Tensor.zeros([2, 2])),
    /^LSTM\(2, 3, numLayers=2\)\.forward: input has shape \[2,2\], expected \[T,N,2\]$/),
  on('LSTM.forward: 3 features where 2 belong', lstm, (m) => m.forward(Tensor.zeros([4, 2, 3])), /LSTM\(2, 3, numLayers=2\)\.forward: input has shape \[4,2,3\], expected \[T,N,2\]/),
  on('GRU.forward (batchFirst): the message shows the layout', gru, (m) => m.forward(Tensor.zeros([2, 4])),
    /GRU\(2, 3, batchFirst=true\)\.forward: input has shape \[2,4\], expected \[N,T,2\] \(batchFirst\)/),
  on('RNN.forward: NaN in the input', rnn, (m) => m.forward(Tensor.fromArray([1, NaN, 0, 0], [1, 2, 2])),
    /RNN\(2, 3, nonlinearity=relu\)\.forward: input holds a non-finite value \(NaN\) at flat index 1 of shape \[1,2,2\]/),
  on('RNN.forward: a plain array', rnn, (m) => m.forward(any([[[1, 2]]])), /RNN\(2, 3, nonlinearity=relu\)\.forward: input must be a Tensor, got an array/),
  // forwardWithState
  on('LSTM.forwardWithState: h0 of one layer for two', lstm, (m, x) => m.forwardWithState(x, { h0: Tensor.zeros([1, 2, 3]) }),
    /^LSTM\(2, 3, numLayers=2\)\.forwardWithState: state\.h0 has shape \[1,2,3\], expected \[numLayers, N, H\] = \[2,2,3\]$/),
  on('LSTM.forwardWithState: c0 for another batch size', lstm, (m, x) => m.forwardWithState(x, { c0: Tensor.zeros([2, 3, 3]) }),
    /state\.c0 has shape \[2,3,3\], expected \[numLayers, N, H\] = \[2,2,3\]/),
  on('LSTM.forwardWithState: a bare tensor where { h0, c0 } belongs', lstm, (m, x) => m.forwardWithState(x, any(Tensor.zeros([2, 2, 3]))),
    /LSTM\(2, 3, numLayers=2\)\.forwardWithState: expected a state object such as \{ h0: …, c0: … \}, got a Tensor/),
  on("GRU.forwardWithState: { c0 } (a GRU has no cell state)", gru, (m, x) => m.forwardWithState(x, any({ c0: Tensor.zeros([1, 4, 3]) })),
    /GRU\(2, 3, batchFirst=true\)\.forwardWithState: unknown option 'c0'.*; known options: h0$/),
  on('GRU.forwardWithState: h0 as a list', gru, (m, x) => m.forwardWithState(x, { h0: any([[0, 0, 0]]) }),
    /option 'h0' must be a Tensor \[numLayers, N, H\] = \[1,4,3\], got an array/),
  on('RNN.forwardWithState: Infinity in h0', rnn, (m, x) => m.forwardWithState(x, { h0: Tensor.fromArray([0, 0, Infinity, 0, 0, 0], [1, 2, 3]) }),
    /RNN\(2, 3, nonlinearity=relu\)\.forwardWithState: state\.h0 holds a non-finite value \(Infinity\) at flat index 2 of shape \[1,2,3\]/),
  // backward and backwardWithState
  on('LSTM.backward before forward', lstm, (m) => m.backward(Tensor.zeros([4, 2, 3])), /^LSTM\(2, 3, numLayers=2\)\.backward: called before forward/),
  on('GRU.backwardWithState before forward', gru, (m) => m.backwardWithState(Tensor.zeros([2, 4, 3])), /^GRU\(2, 3, batchFirst=true\)\.backwardWithState: called before forward/),
  on('RNN.backward: gradOut of the last step only', rnn, (m, x) => { m.forward(x); return m.backward(Tensor.zeros([2, 3])); },
    /RNN\(2, 3, nonlinearity=relu\)\.backward: gradOut has shape \[2,3\], expected \[4,2,3\] \(the shape of the last output\)/),
  on('LSTM.backwardWithState: ∂L/∂hN of another shape', lstm, (m, x) => { m.forward(x); return m.backwardWithState(Tensor.zeros([4, 2, 3]), { hN: Tensor.zeros([2, 3]) }); },
    /^LSTM\(2, 3, numLayers=2\)\.backwardWithState: gradState\.hN has shape \[2,3\], expected \[numLayers, N, H\] = \[2,2,3\]$/),
  on('LSTM.backwardWithState: ∂L/∂cN with NaN', lstm, (m, x) => {
    m.forward(x);
    const cN = Tensor.zeros([2, 2, 3]);
    cN.data[5] = NaN;
    return m.backwardWithState(Tensor.zeros([4, 2, 3]), { cN });
  }, /gradState\.cN holds a non-finite value \(NaN\) at flat index 5/),
  on("GRU.backwardWithState: { h0 } where ∂L/∂hN belongs", gru, (m, x) => { m.forward(x); return m.backwardWithState(Tensor.zeros([4, 2, 3]), any({ h0: Tensor.zeros([1, 2, 3]) })); },
    /GRU\(2, 3, batchFirst=true\)\.backwardWithState: unknown option 'h0'.*known options: hN/),
];

export const table: ContractTable = { title: 'recurrent layers', rows };
