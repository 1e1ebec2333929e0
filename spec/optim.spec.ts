import { Adam, Linear, MSELoss, MinidlError, Optimizer, Parameter, Rng, SGD, Tensor } from '../lib';
import { expectMinidlError } from './helpers';

// ---------------------------------------------------------------------------------------------
// A fixed problem: three parameters of different sizes, A [2,2], B [1,3] and C [2], and a fixed
// sequence of five gradients for each. C's gradient is always zero and A's is zero at step 3,
// so weight decay and momentum acting on a zero gradient are covered.
// ---------------------------------------------------------------------------------------------

const A0 = [[0.5, -1.25], [2.0, 0.75]];
const B0 = [[0.3, -0.2, 1.1]];
const C0 = [1.5, -2.5];
const GA = [[[0.1, -0.2], [0.3, 0.4]], [[-0.5, 0.25], [0.05, -0.15]], [[0.0, 0.0], [0.0, 0.0]],
  [[0.7, -0.3], [-0.2, 0.6]], [[-0.05, 0.45], [0.35, -0.25]]];
const GB = [[[1.0, -2.0, 0.5]], [[0.25, 0.75, -1.5]], [[-0.4, 0.1, 0.2]], [[0.0, 0.3, -0.6]], [[0.9, -0.8, 0.05]]];
const STEPS = GA.length;

/** The values of [A, B, C] (flattened) after each step. */
type Trajectory = number[][][];

/*
 * The trajectories PyTorch 1.13 gives on this problem, in float64. They were computed once with
 * the script below (python3 with torch installed) and pasted here:
 *
 *   import torch, json
 *   torch.set_default_dtype(torch.float64)
 *   A0, B0, C0, GA, GB = ...                       # the constants above
 *   def run(make, lrs=None):
 *       A, B, C = (torch.tensor(v, requires_grad=True) for v in (A0, B0, C0))
 *       opt = make([A, B, C])
 *       out = []
 *       for t in range(5):
 *           if lrs: opt.param_groups[0]['lr'] = lrs[t]
 *           A.grad = torch.tensor(GA[t]); B.grad = torch.tensor(GB[t]); C.grad = torch.zeros(2)
 *           opt.step()
 *           out.append([A.detach().flatten().tolist(), B.detach().flatten().tolist(), C.detach().tolist()])
 *       return out
 *   S, Ad = torch.optim.SGD, torch.optim.Adam
 *   cases = {
 *    'sgd': run(lambda p: S(p, lr=0.1)),
 *    'sgdWeightDecay': run(lambda p: S(p, lr=0.1, weight_decay=0.01)),
 *    'sgdMomentum': run(lambda p: S(p, lr=0.1, momentum=0.9)),
 *    'sgdDampening': run(lambda p: S(p, lr=0.05, momentum=0.9, dampening=0.3)),
 *    'sgdNesterov': run(lambda p: S(p, lr=0.1, momentum=0.8, nesterov=True)),
 *    'sgdMomentumDampeningDecay': run(lambda p: S(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.05)),
 *    'sgdNesterovDecay': run(lambda p: S(p, lr=0.07, momentum=0.5, nesterov=True, weight_decay=0.02)),
 *    'sgdMomentumSchedule': run(lambda p: S(p, lr=0.1, momentum=0.9), lrs=[0.1, 0.05, 0.025, 0.2, 0.0]),
 *    'adam': run(lambda p: Ad(p, lr=0.01)),
 *    'adamWeightDecay': run(lambda p: Ad(p, lr=0.05, weight_decay=0.1)),
 *    'adamBetasEps': run(lambda p: Ad(p, lr=0.02, betas=(0.5, 0.8), eps=1e-3)),
 *    'adamBeta1Zero': run(lambda p: Ad(p, lr=0.03, betas=(0.0, 0.99), eps=1e-12)),
 *    'adamSchedule': run(lambda p: Ad(p, lr=0.01), lrs=[0.01, 0.02, 0.005, 0.0, 0.04]),
 *   }
 *   for k, v in cases.items(): print(f"  {k}: {json.dumps(v)},")
 */
