import { MinidlError, checkInteger, formatShape } from '../../errors';
import { concatColumns, sliceColumns } from '../../tensor/ops';
import { Tensor } from '../../tensor/tensor';
import { Module, describe, runInChild } from '../module';

/**
 * Splits the input's columns into groups, runs one module on each group, and puts the
 * outputs side by side:
 *
 *   X = [X₁ | X₂ | … | Xₖ]   →   Y = [m₁(X₁) | m₂(X₂) | … | mₖ(Xₖ)]
 *
 * Shapes: X [N, Σ sizes] → Y [N, Σ (output widths)].
 *
 * Backward, given G = [G₁ | … | Gₖ] cut at the output widths:
 *   ∂L/∂X = [m₁.backward(G₁) | … | mₖ.backward(Gₖ)]
 *
 * With modules that hold the same Parameter (e.g. `new Linear(25, 25, { share: first })`), this
 * builds a weight-sharing network: the same weights process every group, and each group adds
 * its gradient to the shared `grad`.
 *
 * ```ts
 * const shared = new Linear(25, 25);
 * const split = new ColumnSplit([25, 25], [shared, new Linear(25, 25, { share: shared })]);
 * ```
 */
export class ColumnSplit extends Module {
  /** The width of each input group. */
  readonly sizes: readonly number[];
  /** The module applied to each group. */
  readonly modules: readonly Module[];
  private outputWidths: number[] = [];

  constructor(sizes: number[], modules: Module[]) {
    super();
    if (!Array.isArray(sizes) || !Array.isArray(modules) || sizes.length === 0 || sizes.length !== modules.length) {
      throw new MinidlError(`ColumnSplit: expected as many group sizes as modules (at least one), got ${JSON.stringify(sizes)} and ${Array.isArray(modules) ? modules.length : describe(modules)} modules`);
    }
    sizes.forEach((s, k) => checkInteger('ColumnSplit', `sizes[${k}]`, s));
    modules.forEach((m, k) => {
      if (!(m instanceof Module)) throw new MinidlError(`ColumnSplit: modules[${k}] is not a Module, got ${describe(m)}`);
    });
    this.sizes = sizes.slice();
    this.modules = modules.slice();
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    if (input.rank !== 2 || input.shape[1] !== total) {
      this.fail('forward', `input has shape ${formatShape(input.shape)}, expected [N,${total}] (groups of ${this.sizes.join(' + ')} columns)`);
    }
    const outputs: Tensor[] = [];
    let start = 0;
    this.modules.forEach((m, k) => {
      const group = sliceColumns(input, start, start + this.sizes[k]);
      start += this.sizes[k];
      const y = runInChild(`ColumnSplit[${k}]`, m, 'forward', () => m.forward(group));
      if (y.rank !== 2 || y.shape[0] !== input.shape[0]) {
        this.fail('forward', `group ${k} (${m}) returned shape ${formatShape(y.shape)}, expected [${input.shape[0]},…]`);
      }
      outputs.push(y);
    });
    this.outputWidths = outputs.map((y) => y.shape[1]);
    return this.rememberOutput(concatColumns(outputs));
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const grads: Tensor[] = [];
    let start = 0;
    this.modules.forEach((m, k) => {
      const g = sliceColumns(gradOut, start, start + this.outputWidths[k]);
      start += this.outputWidths[k];
      grads.push(runInChild(`ColumnSplit[${k}]`, m, 'backward', () => m.backward(g)));
    });
    return concatColumns(grads);
  }

  override children(): Module[] {
    return this.modules.slice();
  }

  toString(): string {
    return `ColumnSplit([${this.sizes.join(', ')}], ${this.modules.map((m) => m.toString()).join(', ')})`;
  }
}
