import { AvgPool2d, ELU, Flatten, Module, Parameter, Sequential, Tensor } from '../minidl';
import { ModuleTask } from './module-task';

/**
 * A layer of the grader's own, so that Sequential is checked without any other task's code:
 * y = x ⊙ s, one learnable scale per feature (s [F]; x [N, F], or any shape whose samples hold
 * F numbers, the feature of flat index i being i mod F).
 * Backward: ∂L/∂x = g ⊙ s,  ∂L/∂s += Σₙ g[n, :] ⊙ x[n, :].
 */
export class FeatureScale extends Module {
  readonly scale: Parameter;
  private input: Tensor | null = null;

  constructor(readonly features: number) {
    super();
    this.scale = new Parameter(Tensor.ones([features]), 'scale');
  }

  forward(input: Tensor): Tensor {
    this.input = input;
    const y = new Tensor(input.shape);
    const f = this.features, s = this.scale.value.data;
    for (let i = 0; i < y.size; i++) y.data[i] = input.data[i] * s[i % f];
    return this.rememberOutput(y);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const x = (this.input as Tensor).data, g = gradOut.data, f = this.features;
    const s = this.scale.value.data, ds = this.scale.grad.data;
    const dx = new Tensor(gradOut.shape);
    for (let i = 0; i < g.length; i++) {
      dx.data[i] = g[i] * s[i % f];
      ds[i % f] += g[i] * x[i];
    }
    return dx;
  }

  override params(): Parameter[] {
    return [this.scale];
  }

  toString(): string {
    return `FeatureScale(${this.features})`;
  }
}

/**
 * Sequential: forward through the chain in order, backward through it in reverse, each
 * module's gradient fed to the one before. The chains use the grader's FeatureScale and the
 * library's ELU, AvgPool2d and Flatten (none is an exercise), one of them nested, one of them
 * changing shapes (so that a backward in the wrong order shows in the input's gradient too).
 */
export const sequentialTask: ModuleTask = {
  id: 'sequential',
  build: (c) => {
    const f = c.features as number;
    if (c.images === true) return new Sequential(new FeatureScale(f), new AvgPool2d(2), new Flatten(), new FeatureScale(f / 4), new ELU());
    return c.nested === true
      ? new Sequential(new FeatureScale(f), new Sequential(new ELU(), new FeatureScale(f)), new ELU())
      : new Sequential(new FeatureScale(f), new ELU(), new FeatureScale(f));
  },
  cases: [
    { name: 'N=3, Scale(4) → ELU → Scale(4)', config: { features: 4, gradcheck: true }, inputShape: [3, 4] },
    { name: 'N=1, Scale(3) → ELU → Scale(3)', config: { features: 3, gradcheck: true }, inputShape: [1, 3] },
    { name: 'N=2, nested chain of 5 features', config: { features: 5, nested: true, gradcheck: true }, inputShape: [2, 5] },
    { name: 'N=2, images 2×2×2: Scale → AvgPool2d(2) → Flatten → Scale → ELU', config: { features: 8, images: true, gradcheck: true }, inputShape: [2, 2, 2, 2] },
  ],
};
