import { checkArgumentCount, formatShape } from '../../errors';
import { configBoolean, configNumber } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { Tensor } from '../../tensor/tensor';
import { BatchNorm, BatchNormOptions, ChannelLayout } from './batch-norm';

/**
 * Batch normalisation of features:  y = γ·(x − μ)/√(var + eps) + β,  per feature (column) f
 *
 * Training mode: μ_f and var_f are the mean and biased variance of column f over the N rows
 * of the batch; the running statistics move towards them (runningVar with the unbiased
 * variance, N/(N − 1)·var_f). Evaluation mode: μ_f = runningMean[f], var_f = runningVar[f].
 *
 * Shapes: X [N, F] → Y [N, F];  γ (`weight`), β (`bias`), runningMean, runningVar [F];
 *         numBatchesTracked [1] (the batches seen in training mode).
 *         Training mode needs N ≥ 2 (the statistics of one value are meaningless).
 * Init:   γ = 1, β = 0;  runningMean = 0, runningVar = 1, numBatchesTracked = 0.   Defaults: eps 1e-5, momentum 0.1
 *         (null: the cumulative average, batch t weighing 1/t),
 *         affine true (as PyTorch's BatchNorm1d; momentum is the weight of the *new* batch).
 *
 * Backward, given G = ∂L/∂Y, with x̂ = (x − μ)/σ, σ = √(var + eps), means over the batch:
 *   ∂L/∂γ += Σₙ G ⊙ x̂        ∂L/∂β += Σₙ G
 *   training:    ∂L/∂X = (γ/σ)·(G − mean(G) − x̂·mean(G ⊙ x̂))
 *   evaluation:  ∂L/∂X = (γ/σ)·G         (the running statistics are constants)
 * The derivation is in lib/modules/normalization/batch-norm.ts and docs/normalization.md;
 * the loops are in the loops of batch-norm.ts (here outer = N, C = F, inner = 1).
 *
 * ```ts
 * const bn = new BatchNorm1d(100);               // after a Linear(…→100)
 * const y = bn.forward(x);                       // x [N, 100], N ≥ 2 in training mode
 * bn.eval();                                     // now uses bn.runningMean, bn.runningVar
 * ```
 */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    checkArgumentCount('BatchNorm1d', arguments.length, ['numFeatures', 'options']);
    super('BatchNorm1d', numFeatures, options);
  }

  protected layout(input: Tensor): ChannelLayout {
    if (input.rank !== 2 || input.shape[1] !== this.numFeatures) {
      this.fail('forward', `input has shape ${formatShape(input.shape)}, expected [N,${this.numFeatures}]`);
    }
    return { outer: input.shape[0], inner: 1 };
  }

  /** A BatchNorm1d from `config()`'s values (the running statistics are state, saved apart). */
  static fromConfig(config: Record<string, unknown>): BatchNorm1d {
    return new BatchNorm1d(configNumber(config, 'numFeatures'), {
      eps: configNumber(config, 'eps'), affine: configBoolean(config, 'affine'),
      momentum: config.momentum === null ? null : configNumber(config, 'momentum'), //   null: the cumulative average
    });
  }
}
registerModule(BatchNorm1d, 'BatchNorm1d');
