import { Loss } from '../losses/loss';
import { structureChanges } from '../modules/containers/sequential';
import { Module, hookChanges } from '../modules/module';
import { Optimizer } from '../optim/optimizer';
import { dataReader } from './input-gradient';
import { onlyLibraryCode } from './library-code';

/**
 * What `NeuralNet.fit` decides about its training steps, once per fit rather than at every batch:
 *
 * - `fast`: whether a step runs only minidl's code (`onlyLibraryCode`, lib/training/library-code.ts),
 *   so that its tensors can be temporaries;
 * - `dataReader`: the module that reads the data, told during each step that its input needs no
 *   gradient (`dataReader`, lib/training/input-gradient.ts), or null.
 *
 * Both are read from the model's tree: its classes, the hooks registered on its modules, the
 * modules its containers hold. Each answer is kept, and found again only when a hook was
 * registered or removed on any module (`hookChanges`, lib/modules/module.ts) or a container was
 * built or appended to (`structureChanges`, lib/modules/containers/sequential.ts) since: a hook
 * that `onEpoch` or `onBatch` registers takes the model off the fast path from the next batch,
 * and a backward hook put on the first module has ∂L/∂input computed for it from then on, without
 * a walk of the tree at every batch. (A method assigned to an instance of the model, the loss or
 * the optimizer during fit, `relu.forward = …`, is not a hook: it counts from the next fit.)
 */
export class StepDecisions {
  private readonly model: Module;
  private readonly loss: Loss;
  private readonly optimizer: Optimizer;
  /** The counters the answers were found at (−1: not yet). */
  private hooksSeen = -1;
  private structureSeen = -1;
  private fastAnswer = false;
  private readerAnswer: Module | null = null;

  /** The decisions for training `model` on `loss` with `optimizer`. */
  constructor(model: Module, loss: Loss, optimizer: Optimizer) {
    this.model = model;
    this.loss = loss;
    this.optimizer = optimizer;
  }

  /** True when a step runs only minidl's code (see the class doc). */
  get fast(): boolean {
    this.findAgainIfChanged();
    return this.fastAnswer;
  }

  /** The module to tell that its input needs no gradient, or null (see the class doc). */
  get dataReader(): Module | null {
    this.findAgainIfChanged();
    return this.readerAnswer;
  }

  /** Reads the tree again when a hook or a container changed since the last reading. */
  private findAgainIfChanged(): void {
    const hooks = hookChanges(), structure = structureChanges();
    if (hooks === this.hooksSeen && structure === this.structureSeen) return;
    this.fastAnswer = onlyLibraryCode(this.model, this.loss, this.optimizer);
    this.readerAnswer = dataReader(this.model);
    this.hooksSeen = hooks;
    this.structureSeen = structure;
  }
}
