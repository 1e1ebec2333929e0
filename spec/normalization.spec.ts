import { Linear } from '../lib/modules/linear';
import { Module } from '../lib/modules/module';
import { ReLU } from '../lib/modules/activations/relu';
import { Sequential } from '../lib/modules/containers/sequential';
import { BatchNorm } from '../lib/modules/normalization/batch-norm';
import { BatchNorm1d } from '../lib/modules/normalization/batch-norm1d';
import { BatchNorm2d } from '../lib/modules/normalization/batch-norm2d';
import { Rng } from '../lib/random/rng';
import { NestedArray, Tensor } from '../lib/tensor/tensor';
import { gradcheck } from '../lib/tools/gradcheck';
import { MSELoss } from '../lib/losses/mse';
import { NeuralNet } from '../lib/training/neural-net';
import { expectMinidlError } from './helpers';

/*
 * Reference values computed once with PyTorch 1.13 in float64 (torch.set_default_dtype(torch.float64)):
 *
 *   bn = torch.nn.BatchNorm1d(3); bn.weight ← [1.5, -0.5, 2]; bn.bias ← [0.1, 0.2, -0.3]
 *   for each step: y = bn(x); y.backward(g)  (fresh weight/bias grads each step), then read
 *   y, x.grad, bn.weight.grad, bn.bias.grad, bn.running_mean, bn.running_var;
 *   then bn.eval() and the same on BN1D_EVAL.
 *
 *   bn = torch.nn.BatchNorm2d(2, eps=1e-3, momentum=0.3); bn.weight ← [0.7, 1.3]; bn.bias ← [-0.2, 0.4]
 *   two training steps on [2,2,2,3] inputs (values flattened row-major), then eval on a [1,2,2,3] input.
 *
 * The inputs are sin(1.3·i + k)·2 + 0.1·k + 0.05·i rounded to 6 decimals (i the flat index, k per tensor).
 */
