import { MinidlError, checkArgumentCount, describeValue, formatShape } from '../../errors';
import { configNumbers } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { concatColumns, sliceColumns } from '../../tensor/ops';
import { Tensor } from '../../tensor/tensor';
import { Module, runInChild } from '../module';
import { checkHeldOnce, checkIsModule, checkTree, keepStateOnFailure, structureChanged } from './sequential';

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
 * its gradient to the shared `grad`. The same instance twice would not: a module remembers the
 * input of its last forward only, so its first group's backward would use the second group's
 * input. The constructor refuses it (anywhere in the tree, nested containers included), as
 * Sequential does.
 *
 * Throws a MinidlError, naming what came, for sizes that are not a non-empty list of whole
 * numbers ≥ 1, modules that are not a list of Modules as long as `sizes`, a module used twice,
 * or a third argument (there are no options).
 *
 * ```ts
 * const shared = new Linear(25, 25);
 * const split = new ColumnSplit([25, 25], [shared, new Linear(25, 25, { share: shared })]);
 * ```
 */
export class ColumnSplit extends Module {
  private readonly groupSizes: readonly number[];
  private readonly groupModules: readonly Module[];
  private outputWidths: number[] = [];

  constructor(sizes: number[], modules: Module[]) {
    super();
    const who = 'ColumnSplit';
    checkArgumentCount(who, arguments.length, ['sizes', 'modules']);
    const swapped = Array.isArray(sizes) && Array.isArray(modules) && sizes.length > 0 &&
      (sizes as unknown[]).every((s) => s instanceof Module) && (modules as unknown[]).every((n) => typeof n === 'number');
    if (swapped) {
      throw new MinidlError(`${who}: the group sizes come first, got modules then sizes (write new ColumnSplit([${modules.join(', ')}], [modules…]))`);
    }
    if (!Array.isArray(sizes)) {
      throw new MinidlError(`${who}: sizes must be an array of group widths such as [2, 3], got ${describeValue(sizes)}`);
    }
    if (!Array.isArray(modules)) {
      const hint = (modules as unknown) instanceof Module ? ' (give the modules as one array: new ColumnSplit([2, 3], [a, b]))' : '';
      throw new MinidlError(`${who}: modules must be an array with one module per group, got ${describeValue(modules)}${hint}`);
    }
    if (sizes.length === 0 || sizes.length !== modules.length) {
      throw new MinidlError(`${who}: expected as many group sizes as modules (at least one group), got ${sizes.length} size${sizes.length === 1 ? '' : 's'} and ${modules.length} module${modules.length === 1 ? '' : 's'}`);
    }
    for (let k = 0; k < sizes.length; k++) {
      const s: unknown = sizes[k];
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 1) {
        throw new MinidlError(`${who}: sizes[${k}] must be a whole number ≥ 1 (a group's width), got ${describeValue(s)}`);
      }
    }
    for (let k = 0; k < modules.length; k++) checkIsModule(who, modules[k], ` at modules[${k}]`);
    checkHeldOnce(who, this, modules);
    this.groupSizes = Object.freeze(sizes.slice());
    this.groupModules = Object.freeze(modules.slice());
    structureChanged();
  }

  /** The width of each input group (frozen; the property cannot be assigned either). */
  get sizes(): readonly number[] {
    return this.groupSizes;
  }

  /** The module applied to each group (frozen; the property cannot be assigned either: make a new ColumnSplit). */
  get modules(): readonly Module[] {
    return this.groupModules;
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    if (input.rank !== 2 || input.shape[1] !== total) {
      this.fail('forward', `input has shape ${formatShape(input.shape)}, expected [N,${total}] (groups of ${this.sizes.join(' + ')} columns)`);
    }
    checkTree(this, 'forward');
    return keepStateOnFailure(this, () => {
      const outputs: Tensor[] = [];
      let start = 0;
      this.modules.forEach((m, k) => {
        const group = sliceColumns(input, start, start + this.sizes[k]);
        start += this.sizes[k];
        const y = runInChild(`ColumnSplit[${k}]`, m, 'forward', () => m.forward(group));
        if (!(y instanceof Tensor) || y.rank !== 2 || y.shape[0] !== input.shape[0]) {
          this.fail('forward', `group ${k} (${m}) returned ${y instanceof Tensor ? `shape ${formatShape(y.shape)}` : describeValue(y)}, expected [${input.shape[0]},…]`);
        }
        outputs.push(y);
      });
      this.outputWidths = outputs.map((y) => y.shape[1]);
      return this.rememberOutput(concatColumns(outputs));
    });
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    checkTree(this, 'backward');
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

  /** The widths of the groups: `{ sizes }` (the modules are saved as its children). */
  override config(): Record<string, unknown> {
    return { sizes: this.sizes.slice() };
  }

  /** A ColumnSplit of the saved sizes over the rebuilt `children`, in order. */
  static fromConfig(config: Record<string, unknown>, children: Module[]): ColumnSplit {
    return new ColumnSplit(configNumbers(config, 'sizes'), children);
  }
}
registerModule(ColumnSplit, 'ColumnSplit');
