/// <reference lib="dom" />
/**
 * The settings panel: fills the form from a Settings object, reads it back when the student
 * changes something, and refuses (marks in red, explains) values that cannot be trained.
 * Also the Start/Pause, Step and Reset buttons.
 */
import { byId } from './canvas';
import {
  ACTIVATIONS, ActivationName, DEFAULT_SETTINGS, LIMITS, LOSSES, LossName, OPTIMIZERS, OptimizerName, SettingError, Settings,
  copySettings, validateSettings,
} from './settings';

export interface ControlHandlers {
  /** Valid new settings. */
  onChange(settings: Settings): void;
  onStartPause(): void;
  onStep(): void;
  onReset(): void;
}

function fillSelect(select: HTMLSelectElement, options: ReadonlyArray<{ value: string; label: string }>): void {
  select.replaceChildren(...options.map((o) => {
    const option = document.createElement('option');
    option.value = o.value;
    option.textContent = o.label;
    return option;
  }));
}

export class Controls {
  private hidden: number[] = [];
  private readonly widths = byId<HTMLDivElement>('widths');
  private readonly hiddenCount = byId<HTMLSpanElement>('hidden-count');
  private readonly activation = byId<HTMLSelectElement>('activation');
  private readonly loss = byId<HTMLSelectElement>('loss');
  private readonly optimizer = byId<HTMLSelectElement>('optimizer');
  private readonly lr = byId<HTMLInputElement>('lr');
  private readonly momentum = byId<HTMLInputElement>('momentum');
  private readonly momentumField = byId<HTMLElement>('momentum-field');
  private readonly batchSize = byId<HTMLInputElement>('batch-size');
  private readonly weightDecay = byId<HTMLInputElement>('weight-decay');
  private readonly seed = byId<HTMLInputElement>('seed');
  private readonly stopAt = byId<HTMLInputElement>('stop-at');
  private readonly error = byId<HTMLParagraphElement>('settings-error');
  private readonly startPause = byId<HTMLButtonElement>('start-pause');
  private readonly stepButton = byId<HTMLButtonElement>('step');

  constructor(initial: Settings, private readonly handlers: ControlHandlers) {
    fillSelect(this.activation, ACTIVATIONS);
    fillSelect(this.loss, LOSSES);
    fillSelect(this.optimizer, OPTIMIZERS);
    for (const el of [this.activation, this.loss, this.optimizer, this.lr, this.momentum, this.batchSize, this.weightDecay, this.seed, this.stopAt]) {
      el.addEventListener('change', () => this.changed());
    }
    byId('add-layer').addEventListener('click', () => {
      if (this.hidden.length >= LIMITS.maxHiddenLayers) return;
      this.hidden.push(this.hidden.length > 0 ? this.hidden[this.hidden.length - 1] : 8);
      this.renderWidths();
      this.changed();
    });
    byId('remove-layer').addEventListener('click', () => {
      if (this.hidden.length === 0) return;
      this.hidden.pop();
      this.renderWidths();
      this.changed();
    });
    this.startPause.addEventListener('click', () => handlers.onStartPause());
    this.stepButton.addEventListener('click', () => handlers.onStep());
    byId('reset').addEventListener('click', () => handlers.onReset());
    this.show(initial);
  }

  /** Puts `s` into the form. */
  show(s: Settings): void {
    this.hidden = [...s.hidden];
    this.renderWidths();
    this.activation.value = s.activation;
    this.loss.value = s.loss;
    this.optimizer.value = s.optimizer;
    this.lr.value = String(s.lr);
    this.momentum.value = String(s.momentum);
    this.batchSize.value = String(s.batchSize);
    this.weightDecay.value = String(s.weightDecay);
    this.seed.value = s.seed;
    this.stopAt.value = String(s.stopAtEpoch);
    this.momentumField.style.visibility = s.optimizer === 'sgd' ? 'visible' : 'hidden';
    this.markErrors([]);
  }

  /** Shows messages (e.g. about a URL that held invalid values) under the form. */
  showMessage(text: string): void {
    this.error.textContent = text;
  }

  setRunning(running: boolean): void {
    this.startPause.textContent = running ? '❚❚ Pause' : '▶ Start';
    this.startPause.dataset.state = running ? 'running' : 'paused';
    this.stepButton.disabled = running;
  }

  /** The form's current values (possibly invalid). */
  read(): Settings {
    const number = (input: HTMLInputElement): number => (input.value.trim() === '' ? NaN : Number(input.value));
    return {
      hidden: [...this.hidden],
      activation: this.activation.value as ActivationName,
      loss: this.loss.value as LossName,
      optimizer: this.optimizer.value as OptimizerName,
      lr: number(this.lr),
      momentum: this.optimizer.value === 'sgd' ? number(this.momentum) : DEFAULT_SETTINGS.momentum,
      batchSize: number(this.batchSize),
      weightDecay: number(this.weightDecay),
      seed: this.seed.value.trim(),
      stopAtEpoch: number(this.stopAt),
    };
  }

  private changed(): void {
    this.momentumField.style.visibility = this.optimizer.value === 'sgd' ? 'visible' : 'hidden';
    const s = this.read();
    const errors = validateSettings(s);
    this.markErrors(errors);
    if (errors.length === 0) this.handlers.onChange(copySettings(s));
  }

  private renderWidths(): void {
    this.hiddenCount.textContent = String(this.hidden.length);
    if (this.hidden.length === 0) {
      const none = document.createElement('span');
      none.className = 'empty';
      none.textContent = 'none: a linear classifier (its boundary is a straight line)';
      this.widths.replaceChildren(none);
      return;
    }
    this.widths.replaceChildren(...this.hidden.map((w, i) => {
      const input = document.createElement('input');
      input.type = 'number';
      input.min = '1';
      input.max = String(LIMITS.maxWidth);
      input.step = '1';
      input.value = String(w);
      input.title = `units in hidden layer ${i + 1}`;
      input.dataset.testid = `width-${i}`;
      input.setAttribute('aria-label', `units in hidden layer ${i + 1}`);
      input.addEventListener('change', () => {
        this.hidden[i] = input.value.trim() === '' ? NaN : Number(input.value);
        this.changed();
      });
      return input;
    }));
  }

  private markErrors(errors: SettingError[]): void {
    const inputs: Partial<Record<keyof Settings, HTMLElement[]>> = {
      hidden: Array.from(this.widths.querySelectorAll('input')),
      activation: [this.activation],
      loss: [this.loss],
      optimizer: [this.optimizer],
      lr: [this.lr],
      momentum: [this.momentum],
      batchSize: [this.batchSize],
      weightDecay: [this.weightDecay],
      seed: [this.seed],
      stopAtEpoch: [this.stopAt],
    };
    for (const list of Object.values(inputs)) for (const el of list ?? []) el.classList.remove('invalid');
    for (const e of errors) for (const el of inputs[e.field] ?? []) el.classList.add('invalid');
    this.error.textContent = errors.map((e) => e.message).join('; ');
  }
}