const BN1D_STEPS = [
  {
    x: [[0, 1.977116, 1.131003], [-1.225532, -1.566909, 0.68024], [2.297087, 0.988197, -1.255653], [-1.073967, 1.340334, 2.523544], [0.815507, -1.208248, -0.509666]],
    g: [[-0.088042, -0.858038, 1.167246], [3.094015, 2.172797, -0.173571], [-0.434404, 1.845668, 3.399586], [2.024105, -0.192441, 0.070443], [2.500881, 3.611526, 1.848531]],
    y: [[-0.08747298634303582, -0.3870299793072558, 0.6396522632995995], [-1.5003100096856552, 0.8579888789063584, -0.046709787192124284], [2.560690879993402, -0.0396219321727832, -2.9944306272179793], [-1.3255804690103206, -0.16332794600585926, 2.76002881628597], [0.8526725850456096, 0.7319909785795399, -1.8585406651754657]],
    dx: [[-1.872342765543447, 0.18919533429667498, 0.6256975126286131], [0.7815776251140868, 0.34292964037115636, -1.9788412776968185], [-0.3701630733529623, -0.42061913154361075, 1.0443109472868914], [-0.3263906251166523, 0.17430220403414912, 0.6946609521912356], [1.7873188388989751, -0.28580804715836944, -0.38582813440992003]],
    dw: [-4.671327751367526, -6.964652406718454, -5.386280126246585],
    db: [7.096555, 6.579512, 6.312234999999999],
    rm: [0.0162619, 0.030609799999999993, 0.051389359999999995],
    rv: [1.11161923642315, 1.15321508338965, 1.11565398227263],
  },
  {
    x: [[1.782942, 1.64141, -0.685041], [-1.714905, 0.133821, 2.226], [1.569834, -0.800141, -1.338657], [0.816464, 2.581215, 1.443481], [-0.856704, -0.876314, 1.48663]],
    g: [[-0.89998, 0.623536, 2.918324], [2.695763, 0.355156, -0.601252], [1.300929, 3.348249, 2.61463], [0.248075, -0.211157, 1.98296], [3.68929, 2.481305, 0.201957]],
    y: [[1.6946702225758086, -0.20425344807430987, -2.198197578297153], [-2.1169002511242323, 0.347077785705627, 2.015017476714989], [1.4624484700208031, 0.6886313667967449, -3.1441907028861973], [0.6415083752220884, -0.5479438372735899, 0.8824601435709194], [-1.1817268166944677, 0.7164881328455281, 0.9449106608974422]],
    dx: [[-0.9330394001632594, -0.08562450261155609, 0.5467143012542104], [-0.7928604289021954, 0.47637553214548173, -0.9581011943906826], [1.2350895313511245, -0.33085052889607136, -0.6986997432006895], [-0.725919680095188, -0.06953158504188564, 1.8172860338282641], [1.216729977809519, 0.009631084404031601, -0.7071993974911016]],
    dw: [-6.822191660206007, -5.751453257249783, -5.885890593122691],
    db: [7.034077, 6.5970889999999995, 7.116619],
    rm: [0.04658833, 0.08114864000000001, 0.108898684],
    rv: [1.2373130719414551, 1.271555755521355, 1.2427801752722971],
  },
  {
    x: [[2.018595, -0.065491, -1.687382], [-0.397753, 1.987336, 2.046974], [-0.232958, -1.439105, 0.268792], [2.461909, 2.000576, -0.366105], [-1.097689, 0.950845, 2.851641]],
    g: [[0.126854, 2.58914, 3.089582], [0.968283, -0.5938, 0.765039], [3.127347, 3.105588, 0.804889], [-0.330971, 1.435296, 3.589355], [3.048754, 0.678725, 0.024617]],
    y: [[1.6542561211473812, 0.48727879157517984, -3.1185072550362185], [-0.9037670819726794, -0.2966045977352942, 1.4375763679103721], [-0.7293098292267296, 1.0118009251618472, -0.7318862887882434], [2.123562486897665, -0.30166036525709256, -1.506489412849774], [-1.6447416968456376, 0.0991852462553599, 2.419306588763864]],
    dx: [[0.033424771286321604, -0.1944522306234143, -0.3108608740739754], [-1.328230429062751, 0.357331687053718, 0.18545958215368571], [1.1110387364231424, 0.052402159415091, -1.3526898073291498], [-0.03800458137893928, -0.4217701248973686, 1.4779319391617214], [0.2217715027322264, 0.20648850905197363, 0.000159160087718068]],
    dw: [-6.238223552680251, -5.5427028455566685, -5.994946877179903],
    db: [6.940267, 7.214949, 8.273482],
    rm: [0.096971577, 0.14171699600000004, 0.1602872156],
    rv: [1.3645393755582296, 1.3587135509696897, 1.4544071432573173],
  },
];
const BN1D_EVAL = {
  x: [[3.825891, 3.324845, 0.956149], [0.263197, 2.334416, 4.208715], [3.213492, 0.880001, 0.700062], [3.010536, 4.499824, 3.059365]],
  g: [[3.773311, 1.542071, 0.201448], [1.788709, 4.051762, 3.74848], [1.396421, 0.514608, 2.468148], [4.468352, 3.658165, 1.297764]],
  y: [[4.888281015973126, -1.165395779613713, 1.0198456776429463], [0.31344897731328714, -0.7405534311729149, 6.413854110382071], [4.101903469755785, -0.11668530513104483, 0.5951546990387107], [3.8412889990102626, -1.6694004460043586, 4.507788686292687]],
  dx: [[4.845283949344962, -0.661467975092056, 0.3340784509087383], [2.2968695153272223, -1.737994428074284, 6.216425041014988], [1.7931350630330338, -0.2207399735331076, 4.09314096170476], [5.737781546663781, -1.5691618577242106, 2.152193056099479]],
  dw: [27.170139841245994, 25.83595992144228, 16.940688742277867],
  db: [11.426793, 9.766606, 7.715839999999999],
};
const BN2D_STEPS = [
  {
    x: [1.023937, 2.818666, 4.9523, 4.37231, 2.001633, 1.386566, 3.501434, 5.321201, 4.253154, 1.935235, 1.836451, 4.17477, 5.5978, 4.094048, 1.939764, 2.36423, 4.818852, 5.780853, 3.91415, 2.026717, 2.956898, 5.415226, 5.873495, 3.73359],
    g: [5.490226, 3.163367, 2.135427, 3.985591, 6.076615, 5.418393, 3.048473, 2.512043, 4.668224, 6.431457, 5.29185, 2.992181, 2.97472, 5.338298, 6.693517, 5.128229, 3.008834, 3.513501, 5.976142, 6.862232, 4.946898, 3.109358, 4.114864, 6.563596],
    y: [-1.2384139484792318, -0.4635982489726992, 0.45752862879041806, 0.20713686626984015, -0.8163255941122277, -1.0818607071283903, 0.1595319286941791, 1.9547276454380373, 0.901101879237679, -1.385519573156615, -1.4829697487465807, 0.8237762540003537, 0.7362021967950957, 0.0870063250148169, -0.8430355166201772, -0.6597861677175073, 0.3999168080265322, 0.815229358133531, 0.5666752582697003, -1.2952728027958151, -0.37765151007179154, 2.0474830791099525, 2.499564332323409, 0.38855325769750026],
    dx: [-0.22041367983505242, -0.7127069507691853, -0.5475039286538766, 0.08570306912908851, 0.31179498651667614, -0.14792353456623952, -1.8197760531868314, -0.9984367309350932, 0.3359876359473864, 0.35518677683692035, -0.8423445480372852, -1.3755967928613382, -0.0009277122603432944, 0.590268549207103, 0.56046362866793, 0.005852834809252007, -0.20852772420870086, 0.2839204619633497, 1.3746563246123151, 0.8480379351353247, -0.35110765370461383, -0.3394069998727089, 0.9926230682022295, 1.820177037863697],
    dw: [-12.863678362104409, -11.896516038329079],
    db: [52.926717999999994, 56.517318],
    rm: [1.028773975, 1.1235580249999997],
    rv: [1.5600854678211702, 1.2680078341347158],
  },
  {
    x: [2.291925, 4.696656, 4.835533, 2.57835, 1.305136, 2.954402, 5.18322, 4.799616, 2.438822, 1.632656, 3.635404, 5.586285, 4.700504, 2.348982, 2.049955, 4.314748, 5.898684, 4.554544, 2.324745, 2.549199, 4.97233, 6.117495, 4.380276, 2.378952],
    g: [3.782755, 2.16242, 3.453894, 5.838416, 5.895904, 3.615389, 2.411081, 4.120544, 6.312661, 5.849226, 3.482422, 2.752873, 4.802619, 6.702029, 5.741711, 3.401785, 3.183497, 5.47989, 6.999993, 5.590101, 3.38896, 3.694496, 6.132349, 7.204308],
    y: [-0.8327701028270176, 0.382411245691924, 0.4525898811144577, -0.6880311204836544, -1.3314236269524427, -0.49800097720640435, 1.6033867407539946, 1.2614354623550705, -0.8430173753017554, -1.561647770974759, 0.22363663406504214, 1.9626858930773856, 0.3843557533433413, -0.803937521468668, -0.955044665304537, 0.18942189326532322, 0.9898313712683509, 0.3105978695593238, -0.9447075974733543, -0.7446253974917272, 1.4153957263184072, 2.436215727485505, 0.8876284919277426, -0.8963865347415516],
    dx: [-0.7534543010041118, -0.8262342603570978, -0.1305304358089642, 0.37418972453365085, 0.00824917299678711, -0.6325081159821834, -1.076752730638179, 0.14078346193933494, 0.20977410737187335, -0.8470657080568516, -1.3576761115963458, -0.4502248719258849, 0.5091297690084028, 0.7394416406171181, 0.16139713449611734, -0.31842649376715415, 0.06265279852657926, 0.8060933667408552, 0.7313830062911392, -0.3461921038381004, -0.3734506318278675, 0.8133269134505341, 1.5992972770903509, 0.9567973917399943],
    dw: [-10.205065998226434, -15.676128814711927],
    db: [54.060309, 57.939014],
    rm: [1.7833772575000002, 1.9364656174999997],
    rv: [1.7197283119252078, 1.5833183917310647],
  },
];
const BN2D_EVAL = {
  x: [4.47525, 6.769232, 6.544535, 4.203591, 3.249139, 5.152703, 7.198808, 6.463155, 4.096727, 3.639597, 5.834711, 7.539472],
  y: [1.2364695115184656, 2.460611779072985, 2.340706263208999, 1.0915035683412337, 0.5821774116617363, 1.5979801299895833, 5.835020937553346, 5.075228212726033, 2.63114822089884, 2.1590179525517943, 4.426162445086431, 6.186863489423008],
};