const TORCH: Record<string, Trajectory> = {
  sgd: [
    [[0.49, -1.23, 1.97, 0.71], [0.19999999999999998, 0.0, 1.05], [1.5, -2.5]],
    [[0.54, -1.255, 1.965, 0.725], [0.175, -0.07500000000000001, 1.2], [1.5, -2.5]],
    [[0.54, -1.255, 1.965, 0.725], [0.215, -0.085, 1.18], [1.5, -2.5]],
    [[0.47000000000000003, -1.2249999999999999, 1.985, 0.6649999999999999], [0.215, -0.115, 1.24], [1.5, -2.5]],
    [[0.47500000000000003, -1.2699999999999998, 1.9500000000000002, 0.69], [0.12499999999999999, -0.034999999999999996, 1.235], [1.5, -2.5]],
  ],
  sgdWeightDecay: [
    [[0.4895, -1.22875, 1.968, 0.70925], [0.1997, 0.00019999999999997797, 1.0489000000000002], [1.4985, -2.4975]],
    [[0.5390105, -1.25252125, 1.9610319999999999, 0.7235407500000001], [0.1745003, -0.07480020000000003, 1.1978511000000003], [1.4970014999999999, -2.4950025]],
    [[0.5384714894999999, -1.25126872875, 1.9590709679999998, 0.72281720925], [0.21432579969999999, -0.08472539980000003, 1.1766532489000003], [1.4955044985, -2.4925074975]],
    [[0.4679330180104999, -1.2200174600212499, 1.9771118970319999, 0.66209439204075], [0.2141114739003, -0.11464067440020004, 1.2354765956511002], [1.4940089940014998, -2.4900149900025]],
    [[0.4724650849924894, -1.2637974425612286, 1.940134785134968, 0.6864322976487093], [0.12389736242639969, -0.03452603372579983, 1.229241119055449], [1.4925149850074984, -2.4875249750124975]],
  ],
  sgdMomentum: [
    [[0.49, -1.23, 1.97, 0.71], [0.19999999999999998, 0.0, 1.05], [1.5, -2.5]],
    [[0.531, -1.2369999999999999, 1.938, 0.689], [0.08499999999999999, 0.10500000000000001, 1.155], [1.5, -2.5]],
    [[0.5679000000000001, -1.2432999999999998, 1.9092, 0.6700999999999999], [0.0215, 0.18950000000000003, 1.2295], [1.5, -2.5]],
    [[0.5311100000000001, -1.2189699999999999, 1.90328, 0.5930899999999999], [-0.035649999999999994, 0.23555000000000004, 1.3565500000000001], [1.5, -2.5]],
    [[0.5029990000000001, -1.242073, 1.8629520000000002, 0.5487809999999999], [-0.177085, 0.35699500000000006, 1.4658950000000002], [1.5, -2.5]],
  ],
  sgdDampening: [
    [[0.495, -1.24, 1.985, 0.73], [0.25, -0.1, 1.0750000000000002], [1.5, -2.5]],
    [[0.508, -1.23975, 1.9697500000000001, 0.7172499999999999], [0.19625, -0.03625, 1.1050000000000002], [1.5, -2.5]],
    [[0.5197, -1.239525, 1.9560250000000001, 0.7057749999999999], [0.16187500000000002, 0.017625000000000012, 1.1250000000000002], [1.5, -2.5]],
    [[0.50573, -1.2288225, 1.9506725, 0.6744475], [0.1309375, 0.05561250000000002, 1.1640000000000001], [1.5, -2.5]],
    [[0.494907, -1.23494025, 1.93360525, 0.65500275], [0.07159375000000001, 0.11780125000000002, 1.1973500000000001], [1.5, -2.5]],
  ],
  sgdNesterov: [
    [[0.482, -1.214, 1.946, 0.6779999999999999], [0.11999999999999997, 0.16000000000000003, 1.01], [1.5, -2.5]],
    [[0.5656, -1.2462, 1.9178, 0.6793999999999999], [0.010999999999999954, 0.15300000000000005, 1.248], [1.5, -2.5]],
    [[0.59248, -1.25196, 1.89924, 0.6685199999999999], [0.01579999999999995, 0.18940000000000007, 1.2824], [1.5, -2.5]],
    [[0.48798400000000003, -1.2025679999999999, 1.920392, 0.5518159999999999], [-0.01236000000000006, 0.1725200000000001, 1.43392], [1.5, -2.5]],
    [[0.4693872, -1.2680543999999998, 1.8583136, 0.5514527999999999], [-0.19688800000000006, 0.32701600000000014, 1.4981360000000001], [1.5, -2.5]],
  ],
  sgdMomentumDampeningDecay: [
    [[0.4875, -1.22375, 1.96, 0.70625], [0.19849999999999998, 0.0009999999999999788, 1.0445], [1.4925, -2.4875]],
    [[0.51905625, -1.2171181249999998, 1.91068, 0.677196875], [0.08375674999999996, 0.11439549999999997, 1.12484975], [1.47903375, -2.46505625]],
    [[0.545121121875, -1.2056724059375, 1.8576939399999999, 0.6480016765625001], [0.016110919624999966, 0.20693667024999995, 1.174102701125], [1.460258473125, -2.433764121875]],
    [[0.5031264615140625, -1.1629457329545312, 1.8196468632699998, 0.5648099904242189], [-0.044842826850812534, 0.2622925084588749, 1.2671468949824376], [1.4367895608084373, -2.3946492680140623]],
    [[0.46756719811240544, -1.1597584714715639, 1.7457160833282848, 0.5098958279428567], [-0.18049940595821512, 0.3829324465587975, 1.3406845084267103], [1.409201986699893, -2.3486699778331555]],
  ],
  sgdNesterovDecay: [
    [[0.48845, -1.226375, 1.9643, 0.706425], [0.19437, 0.010420000000000025, 1.04519], [1.49685, -2.49475]],
    [[0.537999255, -1.2461121125, 1.9489749699999999, 0.7134290074999999], [0.15010682299999997, -0.03328188199999998, 1.1913601010000001], [1.493181615, -2.488636025]],
    [[0.5444859990645, -1.24547229581375, 1.940344617563, 0.71067730783425], [0.17854606917169996, -0.03930563704779998, 1.1891749282879], [1.4892595361085, -2.4820992268474997]],
    [[0.4734625499772146, -1.2119091741281662, 1.9543190001266175, 0.6453084359601731], [0.1784958202883894, -0.0702582700512996, 1.2564190266531454], [1.4852162787674221, -2.47536046461237]],
    [[0.46708769427796487, -1.2512044346267748, 1.9148103627404545, 0.6590163264231023], [0.08372083687254868, 0.008885441868124865, 1.261985018329598], [1.4811181775867475, -2.4685302959779127]],
  ],
  sgdMomentumSchedule: [
    [[0.49, -1.23, 1.97, 0.71], [0.19999999999999998, 0.0, 1.05], [1.5, -2.5]],
    [[0.5105, -1.2335, 1.954, 0.6995], [0.1425, 0.052500000000000005, 1.1025], [1.5, -2.5]],
    [[0.519725, -1.2350750000000001, 1.9467999999999999, 0.694775], [0.126625, 0.07362500000000001, 1.1211250000000001], [1.5, -2.5]],
    [[0.446145, -1.1864150000000002, 1.9349599999999998, 0.540755], [0.012325000000000003, 0.16572500000000004, 1.3752250000000001], [1.5, -2.5]],
    [[0.446145, -1.1864150000000002, 1.9349599999999998, 0.540755], [0.012325000000000003, 0.16572500000000004, 1.3752250000000001], [1.5, -2.5]],
  ],
  adam: [
    [[0.4900000009999999, -1.2400000005, 1.9900000003333334, 0.74000000025], [0.2900000001, -0.19000000005, 1.0900000002], [1.5, -2.5]],
    [[0.4959835426552334, -1.2416273230448174, 1.9821667272150607, 0.7363404214653897], [0.2816940248772273, -0.1863404211684533, 1.094941898488778], [1.5, -2.5]],
    [[0.5006088376680348, -1.242885248075945, 1.976111584454748, 0.733511556479365], [0.27802213268414505, -0.18381367960703857, 1.0979296795433982], [1.5, -2.5]],
    [[0.4981392488968485, -1.239660653395281, 1.9751654855940393, 0.7274325955069322], [0.2750143420345599, -0.1825725866963904, 1.1022692223866468], [1.5, -2.5]],
    [[0.4963700417897011, -1.241666955923797, 1.9708056552269848, 0.7243224295556582], [0.26959671338846203, -0.1796908486250049, 1.1057752228991837], [1.5, -2.5]],
  ],
  adamWeightDecay: [
    [[0.4500000033333331, -1.2000000015384615, 1.950000001, 0.7000000010526315], [0.2500000004854369, -0.15000000024752477, 1.0500000008196722], [1.4500000033333331, -2.450000002]],
    [[0.4748530168155416, -1.1827197098219333, 1.90353944409658, 0.6731452292429462], [0.20802984689489845, -0.13124605099781447, 1.0706756708666716], [1.40005136025477, -2.400028882351659]],
    [[0.4908185763243809, -1.1598330973529394, 1.859218707750635, 0.6481616552719027], [0.1881794820426579, -0.11805209589530402, 1.0800240021365377], [1.3501907716133743, -2.350106651566985]],
    [[0.4734333352197352, -1.1256554939638066, 1.823620143628014, 0.6126269551874676], [0.17143770322902557, -0.11120382746617931, 1.0961061919645767], [1.300456778795027, -2.3002538448791947]],
    [[0.45882034641679476, -1.1151174452372294, 1.7830093279065309, 0.5894494017758664], [0.14326023741803467, -0.09621943996308388, 1.106971285369426], [1.250889744793024, -2.250491483817087]],
  ],
  adamBetasEps: [
    [[0.4801980198019802, -1.2300995024875623, 1.9800664451827243, 0.7300498753117207], [0.28001998001998, -0.18000999500249876, 1.0800399201596806], [1.5, -2.5]],
    [[0.4960043859276981, -1.238790288397686, 1.9670228488373267, 0.7277522595830412], [0.2655945171095912, -0.1777060269138366, 1.094313400034074], [1.5, -2.5]],
    [[0.5048153589390482, -1.2436323122941053, 1.9597568756634127, 0.7264718086930358], [0.2660777786253038, -0.17744944076799862, 1.0996723704946518], [1.5, -2.5]],
    [[0.49154100409308943, -1.2312854240949895, 1.9689871629781202, 0.7098967514549437], [0.26635500753973324, -0.1807742222907177, 1.1102954290800597], [1.5, -2.5]],
    [[0.4851998070338036, -1.2418679460820914, 1.9571783606135633, 0.708273180502519], [0.2518411030476279, -0.1731456221055637, 1.1156677541348226], [1.5, -2.5]],
  ],
  adamBeta1Zero: [
    [[0.4700000000003, -1.22000000000015, 1.9700000000001, 0.720000000000075], [0.27000000000003, -0.17000000000001503, 1.07000000000006], [1.5, -2.5]],
    [[0.511506360856507, -1.2531112007644383, 1.9630085048548283, 0.7349251865660237], [0.2596871963443982, -0.18492518656600326, 1.1101685637472323], [1.5, -2.5]],
    [[0.511506360856507, -1.2531112007644383, 1.9630085048548283, 0.7349251865660237], [0.2785505568376861, -0.18736589244751134, 1.1036450498726997], [1.5, -2.5]],
    [[0.4632015310325913, -1.2121325299802712, 1.9960699792660597, 0.6861797293215055], [0.2785505568376861, -0.19575756224034996, 1.1248198043768227], [1.5, -2.5]],
    [[0.4670623717769958, -1.2599484197310147, 1.9496705753915307, 0.7077151865638867], [0.23615780384948068, -0.17229267886890956, 1.1228428389419667], [1.5, -2.5]],
  ],
  adamSchedule: [
    [[0.4900000009999999, -1.2400000005, 1.9900000003333334, 0.74000000025], [0.2900000001, -0.19000000005, 1.0900000002], [1.5, -2.5]],
    [[0.501967084310467, -1.243254645589635, 1.9743334540967878, 0.7326808426807793], [0.2733880496544545, -0.18268084228690665, 1.099883796777556], [1.5, -2.5]],
    [[0.5042797318168677, -1.2438836081051987, 1.9713058827166317, 0.731266410187767], [0.27155210355791337, -0.18141747150619927, 1.1013776873048662], [1.5, -2.5]],
    [[0.5042797318168677, -1.2438836081051987, 1.9713058827166317, 0.731266410187767], [0.27155210355791337, -0.18141747150619927, 1.1013776873048662], [1.5, -2.5]],
    [[0.49720290338827816, -1.2519088182192621, 1.9538665612484134, 0.718825746382671], [0.24988158897352203, -0.1698905192206573, 1.1154016893550136], [1.5, -2.5]],
  ],
};

