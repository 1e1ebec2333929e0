import { Init, InitName, Nonlinearity, calculateGain, initialize, normalInit, uniformInit } from '../../../lib/init/init';
import { Rng, RngState, manualSeed } from '../../../lib/random/rng';
import { Tensor } from '../../../lib/tensor/tensor';
import { ContractRow, ContractTable, any, row } from '../harness';

/*
 * Initialisation and random numbers: initialisers that are not names or specs (a function, null),
 * settings a kind does not read, of the wrong type, or that would give non-finite weights (an
 * infinite std, a gain of NaN or 1e308), fans that are not whole numbers; and the generator's
 * methods with bounds that are not finite or in order, counts that are not whole numbers, things
 * that are not arrays, states that did not come from `state()`. Everything is checked before the
 * first draw: a refused call leaves the tensor and the generator (and the global one) as they were.
 */


/** A generator part-way through its sequence, holding a spare normal draw. */
function usedRng(): Rng {
  const rng = new Rng('init-and-random');
  rng.uniform();
  rng.normal();
  return rng;
}

/** `initialize` on a fresh 3×2 weight holding values and a fresh generator, which must both stay as they were. */
function init(name: string, spec: unknown, ...message: RegExp[]): ContractRow {
  return initWith(name, (t, rng) => initialize(t, spec as Init, 3, 2, rng), ...message);
}

/** A call on a fresh 3×2 tensor holding values and a fresh generator, which must both stay as they were. */
function initWith(name: string, act: (t: Tensor, rng: Rng) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const t = Tensor.fromArray([1, 2, 3, 4, 5, 6], [3, 2]);
    const rng = usedRng();
    return { act: () => act(t, rng), keeps: { tensors: [t], rngs: [rng] } };
  }, ...message);
}

