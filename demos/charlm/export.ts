/**
 * `npm run charlm -- --export DIR`: everything PyTorch needs to replay a run exactly, as JSON —
 * the data (the encoded text, split), the settings, every initial weight under the name PyTorch's
 * `state_dict` gives it, the order of the training windows in every epoch, and minidl's losses to
 * compare with. `charlm_torch.py` (next to this file) builds the same model, loads the weights
 * and trains on the same batches in float64.
 *
 * Names and layouts, module by module (the models are Sequentials, so the names start with the
 * module's index in its Sequential, as in a PyTorch `nn.Sequential`):
 *
 *   Embedding            weight [C, E]                                   the same layout
 *   LSTM                 weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0   the same layout (PyTorch's)
 *   MultiheadAttention   in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias   the same
 *   LayerNorm            weight, bias                                    the same
 *   Linear               weight [out, in] = minidl's W [in, out] transposed;  bias [out] = b [1, out]
 *   Residual             its module under `inner.`;  AddPositionEmbedding its table under `positions.`
 */
import { Embedding, LSTM, LayerNorm, Linear, MinidlError, Module, MultiheadAttention, Parameter, Residual, Sequential } from '../../lib';
import { CharData } from './data';
import { AddPositionEmbedding } from './position-embedding';
import { CharLMRun } from './train';
import { CharLMSettings } from './settings';

/** One tensor of a PyTorch state_dict: its name, shape and values in row-major order. */
export interface TorchTensor {
  name: string;
  shape: number[];
  values: number[];
}

/** `weightIhL0` → `weight_ih_l0`, `outProj.weight` → `out_proj.weight`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The parameters of `model` as PyTorch names and lays them out (see the file's comment), with
 * the values `valuesOf(p)` gives for each Parameter (its current values, or those recorded
 * before training). Throws a MinidlError for a module this file does not know.
 */
export function torchStateDict(model: Module, valuesOf: (p: Parameter) => Float64Array): TorchTensor[] {
  const out: TorchTensor[] = [];
  const visit = (m: Module, prefix: string): void => {
    if (m instanceof Sequential) {
      m.modules.forEach((child, i) => visit(child, `${prefix}${i}.`));
    } else if (m instanceof Residual) {
      visit(m.inner, `${prefix}inner.`);
    } else if (m instanceof AddPositionEmbedding) {
      visit(m.positions, `${prefix}positions.`);
    } else if (m instanceof Linear) {
      const [inF, outF] = m.weight.value.shape;
      const w = valuesOf(m.weight), transposed = new Array<number>(inF * outF);
      for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) transposed[o * inF + i] = w[i * outF + o]; // W[i, o] → weight[o, i]
      out.push({ name: `${prefix}weight`, shape: [outF, inF], values: transposed });
      if (m.bias) out.push({ name: `${prefix}bias`, shape: [outF], values: Array.from(valuesOf(m.bias)) });
    } else if (m instanceof Embedding || m instanceof LSTM || m instanceof LayerNorm || m instanceof MultiheadAttention) {
      for (const p of m.params()) out.push({ name: `${prefix}${snakeCase(p.name)}`, shape: [...p.value.shape], values: Array.from(valuesOf(p)) });
    } else if (m.params().length > 0) {
      throw new MinidlError(`torchStateDict: no PyTorch name is known for the parameters of ${m}`);
    }
  };
  visit(model, '');
  return out;
}

/** The JSON file `--export` writes for one trained model (see the file's comment). */
export function exportRun(run: CharLMRun, data: CharData, settings: CharLMSettings, seed: string): string {
  const params = run.model.params();
  const initial = new Map(params.map((p, i) => [p, run.record.initialParams[i]]));
  const sizes = run.name === 'lstm' ? settings.lstm : settings.transformer;
  const json = {
    model: run.name,
    architecture: String(run.model),
    seed,
    text: data.source,
    vocabulary: data.vocabulary.chars.join(''),
    trainIds: Array.from(data.trainIds),
    validationIds: Array.from(data.validationIds),
    settings: {
      sequenceLength: settings.sequenceLength, batchSize: settings.batchSize, lr: settings.lr,
      weightDecay: settings.weightDecay, maxGradNorm: settings.maxGradNorm, ...sizes,
    },
    initialStateDict: torchStateDict(run.model, (p) => {
      const values = initial.get(p);
      if (values === undefined) throw new MinidlError(`exportRun: no initial values recorded for ${p.name}`);
      return values;
    }),
    epochOrders: run.record.orders.map((o) => Array.from(o)),
    minidl: run.epochs.map((e) => ({ epoch: e.epoch, trainBits: e.trainBits, validationBits: e.validationBits })),
  };
  return JSON.stringify(json) + '\n';
}