// ---------------------------------------------------------------------------------------------
// Textbook reference rules, written from the formulas (not from lib/).
// ---------------------------------------------------------------------------------------------

interface SgdRef { lr: number | number[]; momentum?: number; dampening?: number; nesterov?: boolean; weightDecay?: number }
interface AdamRef { lr: number | number[]; betas?: [number, number]; eps?: number; weightDecay?: number }

const lrAt = (lr: number | number[], t: number): number => (Array.isArray(lr) ? lr[t] : lr);

/** SGD for one parameter: g ← ∂L/∂w + λw; b ← g (t = 1) or μb + (1−τ)g; g ← b or g + μb; w ← w − ηg. */
function referenceSgd(w0: number[], grads: number[][], o: SgdRef): number[][] {
  const mu = o.momentum ?? 0, tau = o.dampening ?? 0, lambda = o.weightDecay ?? 0;
  const w = w0.slice();
  let buf: number[] | null = null;
  const out: number[][] = [];
  grads.forEach((grad, t) => {
    const g = grad.map((gi, i) => gi + lambda * w[i]);
    let d = g;
    if (mu !== 0) {
      const prev: number[] | null = buf;
      const next: number[] = prev === null ? g.slice() : prev.map((b, i) => mu * b + (1 - tau) * g[i]);
      buf = next;
      d = o.nesterov ? g.map((gi, i) => gi + mu * next[i]) : next;
    }
    for (let i = 0; i < w.length; i++) w[i] = w[i] - lrAt(o.lr, t) * d[i];
    out.push(w.slice());
  });
  return out;
}