const initialisers: ContractRow[] = [
  init('initialize(t, a function)', () => 0.5, /^initialize: init must be a name such as 'xavierUniform' or a spec such as \{ kind: 'normal', std: 0\.1 \}, got a function \(there are no init functions/),
  init('initialize(t, null)', null, /^initialize: init must be a name .*got null; names: default, normal, xavierUniform, xavierNormal, kaimingUniform, kaimingNormal, zeros$/),
  init('initialize(t, [\'normal\'])', ['normal'], /^initialize: init must be a name .*got an array/),
  init("initialize(t, 'glorot')", 'glorot', /^initialize: unknown init "glorot"; expected one of default, normal, xavierUniform, xavierNormal, kaimingUniform, kaimingNormal, zeros$/),
  init("initialize(t, { kind: 'uniform' })", { kind: 'uniform' }, /^initialize: unknown init \{"kind":"uniform"\}; expected one of .*\(as a name, or as the kind of a spec such as \{ kind: 'normal', std: 0\.1 \}\)$/),
  init('initialize(t, { kind: 10n }): a kind JSON cannot show', { kind: BigInt(10) }, /^initialize: unknown init an Object; expected one of default/),
  initWith("initialize(t, 'nope', …, a symbol for the caller's name)", (t, rng) => initialize(t, 'nope' as InitName, 3, 2, rng, any(Symbol('me'))), /^initialize: who must be a string \(the caller's name, for messages\), got symbol Symbol\(me\)$/),
  init("initialize(t, { std: 0.1 }): no kind", { std: 0.1 }, /^initialize: unknown init \{"std":0\.1\}/),
  init('normal with std -1', { kind: 'normal', std: -1 }, /^initialize: init std must be a finite number ≥ 0, got -1$/),
  init('normal with std NaN', { kind: 'normal', std: NaN }, /^initialize: init std must be a finite number ≥ 0, got NaN$/),
  init('normal with std Infinity', { kind: 'normal', std: Infinity }, /^initialize: init std must be a finite number ≥ 0, got Infinity$/),
  init('normal with std 1e308: draws would overflow', { kind: 'normal', std: 1e308 }, /^initialize: init \{"kind":"normal","std":1e\+308\} for fans 3 and 2: N\(mean, std²\) needs a finite mean and a finite std ≥ 0/),
  init("normal with std '0.1'", { kind: 'normal', std: '0.1' }, /^initialize: init 'normal': option 'std' must be a number, got string '0\.1'$/),
  init('normal with std null', { kind: 'normal', std: null }, /^initialize: init 'normal': option 'std' is null; give a number, or leave it out for the default$/),
  init("normal with 'stdev'", { kind: 'normal', stdev: 0.1 }, /^initialize: init 'normal': unknown option 'stdev'; known options: kind, std$/),
  init('normal with mean (not read)', { kind: 'normal', mean: 1 }, /^initialize: init 'normal': unknown option 'mean'; known options: kind, std$/),
  init("'default' with gain", { kind: 'default', gain: 2 }, /^initialize: init 'default': unknown option 'gain'; known options: kind$/),
  init("'zeros' with std", { kind: 'zeros', std: 1 }, /^initialize: init 'zeros': unknown option 'std'; known options: kind$/),
  init('xavierUniform with std (not read)', { kind: 'xavierUniform', std: 0.1 }, /^initialize: init 'xavierUniform': unknown option 'std'; known options: kind, gain$/),
  init('xavierUniform with gain NaN', { kind: 'xavierUniform', gain: NaN }, /^initialize: init gain must be a finite number > 0, got NaN$/),
  init('xavierUniform with gain 0', { kind: 'xavierUniform', gain: 0 }, /^initialize: init gain must be a finite number > 0, got 0$/),
  init('xavierUniform with gain 1e308: an infinite width', { kind: 'xavierUniform', gain: 1e308 }, /^initialize: init \{"kind":"xavierUniform","gain":1e\+308\} for fans 3 and 2: U\(low, high\) needs finite numbers low ≤ high \(and a finite width high − low\)/),
  init('xavierNormal with gain -2', { kind: 'xavierNormal', gain: -2 }, /^initialize: init gain must be a finite number > 0, got -2$/),
  init('xavierNormal with gain 1e308', { kind: 'xavierNormal', gain: 1e308 }, /^initialize: init .*N\(mean, std²\) needs a finite mean and a finite std ≥ 0/),
  init("kaimingUniform with mode 'fan_in'", { kind: 'kaimingUniform', mode: 'fan_in' }, /^initialize: init mode must be 'fanIn' or 'fanOut', got "fan_in"$/),
  init('kaimingUniform with mode 1', { kind: 'kaimingUniform', mode: 1 }, /^initialize: init 'kaimingUniform': option 'mode' must be a string, got number 1$/),
  init("kaimingNormal with nonlinearity 'swish'", { kind: 'kaimingNormal', nonlinearity: 'swish' }, /^calculateGain: unknown nonlinearity 'swish'; expected one of linear, sigmoid, tanh, relu, leaky_relu, selu$/),
  init("kaimingNormal with a and 'tanh'", { kind: 'kaimingNormal', nonlinearity: 'tanh', a: 0.2 }, /^initialize: init 'kaimingNormal': 'a' is the slope of leaky_relu and has no effect with nonlinearity 'tanh' \(leave it out\)$/),
  init('kaimingNormal with a NaN', { kind: 'kaimingNormal', a: NaN }, /^calculateGain: negative slope must be a finite number, got NaN$/),
  init('kaimingNormal with non_linearity', { kind: 'kaimingNormal', non_linearity: 'relu' }, /^initialize: init 'kaimingNormal': unknown option 'non_linearity' \(did you mean 'nonlinearity'\?\)/),
  initWith('initialize(t, normal, fanIn 0)', (t, rng) => initialize(t, 'normal', 0, 2, rng), /^initialize: fanIn must be an integer ≥ 1, got 0$/),
  initWith('initialize(t, default, fanOut 2.5)', (t, rng) => initialize(t, 'default', 3, 2.5, rng), /^initialize: fanOut must be an integer ≥ 1, got 2\.5$/),
  initWith('initialize(t, default, 3, 2): no generator', (t) => initialize(t, 'default', 3, 2, any(undefined)), /^initialize: rng must be an Rng such as new Rng\(42\) or defaultRng\(\), got undefined$/),
  initWith('initialize(array, default)', (_t, rng) => initialize(any([1, 2]), 'default', 3, 2, rng), /^initialize: tensor must be a Tensor, got an array/),
  initWith("initialize(t, 'nope', …, 'MyLayer'): the caller's name", (t, rng) => initialize(t, 'nope' as InitName, 3, 2, rng, 'MyLayer'), /^MyLayer: unknown init "nope"/),
  initWith('uniformInit(t, 1, 0): bounds out of order', (t, rng) => uniformInit(t, 1, 0, rng), /^uniformInit: U\(low, high\) needs finite numbers low ≤ high \(and a finite width high − low\), got low 1, high 0$/),
  initWith('uniformInit(t, -Infinity, 1)', (t, rng) => uniformInit(t, -Infinity, 1, rng), /^uniformInit: U\(low, high\) needs .*got low -Infinity, high 1$/),
  initWith('uniformInit(t, -1e308, 1e308): an infinite width', (t, rng) => uniformInit(t, -1e308, 1e308, rng), /^uniformInit: U\(low, high\) needs .*got low -1e\+308, high 1e\+308$/),
  initWith("uniformInit(t, '0', 1)", (t, rng) => uniformInit(t, any('0'), 1, rng), /^uniformInit: U\(low, high\) needs .*got low string '0', high 1$/),
  initWith('uniformInit(t, 0, 1, 42)', (t) => uniformInit(t, 0, 1, any(42)), /^uniformInit: rng must be an Rng such as new Rng\(42\) or defaultRng\(\), got number 42$/),
  initWith('uniformInit(null, 0, 1)', (_t, rng) => uniformInit(any(null), 0, 1, rng), /^uniformInit: tensor must be a Tensor, got null$/),
  initWith('normalInit(t, 0, -1)', (t, rng) => normalInit(t, 0, -1, rng), /^normalInit: N\(mean, std²\) needs a finite mean and a finite std ≥ 0 \(small enough that every draw is finite\), got mean 0, std -1$/),
  initWith('normalInit(t, NaN, 1)', (t, rng) => normalInit(t, NaN, 1, rng), /^normalInit: N\(mean, std²\) needs .*got mean NaN, std 1$/),
  initWith('normalInit(t, 0, 1e308)', (t, rng) => normalInit(t, 0, 1e308, rng), /^normalInit: N\(mean, std²\) needs .*got mean 0, std 1e\+308$/),
  initWith('normalInit(t, 0, 1): no generator', (t) => normalInit(t, 0, 1, any(undefined)), /^normalInit: rng must be an Rng/),
];

const gains: ContractRow[] = [
  row("calculateGain('gelu')", () => ({ act: () => calculateGain('gelu' as Nonlinearity) }), /^calculateGain: unknown nonlinearity 'gelu'; expected one of linear, sigmoid, tanh, relu, leaky_relu, selu$/),
  row('calculateGain(5)', () => ({ act: () => calculateGain(any(5)) }), /^calculateGain: unknown nonlinearity number 5; expected one of/),
  row("calculateGain('relu', 0.1): a slope relu does not read", () => ({ act: () => calculateGain('relu', 0.1) }), /^calculateGain: a negative slope is read by 'leaky_relu' only; got slope 0\.1 with 'relu' \(leave it out\)$/),
  row("calculateGain('leaky_relu', NaN)", () => ({ act: () => calculateGain('leaky_relu', NaN) }), /^calculateGain: negative slope must be a finite number, got NaN$/),
  row("calculateGain('leaky_relu', null): null is not a slope", () => ({ act: () => calculateGain('leaky_relu', any(null)) }), /^calculateGain: negative slope must be a finite number, got null$/),
  row("calculateGain('leaky_relu', '0.2')", () => ({ act: () => calculateGain('leaky_relu', any('0.2')) }), /^calculateGain: negative slope must be a finite number, got string '0\.2'$/),
];

/** A call on a fresh generator part-way through its sequence, which must not move. */
function onRng(name: string, act: (rng: Rng) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const rng = usedRng();
    return { act: () => act(rng), keeps: { rngs: [rng] } };
  }, ...message);
}

/** A valid state of another generator, changed by `edit`. */
function editedState(edit: (state: RngState) => void): RngState {
  const state = new Rng('other').state();
  edit(state);
  return state;
}

const generators: ContractRow[] = [
  row('new Rng(NaN)', () => ({ act: () => new Rng(NaN) }), /^Rng: seed must be a finite number or a string, got NaN$/),
  row('new Rng({ seed: 1 })', () => ({ act: () => new Rng(any({ seed: 1 })) }), /^Rng: seed must be a finite number or a string, got an Object$/),
  row('new Rng([1])', () => ({ act: () => new Rng(any([1])) }), /^Rng: seed must be .*got an array \[1\]$/),
  row('new Rng(undefined)', () => ({ act: () => new Rng(any(undefined)) }), /^Rng: seed must be .*got undefined$/),
  row('manualSeed({}): the global generator stays', () => ({ act: () => manualSeed(any({})) }), /^manualSeed: seed must be a finite number or a string, got an Object$/),
  row('manualSeed(Infinity)', () => ({ act: () => manualSeed(Infinity) }), /^manualSeed: seed must be .*got Infinity$/),
  onRng('rng.uniform(1, 0): bounds out of order', (rng) => rng.uniform(1, 0), /^Rng\.uniform: low and high must be finite numbers with low ≤ high, got low 1, high 0$/),
  onRng("rng.uniform('a')", (rng) => rng.uniform(any('a')), /^Rng\.uniform: low and high must be .*got low string 'a', high 1$/),
  onRng('rng.uniform(0, Infinity)', (rng) => rng.uniform(0, Infinity), /^Rng\.uniform: .*got low 0, high Infinity$/),
  onRng('rng.uniform(NaN, 1)', (rng) => rng.uniform(NaN, 1), /^Rng\.uniform: .*got low NaN, high 1$/),
  onRng('rng.normal(0, -1)', (rng) => rng.normal(0, -1), /^Rng\.normal: mean must be a finite number and std a finite number ≥ 0, got mean 0, std -1$/),
  onRng('rng.normal(NaN)', (rng) => rng.normal(NaN), /^Rng\.normal: .*got mean NaN, std 1$/),
  onRng('rng.normal(0, 1e308): draws would overflow', (rng) => rng.normal(0, 1e308), /^Rng\.normal: .*got mean 0, std 1e\+308$/),
  onRng("rng.normal(0, '1')", (rng) => rng.normal(0, any('1')), /^Rng\.normal: .*std string '1'$/),
  onRng('rng.int(0)', (rng) => rng.int(0), /^Rng\.int: n must be an integer ≥ 1, got 0$/),
  onRng('rng.int(2.5)', (rng) => rng.int(2.5), /^Rng\.int: n must be an integer ≥ 1, got 2\.5$/),
  onRng("rng.int('3')", (rng) => rng.int(any('3')), /^Rng\.int: n must be an integer ≥ 1, got string '3'$/),
  onRng('rng.int(Infinity)', (rng) => rng.int(Infinity), /^Rng\.int: n must be an integer ≥ 1, got Infinity$/),
  onRng('rng.permutation(-1)', (rng) => rng.permutation(-1), /^Rng\.permutation: n must be an integer ≥ 0, got -1$/),
  onRng("rng.permutation('3')", (rng) => rng.permutation(any('3')), /^Rng\.permutation: n must be an integer ≥ 0, got string '3'$/),
  onRng("rng.shuffle('abc')", (rng) => rng.shuffle(any('abc')), /^Rng\.shuffle: items must be an array or a typed array \(shuffled in place\), got string 'abc'$/),
  onRng('rng.shuffle(null)', (rng) => rng.shuffle(any(null)), /^Rng\.shuffle: items must be .*got null$/),
  onRng('rng.shuffle({ length: 3 })', (rng) => rng.shuffle(any({ length: 3 })), /^Rng\.shuffle: items must be .*got an Object$/),
  onRng('rng.fillUniform([0, 0])', (rng) => rng.fillUniform(any([0, 0])), /^Rng\.fillUniform: values must be a Float64Array to fill, got an array \[0,0\]$/),
  onRng('rng.fillUniform(values, 1, 0)', (rng) => rng.fillUniform(new Float64Array(3), 1, 0), /^Rng\.fillUniform: low and high must be finite numbers with low ≤ high, got low 1, high 0$/),
  onRng('rng.fillNormal(values, 0, NaN)', (rng) => rng.fillNormal(new Float64Array(3), 0, NaN), /^Rng\.fillNormal: mean must be .*got mean 0, std NaN$/),
  onRng('rng.fillNormal(Float32Array)', (rng) => rng.fillNormal(any(new Float32Array(3))), /^Rng\.fillNormal: values must be a Float64Array to fill, got a Float32Array$/),
  onRng('rng.setState(null)', (rng) => rng.setState(any(null)), /^Rng\.setState: expected a state from Rng\.state\(\) \(\{ seed, alea: \{ c, s0, s1, s2 \}, spareNormal \}\), got null$/),
  onRng('rng.setState({})', (rng) => rng.setState(any({})), /^Rng\.setState: expected a state from Rng\.state\(\).*got \{\}$/),
  onRng('rng.setState(s0 = 5): outside [0, 1)', (rng) => rng.setState(editedState((s) => { s.alea.s0 = 5; })), /^Rng\.setState: expected a state from Rng\.state\(\).*"s0":5/),
  onRng('rng.setState(s1 = -0.5)', (rng) => rng.setState(editedState((s) => { s.alea.s1 = -0.5; })), /^Rng\.setState: expected a state .*"s1":-0\.5/),
  onRng('rng.setState(c = 2.5)', (rng) => rng.setState(editedState((s) => { s.alea.c = 2.5; })), /^Rng\.setState: expected a state .*"c":2\.5/),
  onRng('rng.setState(c = -1)', (rng) => rng.setState(editedState((s) => { s.alea.c = -1; })), /^Rng\.setState: expected a state .*"c":-1/),
  onRng("rng.setState(spareNormal 'x')", (rng) => rng.setState(editedState((s) => { (s as { spareNormal: unknown }).spareNormal = 'x'; })), /^Rng\.setState: expected a state .*"spareNormal":"x"/),
  onRng('rng.setState(no seed)', (rng) => rng.setState(editedState((s) => { delete (s as { seed?: string }).seed; })), /^Rng\.setState: expected a state .*got \{"alea"/),
  onRng('rng.setState(an object inside itself)', (rng) => {
    const state: Record<string, unknown> = {};
    state.self = state;
    return rng.setState(any(state));
  }, /^Rng\.setState: expected a state from Rng\.state\(\).*got an Object$/),
];

/** Initialisers, gains and the random-number generator. */
export const table: ContractTable = {
  title: 'initialisation and random numbers',
  rows: [...initialisers, ...gains, ...generators],
};
