import { Dropout, Rng, Tensor } from '../minidl';
import { caseTensor, configNumber } from '../reference-data';
import { dropoutNotRescaled } from '../mistakes';
import { ModuleTask, isTraining } from './module-task';

/** A case's Dropout: probability `p`, its own generator seeded by `rngSeed` (so the masks are the reference's bits). */
function dropoutOf(p: number, seed: number): Dropout {
  return new Dropout(p, { rng: new Rng(seed) });
}

/**
 * Dropout: in training y = x ⊙ M with M = 1[u < 1 − p]/(1 − p), one u = rng.uniform() per entry
 * in order, and ∂L/∂x = g ⊙ M; in evaluation mode y = x and ∂L/∂x = g. The generator is given
 * (the `rng` option), so the student's masks are compared with the reference's bits; the mask
 * statistics and the scale are then checked on a large tensor.
 */
export const dropoutTask: ModuleTask = {
  id: 'dropout',
  build: (c) => dropoutOf(c.p as number, c.rngSeed as number),
  cases: [
    { name: 'p=0.3, N=4, training', config: { p: 0.3, rngSeed: 1, gradcheck: true }, inputShape: [4, 5] },
    { name: 'p=0.5, N=1, training', config: { p: 0.5, rngSeed: 2, gradcheck: true }, inputShape: [1, 6] },
    { name: 'p=0.2, images, training', config: { p: 0.2, rngSeed: 3 }, inputShape: [2, 3, 4, 4] },
    { name: 'p=0.3, N=3, evaluation', config: { p: 0.3, rngSeed: 4, training: false, gradcheck: true }, inputShape: [3, 4] },
    { name: 'p=0, N=2, training', config: { p: 0, rngSeed: 5 }, inputShape: [2, 3] },
    { name: 'p=1, N=2, training', config: { p: 1, rngSeed: 6 }, inputShape: [2, 3] },
  ],
  mistakes: (c, run) => (isTraining(c.config) && run.output instanceof Tensor
    ? [dropoutNotRescaled(caseTensor(c, 'input').data, run.output.data, configNumber(c, 'p'))]
    : []),
  extraChecks(ref, report) {
    report.check('masks: the reference bits', 1, () => ref.cases.filter((c) => isTraining(c.config)).flatMap((c) => {
      const drop = dropoutOf(configNumber(c, 'p'), c.config.rngSeed as number);
      const y = drop.forward(caseTensor(c, 'input')).data;
      const expected = caseTensor(c, 'output').data;
      const first = expected.findIndex((v, i) => (v === 0) !== (y[i] === 0));
      return first < 0 ? [] : [`case '${c.name}': entry ${first} was ${y[first] === 0 ? 'dropped' : 'kept'}, the reference ${expected[first] === 0 ? 'dropped' : 'kept'} it: with the rng option, draw one rng.uniform() per entry, in order, and keep the entry when it is < 1 − p`];
    }).slice(0, 1));
    report.check('mask statistics and the 1/(1 − p) scale', 2, () => {
      const p = 0.3, n = 20000;
      const drop = dropoutOf(p, 7);
      const y = drop.forward(Tensor.ones([n / 50, 50]));
      report.mistake(dropoutNotRescaled(new Float64Array(n).fill(1), y.data, p));
      let zeros = 0;
      const hints: string[] = [];
      for (let i = 0; i < n; i++) if (y.data[i] === 0) zeros++;
      const wrong = y.data.find((v) => v !== 0 && Math.abs(v - 1 / (1 - p)) > 1e-12);
      if (wrong !== undefined) hints.push(`a kept entry of an input of ones is ${wrong}, expected 1/(1 − p) = ${1 / (1 - p)}`);
      const fraction = zeros / n;
      if (Math.abs(fraction - p) > 0.02) hints.push(`with p = ${p}, ${(100 * fraction).toFixed(1)} % of ${n} entries were zeroed, expected about ${100 * p} % (keep an entry when rng.uniform() < 1 − p)`);
      return hints;
    });
    report.check('new mask at every forward', 1, () => {
      const drop = dropoutOf(0.5, 8);
      const a = drop.forward(Tensor.ones([4, 25])).data.slice();
      const b = drop.forward(Tensor.ones([4, 25])).data;
      return a.every((v, i) => v === b[i]) ? 'two forwards in training mode gave the same mask: draw a new one each time' : null;
    });
    report.check('evaluation mode is the identity', 1, () => {
      const drop = dropoutOf(0.5, 9);
      drop.eval();
      const x = Tensor.from([[0.5, -2, 3], [1, 0.25, -1]]);
      const y = drop.forward(x);
      const g = Tensor.from([[1, 2, 3], [-4, 5, 6]]);
      const dx = drop.backward(g);
      const hints: string[] = [];
      if (!y.data.every((v, i) => v === x.data[i])) hints.push('in evaluation mode forward must return the input unchanged (y = x)');
      if (!dx.data.every((v, i) => v === g.data[i])) hints.push('in evaluation mode backward must return gradOut unchanged (∂L/∂x = g)');
      return hints;
    });
  },
};