/** Adam for one parameter: m, v running moments, bias-corrected m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ). */
function referenceAdam(w0: number[], grads: number[][], o: AdamRef): number[][] {
  const [b1, b2] = o.betas ?? [0.9, 0.999];
  const eps = o.eps ?? 1e-8, lambda = o.weightDecay ?? 0;
  const w = w0.slice();
  const m = w.map(() => 0), v = w.map(() => 0);
  const out: number[][] = [];
  grads.forEach((grad, k) => {
    const t = k + 1;
    for (let i = 0; i < w.length; i++) {
      const g = grad[i] + lambda * w[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const mHat = m[i] / (1 - b1 ** t);
      const vHat = v[i] / (1 - b2 ** t);
      w[i] = w[i] - (lrAt(o.lr, k) * mHat) / (Math.sqrt(vHat) + eps);
    }
    out.push(w.slice());
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Relative comparison: |a − e| ≤ rtol·(|e| + 1); the +1 keeps entries that cancel to ~0 sane. */
function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= rtol * (Math.abs(e) + 1))) {
      throw new Error(`entry ${i}: got ${a}, expected ${e} (difference ${a - e})`);
    }
  }
}

function makeParams(): Parameter[] {
  return [
    new Parameter(Tensor.from(A0), 'A'),
    new Parameter(Tensor.from(B0), 'B'),
    new Parameter(Tensor.from(C0), 'C'),
  ];
}

