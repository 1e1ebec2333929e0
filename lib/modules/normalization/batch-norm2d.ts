import { checkArgumentCount, formatShape } from '../../errors';
import { configBoolean, configNumber } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { Tensor } from '../../tensor/tensor';
import { BatchNorm, BatchNormOptions, ChannelLayout } from './batch-norm';

/**
 * Batch normalisation of image channels:  y = γ_c·(x − μ_c)/√(var_c + eps) + β_c,  per channel c
 *
 * Training mode: μ_c and var_c are the mean and biased variance of channel c over the batch
 * *and every pixel*: m = N·H·W values. The running statistics move towards them (runningVar
 * with the unbiased variance, m/(m − 1)·var_c). Evaluation mode: μ_c = runningMean[c],
 * var_c = runningVar[c].
 *
 * Shapes: X [N, C, H, W] → Y [N, C, H, W];  γ (`weight`), β (`bias`), runningMean, runningVar [C];
 *         numBatchesTracked [1] (the batches seen in training mode).
 *         Training mode needs N·H·W ≥ 2.
 * Init:   γ = 1, β = 0;  runningMean = 0, runningVar = 1, numBatchesTracked = 0.   Defaults: eps 1e-5, momentum 0.1
 *         (null: the cumulative average, batch t weighing 1/t),
 *         affine true (as PyTorch's BatchNorm2d).
 *
 * Backward, given G = ∂L/∂Y, with x̂ = (x − μ)/σ, σ = √(var + eps), sums and means over N, H, W:
 *   ∂L/∂γ_c += Σ G ⊙ x̂        ∂L/∂β_c += Σ G
 *   training:    ∂L/∂X = (γ/σ)·(G − mean(G) − x̂·mean(G ⊙ x̂))
 *   evaluation:  ∂L/∂X = (γ/σ)·G         (the running statistics are constants)
 * The derivation is in lib/modules/normalization/batch-norm.ts and docs/normalization.md;
 * the loops are in the loops of batch-norm.ts (here outer = N, inner = H·W).
 *
 * ```ts
 * const bn = new BatchNorm2d(16);                // after a convolution with 16 output channels
 * const y = bn.forward(x);                       // x [N, 16, H, W]
 * ```
 */
export class BatchNorm2d extends BatchNorm {
  constructor(numChannels: number, options: BatchNormOptions = {}) {
    checkArgumentCount('BatchNorm2d', arguments.length, ['numChannels', 'options']);
    super('BatchNorm2d', numChannels, options);
  }

  protected layout(input: Tensor): ChannelLayout {
    if (input.rank !== 4 || input.shape[1] !== this.numFeatures) {
      this.fail('forward', `input has shape ${formatShape(input.shape)}, expected [N,${this.numFeatures},H,W]`);
    }
    return { outer: input.shape[0], inner: input.shape[2] * input.shape[3] };
  }

  /** A BatchNorm2d from `config()`'s values (the running statistics are state, saved apart). */
  static fromConfig(config: Record<string, unknown>): BatchNorm2d {
    return new BatchNorm2d(configNumber(config, 'numFeatures'), {
      eps: configNumber(config, 'eps'), affine: configBoolean(config, 'affine'),
      momentum: config.momentum === null ? null : configNumber(config, 'momentum'), //   null: the cumulative average
    });
  }
}
registerModule(BatchNorm2d, 'BatchNorm2d');