/** Every entry within `tol` of the reference, relative to max(1, |reference|). */
function expectClose(actual: ArrayLike<number>, expected: NestedArray, tol = 1e-12): void {
  const flat = ([expected] as NestedArray[]).flat(Infinity as 1) as number[];
  expect(actual.length).toBe(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const err = Math.abs(actual[i] - flat[i]) / Math.max(1, Math.abs(flat[i]));
    if (!(err <= tol)) throw new Error(`entry ${i}: got ${actual[i]}, expected ${flat[i]} (relative error ${err})`);
  }
}

function randn(rng: Rng, shape: number[], scale = 1, shift = 0): Tensor {
  const t = new Tensor(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = shift + scale * rng.normal();
  return t;
}

/** Sets γ and β to seeded values away from 1 and 0, so the checks see them. */
function randomAffine(bn: BatchNorm, rng: Rng): void {
  if (bn.weight) rng.fillUniform(bn.weight.value.data, 0.5, 2);
  if (bn.bias) rng.fillUniform(bn.bias.value.data, -1, 1);
}

function expectGradcheckPasses(module: Module, input: Tensor): void {
  const report = gradcheck(module, input);
  if (!report.ok) throw new Error(report.summary);
  expect(report.worstRelError).toBeLessThan(1e-6);
  expect(report.entries).toHaveLength(1 + module.params().length);
}

describe('BatchNorm1d against PyTorch (float64 literals)', () => {
  test('three training steps: output, gradients and running statistics; then evaluation mode', () => {
    const bn = new BatchNorm1d(3);
    bn.weight!.value.data.set([1.5, -0.5, 2]);
    bn.bias!.value.data.set([0.1, 0.2, -0.3]);
    for (const step of BN1D_STEPS) {
      bn.zeroGrad();
      const y = bn.forward(Tensor.from(step.x));
      expectClose(y.data, step.y);
      expectClose(bn.backward(Tensor.from(step.g)).data, step.dx);
      expectClose(bn.weight!.grad.data, step.dw);
      expectClose(bn.bias!.grad.data, step.db);
      expectClose(bn.runningMean.data, step.rm);
      expectClose(bn.runningVar.data, step.rv);
    }
    bn.eval();
    bn.zeroGrad();
    const runningBefore = [...bn.runningMean.data, ...bn.runningVar.data];
    expectClose(bn.forward(Tensor.from(BN1D_EVAL.x)).data, BN1D_EVAL.y);
    expectClose(bn.backward(Tensor.from(BN1D_EVAL.g)).data, BN1D_EVAL.dx);
    expectClose(bn.weight!.grad.data, BN1D_EVAL.dw);
    expectClose(bn.bias!.grad.data, BN1D_EVAL.db);
    expect([...bn.runningMean.data, ...bn.runningVar.data]).toEqual(runningBefore); // eval never updates them
  });

  test('the running variance uses the unbiased variance, the normalisation the biased one', () => {
    const bn = new BatchNorm1d(1, { momentum: 1 }); // running statistics = the last batch's
    const y = bn.forward(Tensor.from([[1], [2], [3], [6]])); // mean 3, Σ(x − μ)² = 14
    expect(bn.runningMean.data[0]).toBe(3);
    expect(bn.runningVar.data[0]).toBeCloseTo(14 / 3, 14); // unbiased: 14/(4 − 1)
    const sigma = Math.sqrt(14 / 4 + 1e-5); //                 biased: 14/4, eps inside the root
    expectClose(y.data, [-2 / sigma, -1 / sigma, 0, 3 / sigma], 1e-14);
  });
});

describe('BatchNorm2d against PyTorch (float64 literals)', () => {
  test('two training steps with eps 1e-3, momentum 0.3, then evaluation mode', () => {
    const bn = new BatchNorm2d(2, { eps: 1e-3, momentum: 0.3 });
    bn.weight!.value.data.set([0.7, 1.3]);
    bn.bias!.value.data.set([-0.2, 0.4]);
    for (const step of BN2D_STEPS) {
      bn.zeroGrad();
      const y = bn.forward(Tensor.fromArray(step.x, [2, 2, 2, 3]));
      expect(y.shape).toEqual([2, 2, 2, 3]);
      expectClose(y.data, step.y);
      expectClose(bn.backward(Tensor.fromArray(step.g, [2, 2, 2, 3])).data, step.dx);
      expectClose(bn.weight!.grad.data, step.dw);
      expectClose(bn.bias!.grad.data, step.db);
      expectClose(bn.runningMean.data, step.rm);
      expectClose(bn.runningVar.data, step.rv);
    }
    bn.eval();
    expectClose(bn.forward(Tensor.fromArray(BN2D_EVAL.x, [1, 2, 2, 3])).data, BN2D_EVAL.y);
  });

  test('statistics are per channel over N, H and W', () => {
    const bn = new BatchNorm2d(2, { affine: false, momentum: 1 });
    // Channel 0 holds 1…4 and 5…8 over two samples; channel 1 holds 100 everywhere.
    const x = Tensor.from([[[[1, 2]], [[100, 100]]], [[[3, 4]], [[100, 100]]]]); // [2, 2, 1, 2]
    const y = bn.forward(x);
    expect(Array.from(bn.runningMean.data)).toEqual([2.5, 100]);
    expect(bn.runningVar.data[0]).toBeCloseTo(5 / 3, 14);
    expect(bn.runningVar.data[1]).toBe(0);
    const sigma = Math.sqrt(1.25 + 1e-5);
    expectClose(y.data, [-1.5 / sigma, -0.5 / sigma, 0, 0, 0.5 / sigma, 1.5 / sigma, 0, 0], 1e-14);
  });
});

describe('BatchNorm gradcheck (input, γ and β), training and evaluation mode', () => {
  test.each([[3, 1], [3, 4], [5, 3], [7, 6]])('BatchNorm1d, input [%i,%i]', (n, f) => {
    const rng = new Rng(`bn1d-${n}-${f}`);
    for (const affine of [true, false]) {
      const bn = new BatchNorm1d(f, { affine, momentum: 0.4 });
      randomAffine(bn, rng);
      const x = randn(rng, [n, f], 2, 0.5);
      expectGradcheckPasses(bn, x); // training mode: perturbing x moves the batch statistics too
      bn.forward(x); //               (gradcheck gives the running statistics back) one training step moves them
      bn.eval(); //                   evaluation mode now reads running statistics that are not the initial ones
      expect(Array.from(bn.runningVar.data).some((v) => v !== 1)).toBe(true);
      expectGradcheckPasses(bn, x);
    }
  });

  test.each([[2, 3, 2, 2], [1, 2, 3, 3], [3, 1, 1, 2], [2, 4, 3, 1]])('BatchNorm2d, input [%i,%i,%i,%i]', (n, c, h, w) => {
    const rng = new Rng(`bn2d-${n}-${c}-${h}-${w}`);
    for (const affine of [true, false]) {
      const bn = new BatchNorm2d(c, { affine, eps: 1e-3 });
      randomAffine(bn, rng);
      const x = randn(rng, [n, c, h, w], 1.5, -0.3);
      expectGradcheckPasses(bn, x);
      bn.eval();
      expectGradcheckPasses(bn, x);
    }
  });

  test('two samples: the output hardly depends on x (x̂ = ±1 up to eps); with tiny x, eps matters and the gradient is checked', () => {
    const rng = new Rng('bn1d-two');
    const bn = new BatchNorm1d(3);
    randomAffine(bn, rng);
    const large = randn(rng, [2, 3], 10);
    bn.forward(large);
    const g = randn(rng, [2, 3]);
    expect(Math.max(...Array.from(bn.backward(g).data, Math.abs))).toBeLessThan(1e-4);
    expectGradcheckPasses(bn, randn(rng, [2, 3], 0.005)); // var ≈ 1e-5 ≈ eps
  });

  test('in evaluation mode gradcheck leaves the running statistics alone', () => {
    const rng = new Rng('bn-eval-stats');
    const bn = new BatchNorm1d(4);
    for (let k = 0; k < 3; k++) bn.forward(randn(rng, [6, 4], 3, 1));
    bn.eval();
    const before = [...bn.runningMean.data, ...bn.runningVar.data];
    expectGradcheckPasses(bn, randn(rng, [5, 4]));
    expect([...bn.runningMean.data, ...bn.runningVar.data]).toEqual(before);
  });

  test('a Linear → BatchNorm1d → ReLU → Linear net, training mode', () => {
    const rng = new Rng('bn-net');
    // No bias before the BatchNorm: the normalisation subtracts any per-feature constant, so
    // that bias would get a zero gradient (checked below).
    const net = new Sequential(new Linear(3, 6, { rng, bias: false }), new BatchNorm1d(6), new ReLU(), new Linear(6, 2, { rng }));
    const x = randn(rng, [9, 3]);
    // Keep the ReLU's inputs away from its kink, where a finite difference is not a derivative.
    const h = (net.modules[1] as BatchNorm1d).forward((net.modules[0] as Linear).forward(x));
    expect(Math.min(...Array.from(h.data, Math.abs))).toBeGreaterThan(1e-3);
    expectGradcheckPasses(net, x);
  });

  test('a bias just before a BatchNorm in training mode gets no gradient (the mean removes it)', () => {
    const rng = new Rng('bn-bias');
    const linear = new Linear(3, 4, { rng });
    const net = new Sequential(linear, new BatchNorm1d(4));
    net.forward(randn(rng, [6, 3]));
    net.backward(randn(rng, [6, 4]));
    expect(Math.max(...Array.from(linear.bias!.grad.data, Math.abs))).toBeLessThan(1e-14);
    expect(Math.max(...Array.from(linear.weight.grad.data, Math.abs))).toBeGreaterThan(1e-3);
  });

  test('backward uses the statistics of the forward it follows, even if the mode changed in between', () => {
    const rng = new Rng('bn-mode-switch');
    const x = randn(rng, [4, 2]);
    const g = randn(rng, [4, 2]);
    const a = new BatchNorm1d(2);
    const b = new BatchNorm1d(2);
    a.forward(x);
    b.forward(x);
    a.eval(); // after the forward: must not change what backward computes
    expect(Array.from(a.backward(g).data)).toEqual(Array.from(b.backward(g).data));
  });
});

describe('BatchNorm parameters, buffers and modes', () => {
  test('γ = 1 and β = 0 are the parameters weight and bias; running statistics are buffers, not parameters', () => {
    const bn = new BatchNorm1d(4);
    expect(bn.params().map((p) => p.name)).toEqual(['weight', 'bias']);
    expect(Array.from(bn.weight!.value.data)).toEqual([1, 1, 1, 1]);
    expect(Array.from(bn.bias!.value.data)).toEqual([0, 0, 0, 0]);
    expect(bn.weight!.shape).toEqual([4]);
    expect(bn.buffers().map((b) => b.name)).toEqual(['runningMean', 'runningVar', 'numBatchesTracked']);
    expect(bn.buffers()[0].value).toBe(bn.runningMean);
    expect(Array.from(bn.runningMean.data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(bn.runningVar.data)).toEqual([1, 1, 1, 1]);
    expect(bn.numParams()).toBe(8);
    const plain = new BatchNorm2d(3, { affine: false });
    expect(plain.params()).toEqual([]);
    expect(plain.weight).toBeNull();
    expect(plain.buffers()).toHaveLength(3);
  });

  test('toString shows the options that differ from the defaults', () => {
    expect(new BatchNorm1d(100).toString()).toBe('BatchNorm1d(100)');
    expect(new BatchNorm2d(8, { eps: 1e-3, momentum: 0.2, affine: false }).toString()).toBe('BatchNorm2d(8, eps=0.001, momentum=0.2, affine=false)');
  });

  test('momentum 0 freezes the running statistics; evaluation with one sample is allowed', () => {
    const bn = new BatchNorm1d(2, { momentum: 0 });
    bn.forward(Tensor.from([[1, 2], [3, 5]]));
    expect(Array.from(bn.runningMean.data)).toEqual([0, 0]);
    expect(Array.from(bn.runningVar.data)).toEqual([1, 1]);
    bn.eval();
    const y = bn.forward(Tensor.from([[2, -1]]));
    expectClose(y.data, [2 / Math.sqrt(1 + 1e-5), -1 / Math.sqrt(1 + 1e-5)], 1e-15);
  });

  test('a container passes train()/eval() down and collects the buffers', () => {
    const bn = new BatchNorm1d(3);
    const net = new Sequential(new Linear(2, 3, { rng: new Rng(1) }), bn, new ReLU());
    expect(net.buffers().map((b) => b.value)).toEqual([bn.runningMean, bn.runningVar, bn.numBatchesTracked]);
    net.eval();
    expect(bn.training).toBe(false);
    net.train();
    expect(bn.training).toBe(true);
  });

  test('NeuralNet trains in training mode and evaluates in evaluation mode, then restores the mode', () => {
    const rng = new Rng('bn-trainer');
    const bn = new BatchNorm1d(4);
    const modes: boolean[] = [];
    const spy = new (class extends Sequential {
      override forward(input: Tensor): Tensor {
        modes.push(this.training);
        return super.forward(input);
      }
    })(new Linear(2, 4, { rng }), bn, new ReLU(), new Linear(4, 1, { rng }));
    const x = randn(rng, [20, 2]);
    const y = new Tensor([20, 1]);
    for (let i = 0; i < 20; i++) y.data[i] = x.data[2 * i] > 0 ? 1 : 0;
    const net = new NeuralNet(spy, { loss: new MSELoss(), lr: 0.01, rng });
    net.fit(x, y, { epochs: 1, batchSize: 10 });
    expect(modes.filter((training) => training)).toHaveLength(2); // its two training steps (fit may first check a sample in evaluation mode)
    expect(Array.from(bn.runningMean.data).some((v) => v !== 0)).toBe(true); // training updated them
    const before = [...bn.runningMean.data, ...bn.runningVar.data];
    modes.length = 0;
    net.evaluate(x, y);
    net.predict(x);
    expect(modes.length).toBeGreaterThanOrEqual(2);
    expect(modes.every((training) => !training)).toBe(true); // every forward of evaluate and predict
    expect([...bn.runningMean.data, ...bn.runningVar.data]).toEqual(before); // evaluation did not
    expect(spy.training).toBe(true);
    spy.eval();
    net.evaluate(x, y);
    expect(spy.training).toBe(false);
  });
});

describe('BatchNorm errors', () => {
  test('training mode needs more than one value per channel (as PyTorch)', () => {
    expectMinidlError(() => new BatchNorm1d(3).forward(Tensor.from([[1, 2, 3]])),
      /^BatchNorm1d\(3\)\.forward: Expected more than 1 value per channel when training, got input shape \[1,3\]/);
    expectMinidlError(() => new BatchNorm2d(3).forward(Tensor.zeros([1, 3, 1, 1])),
      /^BatchNorm2d\(3\)\.forward: Expected more than 1 value per channel when training, got input shape \[1,3,1,1\]/);
    expect(new BatchNorm2d(3).forward(Tensor.zeros([1, 3, 1, 2])).shape).toEqual([1, 3, 1, 2]); // H·W = 2 is enough
  });

  test('wrong input shapes name the expected layout', () => {
    expectMinidlError(() => new BatchNorm1d(3).forward(Tensor.zeros([4, 2])), /BatchNorm1d\(3\)\.forward: input has shape \[4,2\], expected \[N,3\]/);
    expectMinidlError(() => new BatchNorm1d(3).forward(Tensor.zeros([4, 3, 1])), /input has shape \[4,3,1\], expected \[N,3\]/);
    expectMinidlError(() => new BatchNorm2d(2).forward(Tensor.zeros([4, 2])), /BatchNorm2d\(2\)\.forward: input has shape \[4,2\], expected \[N,2,H,W\]/);
    expectMinidlError(() => new BatchNorm2d(2).forward(Tensor.zeros([4, 3, 2, 2])), /expected \[N,2,H,W\]/);
    expectMinidlError(() => new BatchNorm1d(2).forward(Tensor.from([[1, NaN], [0, 0]])), /non-finite value \(NaN\)/);
  });

  test('backward is checked against the last forward', () => {
    const bn = new BatchNorm1d(2);
    expectMinidlError(() => bn.backward(Tensor.zeros([3, 2])), /BatchNorm1d\(2\)\.backward: called before forward/);
    bn.forward(Tensor.zeros([3, 2]));
    expectMinidlError(() => bn.backward(Tensor.zeros([2, 2])), /gradOut has shape \[2,2\], expected \[3,2\]/);
  });

  test('invalid hyper-parameters are refused in the constructor', () => {
    expectMinidlError(() => new BatchNorm1d(0), /BatchNorm1d\(0\): numFeatures must be an integer ≥ 1, got 0/);
    expectMinidlError(() => new BatchNorm2d(2.5), /BatchNorm2d\(2\.5\): numFeatures must be an integer ≥ 1/);
    expectMinidlError(() => new BatchNorm1d(3, { eps: 0 }), /eps must be a finite number > 0, got 0/);
    expectMinidlError(() => new BatchNorm1d(3, { eps: -1e-5 }), /eps must be a finite number > 0/);
    expectMinidlError(() => new BatchNorm1d(3, { momentum: 1.5 }), /momentum must be in \[0, 1\], got 1\.5/);
    expectMinidlError(() => new BatchNorm2d(3, { momentum: -0.1 }), /momentum must be in \[0, 1\]/);
    expectMinidlError(() => new BatchNorm1d(3, { affine: 'yes' as unknown as boolean }), /^BatchNorm1d\(3\): option 'affine' must be true or false, got string 'yes'/);
    expect(() => new BatchNorm1d(3, { momentum: 1 })).not.toThrow();
  });
});