const flat = (nested: number[][]): number[] => nested.flat();
/** The gradient sequence of parameter k (0: A, 1: B, 2: C), flattened. */
const gradsOf = (k: number): number[][] =>
  k === 0 ? GA.map(flat) : k === 1 ? GB.map(flat) : GA.map(() => [0, 0]);
const startOf = (k: number): number[] => (k === 0 ? flat(A0) : k === 1 ? flat(B0) : C0.slice());

/** Runs the optimizer on the fixed problem, setting the lr of each step when a schedule is given. */
function runMinidl(make: (params: Parameter[]) => Optimizer, lrs?: number[]): Trajectory {
  const params = makeParams();
  const opt = make(params);
  const out: Trajectory = [];
  for (let t = 0; t < STEPS; t++) {
    if (lrs) opt.lr = lrs[t];
    opt.zeroGrad();
    params.forEach((p, k) => p.grad.data.set(gradsOf(k)[t]));
    opt.step();
    out.push(params.map((p) => Array.from(p.value.data)));
  }
  return out;
}

function expectTrajectory(actual: Trajectory, expected: Trajectory): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((step, t) => step.forEach((values, k) => {
    try {
      expectAllClose(values, expected[t][k]);
    } catch (err) {
      throw new Error(`step ${t + 1}, parameter ${'ABC'[k]}: ${(err as Error).message}`);
    }
  }));
}

// ---------------------------------------------------------------------------------------------
// Step-by-step comparison with PyTorch and with the reference rules
// ---------------------------------------------------------------------------------------------

interface Case {
  name: string;
  make: (params: Parameter[]) => Optimizer;
  reference: (w0: number[], grads: number[][]) => number[][];
  lrs?: number[];
}

const SCHEDULE_SGD = [0.1, 0.05, 0.025, 0.2, 0.0];
const SCHEDULE_ADAM = [0.01, 0.02, 0.005, 0.0, 0.04];

const CASES: Case[] = [
  { name: 'sgd', make: (p) => new SGD(p, { lr: 0.1 }), reference: (w, g) => referenceSgd(w, g, { lr: 0.1 }) },
  {
    name: 'sgdWeightDecay',
    make: (p) => new SGD(p, { lr: 0.1, weightDecay: 0.01 }),
    reference: (w, g) => referenceSgd(w, g, { lr: 0.1, weightDecay: 0.01 }),
  },
  {
    name: 'sgdMomentum',
    make: (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
    reference: (w, g) => referenceSgd(w, g, { lr: 0.1, momentum: 0.9 }),
  },
  {
    name: 'sgdDampening',
    make: (p) => new SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.3 }),
    reference: (w, g) => referenceSgd(w, g, { lr: 0.05, momentum: 0.9, dampening: 0.3 }),
  },
  {
    name: 'sgdNesterov',
    make: (p) => new SGD(p, { lr: 0.1, momentum: 0.8, nesterov: true }),
    reference: (w, g) => referenceSgd(w, g, { lr: 0.1, momentum: 0.8, nesterov: true }),
  },
  {
    name: 'sgdMomentumDampeningDecay',
    make: (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.05 }),
    reference: (w, g) => referenceSgd(w, g, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.05 }),
  },
  {
    name: 'sgdNesterovDecay',
    make: (p) => new SGD(p, { lr: 0.07, momentum: 0.5, nesterov: true, weightDecay: 0.02 }),
    reference: (w, g) => referenceSgd(w, g, { lr: 0.07, momentum: 0.5, nesterov: true, weightDecay: 0.02 }),
  },
  {
    name: 'sgdMomentumSchedule',
    make: (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
    reference: (w, g) => referenceSgd(w, g, { lr: SCHEDULE_SGD, momentum: 0.9 }),
    lrs: SCHEDULE_SGD,
  },
  { name: 'adam', make: (p) => new Adam(p, { lr: 0.01 }), reference: (w, g) => referenceAdam(w, g, { lr: 0.01 }) },
  {
    name: 'adamWeightDecay',
    make: (p) => new Adam(p, { lr: 0.05, weightDecay: 0.1 }),
    reference: (w, g) => referenceAdam(w, g, { lr: 0.05, weightDecay: 0.1 }),
  },
  {
    name: 'adamBetasEps',
    make: (p) => new Adam(p, { lr: 0.02, betas: [0.5, 0.8], eps: 1e-3 }),
    reference: (w, g) => referenceAdam(w, g, { lr: 0.02, betas: [0.5, 0.8], eps: 1e-3 }),
  },
  {
    name: 'adamBeta1Zero',
    make: (p) => new Adam(p, { lr: 0.03, betas: [0, 0.99], eps: 1e-12 }),
    reference: (w, g) => referenceAdam(w, g, { lr: 0.03, betas: [0, 0.99], eps: 1e-12 }),
  },
  {
    name: 'adamSchedule',
    make: (p) => new Adam(p, { lr: 0.01 }),
    reference: (w, g) => referenceAdam(w, g, { lr: SCHEDULE_ADAM }),
    lrs: SCHEDULE_ADAM,
  },
];

