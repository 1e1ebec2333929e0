import { ReductionOptions, readReduction } from './loss';
import { MAELoss } from './mae';

/**
 * `L1Loss`, PyTorch's name for the mean absolute error:  L = (1/n) Σᵢ |ŷᵢ − yᵢ|
 *
 * The same loss as `MAELoss` (mae.ts holds its formulas and code), under the name PyTorch's
 * users know; it shows that name in `toString` and in its messages. Options `{ reduction }`.
 */
export class L1Loss extends MAELoss {
  constructor(options: ReductionOptions = {}) {
    readReduction('L1Loss', options, arguments.length); // refuses bad options under this name, before MAELoss reads them
    super(options);
  }

  override toString(): string {
    return this.reduction === 'mean' ? 'L1Loss' : "L1Loss(reduction='sum')";
  }
}
