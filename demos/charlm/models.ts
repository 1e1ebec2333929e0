/**
 * The two character-level language models. Both read a batch of windows of character indices
 * [N, T] and give, at every position, one score (logit) per character of the vocabulary
 * [N, T, C]: the model's guess of the next character.
 *
 *   LSTM:         Embedding(C, E) → LSTM(E, H, batchFirst) → Linear(H, C)
 *
 *   Transformer:  Embedding(C, E) → AddPositionEmbedding(T, E)             (token + position)
 *                 → [Residual(LayerNorm → MultiheadAttention(causal))       (a block, pre-norm:
 *                    Residual(LayerNorm → Linear(E, 4E) → GELU → Linear(4E, E))]  × 2   GPT-2's order)
 *                 → LayerNorm → Linear(E, C)
 *
 * The LSTM reads the window left to right, so position t only ever sees characters 0 … t. The
 * Transformer sees the whole window at once; its attention is causal (position t attends only
 * to positions ≤ t), so that it cannot read the very character it must guess. Its attention
 * layers keep the weights of each head (`averageAttnWeights: false`) for the attention figure.
 *
 * Every layer starts from PyTorch's default initialisation, drawn from the run's generator.
 */
import { Embedding, GELU, LSTM, LayerNorm, Linear, Module, MultiheadAttention, Residual, Rng, Sequential } from '../../lib';
import { AddPositionEmbedding } from './position-embedding';
import { CharLMModelName, CharLMSettings, LstmSizes, TransformerSizes } from './settings';

/** Embedding → LSTM(batchFirst) → Linear, for a vocabulary of `vocabularySize` characters. */
export function buildLstm(vocabularySize: number, sizes: LstmSizes, rng: Rng): Sequential {
  const { embeddingDim: E, hiddenSize: H } = sizes;
  return new Sequential(
    new Embedding(vocabularySize, E, { rng }), //       ids [N, T] → [N, T, E]
    new LSTM(E, H, { batchFirst: true, rng }), //        → [N, T, H]
    new Linear(H, vocabularySize, { rng }), //           → logits [N, T, C]
  );
}

/**
 * One pre-norm Transformer block, as two residual sub-layers:
 *   x ← x + Attention(LayerNorm(x))        x ← x + MLP(LayerNorm(x))
 */
export function transformerBlock(sizes: TransformerSizes, rng: Rng): Module[] {
  const { embeddingDim: E, numHeads, mlpHidden } = sizes;
  return [
    new Residual(new Sequential(new LayerNorm(E), new MultiheadAttention(E, numHeads, { batchFirst: true, causal: true, averageAttnWeights: false, rng }))),
    new Residual(new Sequential(new LayerNorm(E), new Linear(E, mlpHidden, { rng }), new GELU(), new Linear(mlpHidden, E, { rng }))),
  ];
}

/** The tiny Transformer of the file's comment, for windows of at most `maxLength` characters. */
export function buildTransformer(vocabularySize: number, maxLength: number, sizes: TransformerSizes, rng: Rng): Sequential {
  const E = sizes.embeddingDim;
  const blocks: Module[] = [];
  for (let b = 0; b < sizes.numBlocks; b++) blocks.push(...transformerBlock(sizes, rng));
  return new Sequential(
    new Embedding(vocabularySize, E, { rng }), //        ids [N, T] → [N, T, E]
    new AddPositionEmbedding(maxLength, E, { rng }), //   + P[t, :]
    ...blocks, //                                         [N, T, E] → [N, T, E]
    new LayerNorm(E),
    new Linear(E, vocabularySize, { rng }), //            → logits [N, T, C]
  );
}

/** The model `name`, with the sizes of `settings`. */
export function buildModel(name: CharLMModelName, vocabularySize: number, settings: CharLMSettings, rng: Rng): Sequential {
  return name === 'lstm'
    ? buildLstm(vocabularySize, settings.lstm, rng)
    : buildTransformer(vocabularySize, settings.sequenceLength, settings.transformer, rng);
}

/** The MultiheadAttention of block `block` (counted from 0) of a model made by buildTransformer. */
export function attentionOfBlock(model: Sequential, block: number): MultiheadAttention {
  const residual = model.modules[2 + 2 * block] as Residual; //   Embedding, AddPositionEmbedding, then two Residuals per block
  return (residual.inner as Sequential).modules[1] as MultiheadAttention;
}