describe('optimizers follow PyTorch step by step (t = 1..5)', () => {
  test('every case has PyTorch numbers and the cases differ from each other', () => {
    expect(Object.keys(TORCH).sort()).toEqual(CASES.map((c) => c.name).sort());
    // Guard against pasting the same trajectory twice.
    const finals = CASES.map((c) => JSON.stringify(TORCH[c.name][STEPS - 1].slice(0, 2)));
    expect(new Set(finals).size).toBe(finals.length);
  });

  describe.each(CASES)('$name', (c) => {
    test('matches the PyTorch 1.13 trajectory', () => {
      expectTrajectory(runMinidl(c.make, c.lrs), TORCH[c.name]);
    });

    test('matches the textbook reference rule', () => {
      const reference: Trajectory = [];
      const perParam = [0, 1, 2].map((k) => c.reference(startOf(k), gradsOf(k)));
      for (let t = 0; t < STEPS; t++) reference.push(perParam.map((traj) => traj[t]));
      expectTrajectory(runMinidl(c.make, c.lrs), reference);
      // The reference itself agrees with PyTorch, so both sources of truth are consistent.
      expectTrajectory(reference, TORCH[c.name]);
    });
  });

  test('the first SGD momentum step uses b = g without dampening, as PyTorch', () => {
    const p = new Parameter(Tensor.from([1, 2]));
    const opt = new SGD([p], { lr: 0.5, momentum: 0.9, dampening: 0.5 });
    p.grad.data.set([2, -4]);
    opt.step();
    expect(Array.from(p.value.data)).toEqual([1 - 0.5 * 2, 2 + 0.5 * 4]); // not (1 − τ)·g
    p.grad.data.set([2, -4]);
    opt.step(); // b = 0.9·[2, −4] + 0.5·[2, −4] = [2.8, −5.6]
    expectAllClose(p.value.data, [0 - 0.5 * 2.8, 4 + 0.5 * 5.6]);
  });

  test('Adam\'s first step moves every entry by about lr, whatever the gradient\'s size', () => {
    const p = new Parameter(Tensor.from([0, 0, 0]));
    const opt = new Adam([p], { lr: 0.1 });
    p.grad.data.set([1e-3, -5, 300]);
    opt.step();
    // m̂ = g and v̂ = g², so the step is −lr·g/(|g| + ε).
    expectAllClose(p.value.data, [-0.1 * 1e-3 / (1e-3 + 1e-8), 0.1 * 5 / (5 + 1e-8), -0.1 * 300 / (300 + 1e-8)]);
  });
});

// ---------------------------------------------------------------------------------------------
// State per parameter
// ---------------------------------------------------------------------------------------------

