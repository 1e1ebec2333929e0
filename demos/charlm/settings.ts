/**
 * Every setting of the character-level language model demo, written once: the sizes of the two
 * models, the data and the optimisation. `--quick` takes the small second set (a run of a few
 * seconds, for the tests); PyTorch's script reads the same numbers from the exported run.
 */

/** The two models the demo trains. */
export const CHARLM_MODEL_NAMES = ['lstm', 'transformer'] as const;
export type CharLMModelName = (typeof CHARLM_MODEL_NAMES)[number];

/** Embedding → LSTM(batchFirst) → Linear. */
export interface LstmSizes {
  /** E, the size of each character's vector. */
  embeddingDim: number;
  /** H, the size of the LSTM's hidden and cell states. */
  hiddenSize: number;
}

/** Token and position Embedding → blocks of (attention, MLP) → LayerNorm → Linear. */
export interface TransformerSizes {
  /** E, the size of each position's vector, through every block. */
  embeddingDim: number;
  /** The number of attention heads (each works on E/heads features). */
  numHeads: number;
  /** The number of blocks, each attention then MLP. */
  numBlocks: number;
  /** The width of the MLP's hidden layer (4E, as in GPT-2). */
  mlpHidden: number;
}

/** What a run uses. */
export interface CharLMSettings {
  /** T, the characters of each training window (and the longest context a model sees). */
  sequenceLength: number;
  /** Windows per mini-batch. */
  batchSize: number;
  /** Passes over the training windows (the `--epochs` default). */
  epochs: number;
  /** AdamW's learning rate η. */
  lr: number;
  /** AdamW's decoupled weight decay λ (PyTorch's default 0.01), on every parameter. */
  weightDecay: number;
  /** The gradient's largest norm: clipGradNorm(model.params(), maxGradNorm) before each step. */
  maxGradNorm: number;
  /** Keep only the text's first characters (Infinity: all of it). */
  maxChars: number;
  lstm: LstmSizes;
  transformer: TransformerSizes;
  /** Characters generated after training, per model. */
  sampleLength: number;
  /** τ: the sample draws from softmax(logits / τ); below 1 it favours likely characters. */
  temperature: number;
}

/** The demo's run. */
export const CHARLM_SETTINGS: CharLMSettings = {
  sequenceLength: 64,
  batchSize: 32,
  epochs: 20,
  lr: 3e-3,
  weightDecay: 0.01,
  maxGradNorm: 1,
  maxChars: Infinity,
  lstm: { embeddingDim: 32, hiddenSize: 128 },
  transformer: { embeddingDim: 64, numHeads: 4, numBlocks: 2, mlpHidden: 256 },
  sampleLength: 300,
  temperature: 0.8,
};

/** `--quick`: the first 3000 characters, small models, 2 epochs (seconds; the tests use it). */
export const QUICK_SETTINGS: CharLMSettings = {
  sequenceLength: 32,
  batchSize: 16,
  epochs: 2,
  lr: 3e-3,
  weightDecay: 0.01,
  maxGradNorm: 1,
  maxChars: 3000,
  lstm: { embeddingDim: 16, hiddenSize: 32 },
  transformer: { embeddingDim: 32, numHeads: 2, numBlocks: 2, mlpHidden: 64 },
  sampleLength: 40,
  temperature: 0.8,
};