describe('optimizer state is kept per parameter', () => {
  const makers: Array<[string, (p: Parameter[]) => Optimizer]> = [
    ['SGD with momentum', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.01 })],
    ['SGD with Nesterov', (p) => new SGD(p, { lr: 0.1, momentum: 0.7, nesterov: true })],
    ['Adam', (p) => new Adam(p, { lr: 0.05, weightDecay: 0.01 })],
  ];

  test.each(makers)('%s: each parameter evolves as if it had its own optimizer', (_, make) => {
    const together = runMinidl(make);
    // A and B each alone, with the same gradient sequence.
    for (const k of [0, 1]) {
      const p = makeParams()[k];
      const opt = make([p]);
      for (let t = 0; t < STEPS; t++) {
        p.grad.data.set(gradsOf(k)[t]);
        opt.step();
        expect(Array.from(p.value.data)).toEqual(together[t][k]);
      }
    }
  });

  test.each(makers)('%s: the order of the parameter list does not matter', (_, make) => {
    const forward = runMinidl(make);
    const params = makeParams();
    const opt = make([params[2], params[1], params[0]]);
    for (let t = 0; t < STEPS; t++) {
      params.forEach((p, k) => p.grad.data.set(gradsOf(k)[t]));
      opt.step();
    }
    params.forEach((p, k) => expect(Array.from(p.value.data)).toEqual(forward[STEPS - 1][k]));
  });

  test('a parameter whose gradient is 0 still decays (SGD and Adam), as in PyTorch', () => {
    const sgd = runMinidl((p) => new SGD(p, { lr: 0.1, weightDecay: 0.01 }));
    // w ← w − η·λ·w = 0.999·w each step.
    expectAllClose(sgd[STEPS - 1][2], C0.map((c) => c * 0.999 ** STEPS));
    const adam = runMinidl((p) => new Adam(p, { lr: 0.05, weightDecay: 0.1 }));
    expect(adam[0][2][0]).toBeLessThan(C0[0]);
    expect(adam[0][2][1]).toBeGreaterThan(C0[1]);
    expectTrajectory(adam, TORCH.adamWeightDecay);
  });

  test('momentum keeps moving a parameter at a step where its gradient is 0', () => {
    const traj = runMinidl((p) => new SGD(p, { lr: 0.1, momentum: 0.9 }));
    // A's gradient is 0 at step 3, yet A changes between steps 2 and 3.
    const moved = traj[2][0].map((v, i) => v - traj[1][0][i]);
    expect(moved.every((d) => d !== 0)).toBe(true);
    // Without momentum it stays put.
    const plain = runMinidl((p) => new SGD(p, { lr: 0.1 }));
    expect(plain[2][0]).toEqual(plain[1][0]);
  });

  test('a zero gradient without weight decay leaves a parameter untouched, also with momentum and Adam', () => {
    for (const make of [(p: Parameter[]) => new SGD(p, { lr: 0.1, momentum: 0.9 }), (p: Parameter[]) => new Adam(p, { lr: 0.1 })]) {
      const traj = runMinidl(make);
      for (let t = 0; t < STEPS; t++) expect(traj[t][2]).toEqual(C0);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Hyper-parameter validation
// ---------------------------------------------------------------------------------------------


describe('hyper-parameter validation', () => {
  const one = (): Parameter[] => [new Parameter(Tensor.from([1, 2]), 'w')];

  test.each([
    ['lr', -0.1, /-0\.1/],
    ['lr', NaN, /NaN/],
    ['lr', Infinity, /Infinity/],
    ['momentum', -0.5, /-0\.5/],
    ['momentum', NaN, /NaN/],
    ['weightDecay', -1e-4, /-0\.0001/],
    ['weightDecay', NaN, /NaN/],
    ['dampening', -0.2, /-0\.2/],
  ])('SGD refuses %s = %p', (name, value, shown) => {
    expectMinidlError(() => new SGD(one(), { [name]: value }), /^SGD\b/, new RegExp(name), shown);
  });

  test.each([
    ['lr', -1, /-1/],
    ['lr', NaN, /NaN/],
    ['eps', -1e-8, /-1e-8/],
    ['eps', NaN, /NaN/],
    ['weightDecay', -0.01, /-0\.01/],
    ['weightDecay', NaN, /NaN/],
  ])('Adam refuses %s = %p', (name, value, shown) => {
    expectMinidlError(() => new Adam(one(), { [name]: value }), /^Adam\b/, new RegExp(name), shown);
  });

  test.each([
    [[1, 0.999], /betas\[0\]/, /got 1\b/],
    [[-0.1, 0.999], /betas\[0\]/, /-0\.1/],
    [[0.9, 1], /betas\[1\]/, /got 1\b/],
    [[0.9, 1.5], /betas\[1\]/, /1\.5/],
    [[0.9, NaN], /betas\[1\]/, /NaN/],
  ])('Adam refuses betas %p (each must be in [0, 1))', (betas, which, shown) => {
    expectMinidlError(() => new Adam(one(), { betas: betas as [number, number] }), /^Adam\b/, which, /\[0, 1\)/, shown);
  });

  test.each([[[0.9]], [[0.9, 0.99, 0.5]], ['0.9,0.99']])('Adam refuses betas %p that are not a pair', (betas) => {
    expectMinidlError(() => new Adam(one(), { betas: betas as unknown as [number, number] }), /^Adam\b/, /option 'betas' must be a pair \[β₁, β₂\] of numbers/,
      new RegExp(typeof betas === 'string' ? `'${betas}'` : JSON.stringify(betas).replace(/[[\]]/g, '\\$&')));
  });

  test('Adam accepts β₁ = 0 and eps = 0 (the edges PyTorch allows)', () => {
    const opt = new Adam(one(), { betas: [0, 0], eps: 0 });
    expect([opt.beta1, opt.beta2, opt.eps]).toEqual([0, 0, 0]);
  });

  test('Nesterov needs momentum > 0 and dampening 0', () => {
    expectMinidlError(() => new SGD(one(), { lr: 0.1, nesterov: true }), /^SGD\b/, /Nesterov/, /momentum 0\b/);
    expectMinidlError(() => new SGD(one(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      /^SGD\b/, /Nesterov/, /dampening 0\.1/);
    expect(new SGD(one(), { lr: 0.1, momentum: 0.9, nesterov: true }).nesterov).toBe(true);
  });

  test.each([
    ['SGD', (p: Parameter[]) => new SGD(p, { lr: 0.1 })],
    ['Adam', (p: Parameter[]) => new Adam(p)],
  ])('%s refuses bad parameter lists', (name, make) => {
    const who = new RegExp(`^${name}\\b`);
    expectMinidlError(() => make([]), who, /empty parameter list/);
    const w = new Parameter(Tensor.from([1, 2]), 'weight');
    const b = new Parameter(Tensor.from([3]), 'bias');
    expectMinidlError(() => make([w, b, w]), who, /params\[2\]/, /weight/, /twice/);
    expectMinidlError(() => make([w, Tensor.from([1]) as unknown as Parameter]), who, /params\[1\]/, /not a Parameter/, /Tensor/);
    expectMinidlError(() => make({ w } as unknown as Parameter[]), who, /must be an array/);
  });

  test('defaults are PyTorch\'s', () => {
    const sgd = new SGD(one());
    expect([sgd.lr, sgd.momentum, sgd.dampening, sgd.nesterov, sgd.weightDecay]).toEqual([1e-3, 0, 0, false, 0]);
    const adam = new Adam(one());
    expect([adam.lr, adam.beta1, adam.beta2, adam.eps, adam.weightDecay]).toEqual([1e-3, 0.9, 0.999, 1e-8, 0]);
  });
});

// ---------------------------------------------------------------------------------------------
// Weight decay is an L2 term in the loss
// ---------------------------------------------------------------------------------------------

describe('weight decay equals an L2 penalty', () => {
  /** A few SGD steps of a Linear(3, 2) on an MSE loss; `decayByHand` adds λ·w to the gradient. */
  function train(options: { weightDecay: number; momentum: number }, decayByHand: number): { params: number[][]; losses: number[] } {
    const rng = new Rng(7);
    const layer = new Linear(3, 2, { rng });
    const x = new Tensor([6, 3], rng.fillNormal(new Float64Array(18)));
    const y = new Tensor([6, 2], rng.fillNormal(new Float64Array(12)));
    const mse = new MSELoss();
    const opt = new SGD(layer.params(), { lr: 0.05, ...options });
    const losses: number[] = [];
    for (let step = 0; step < 6; step++) {
      opt.zeroGrad();
      let loss = mse.forward(layer.forward(x), y);
      layer.backward(mse.backward());
      for (const p of layer.params()) {
        for (let i = 0; i < p.value.size; i++) {
          // ∂/∂w of (λ/2)·‖w‖² is λ·w.
          loss += (decayByHand / 2) * p.value.data[i] ** 2;
          p.grad.data[i] += decayByHand * p.value.data[i];
        }
      }
      losses.push(loss);
      opt.step();
    }
    return { params: layer.params().map((p) => Array.from(p.value.data)), losses };
  }

  test.each([0, 0.9])('SGD(weightDecay λ) on L = SGD on L + (λ/2)‖w‖², momentum %p', (momentum) => {
    const lambda = 0.3;
    const decayed = train({ weightDecay: lambda, momentum }, 0);
    const penalised = train({ weightDecay: 0, momentum }, lambda);
    decayed.params.forEach((values, k) => expectAllClose(values, penalised.params[k], 1e-14));
    // And the decay did something: without it the parameters differ.
    const plain = train({ weightDecay: 0, momentum }, 0);
    expect(Math.abs(plain.params[0][0] - decayed.params[0][0])).toBeGreaterThan(1e-4);
    // The penalised loss decreases along the way.
    expect(penalised.losses[5]).toBeLessThan(penalised.losses[0]);
  });
});

// ---------------------------------------------------------------------------------------------
// zeroGrad and the learning rate
// ---------------------------------------------------------------------------------------------

describe('zeroGrad and lr', () => {
  test('zeroGrad clears every gradient of every listed parameter, and only those', () => {
    const [a, b, c] = makeParams();
    a.grad.data.set([1, 2, 3, 4]);
    b.grad.data.set([5, 6, 7]);
    c.grad.data.set([8, 9]);
    for (const opt of [new SGD([a, b], { lr: 0.1 }), new Adam([a, b])]) {
      opt.zeroGrad();
      expect(Array.from(a.grad.data)).toEqual([0, 0, 0, 0]);
      expect(Array.from(b.grad.data)).toEqual([0, 0, 0]);
      expect(Array.from(c.grad.data)).toEqual([8, 9]);
      a.grad.data.set([1, 2, 3, 4]);
    }
    // Values are not touched by zeroGrad.
    expect(Array.from(a.value.data)).toEqual(flat(A0));
  });

  test('a step after zeroGrad does not move plain SGD; a step uses the gradient, not a stale copy', () => {
    const [a] = makeParams();
    const opt = new SGD([a], { lr: 0.5 });
    a.grad.data.set([1, 1, 1, 1]);
    opt.zeroGrad();
    opt.step();
    expect(Array.from(a.value.data)).toEqual(flat(A0));
    a.grad.data.set([2, 0, 0, -2]);
    opt.step();
    expect(Array.from(a.value.data)).toEqual([0.5 - 1, -1.25, 2, 0.75 + 1]);
  });

  test('lr may be changed between steps (plain SGD: w₂ = w₀ − η₁g₁ − η₂g₂)', () => {
    const p = new Parameter(Tensor.from([1]));
    const opt = new SGD([p], { lr: 0.1 });
    p.grad.data[0] = 2;
    opt.step();
    expect(p.value.data[0]).toBeCloseTo(0.8, 15);
    opt.lr = 0.25;
    opt.step();
    expect(p.value.data[0]).toBeCloseTo(0.3, 15);
    opt.lr = 0;
    opt.step();
    expect(p.value.data[0]).toBeCloseTo(0.3, 15);
  });
});
