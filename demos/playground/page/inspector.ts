/// <reference lib="dom" />
/**
 * The layer inspector: the network drawn as a row of its modules (click one), and for the
 * chosen module what it holds and what went through it on the last mini-batch:
 *
 * - a Linear layer: its weights W and bias b, their gradients ∂L/∂W and ∂L/∂b, and the
 *   gradient G = ∂L/∂Y its backward received;
 * - an activation: its output Y, the gradient G = ∂L/∂Y it received, and the gradient
 *   ∂L/∂X it passed back (G times the activation's derivative, element by element).
 *
 * Plus a bar chart of the size of the gradient entering each module's backward, where
 * vanishing gradients show up, and the training monitor: four small charts over the epochs, one
 * line per layer, the chosen layer drawn thick (./monitor-charts.ts), with the chosen layer's
 * numbers of the last epoch under each.
 *
 * What the inspector shows of the last batch was copied by the session's hooks; the monitor's
 * numbers are the session's `TrainingMonitor` history (./session.ts).
 */
import { LeakyReLU, Linear, MonitorHistory, Module, ReLU, Sigmoid, Tanh, Tensor } from '../../../lib';
import { FONT, SMALL_FONT, byId, formatNumber, numberSpan, setupCanvas } from './canvas';
import { HeatmapSpec, heatmapFigure, placeholderFigure } from './heatmap';
import { drawActivationChart, drawGradientChart, drawRatioChart, drawUnitChart, layerColor, paramsOfLayer } from './monitor-charts';
import { TrainingSession } from './session';

const NO_STEP_YET = 'Press Step or Start: the values of the last mini-batch appear here.';

/** What the inspector says about a module: its formulas and a sentence for the student. */
function describeModule(m: Module): { formula: string; note: string } {
  if (m instanceof Linear) {
    return {
      formula: 'forward   Y = X·W + b\nbackward  ∂L/∂W += Xᵀ·G\n          ∂L/∂b += Σₙ G[n,:]\n          ∂L/∂X  = G·Wᵀ   (passed back)',
      note: `W has one row per input (${m.inFeatures}) and one column per unit (${m.outFeatures}). ` +
        'The optimizer moves W and b against ∂L/∂W and ∂L/∂b; G is the gradient that arrived from the layers after this one.',
    };
  }
  const activation = (name: string, forward: string, derivative: string): { formula: string; note: string } => ({
    formula: `forward   Y = ${forward}\nbackward  ∂L/∂X = G ⊙ ${derivative}`,
    note: `${name} has no parameters: on the way back it multiplies the gradient G, entry by entry, by its derivative at the batch's inputs. ` +
      'Rows are the samples of the batch, columns the units.',
  });
  if (m instanceof LeakyReLU) return activation('LeakyReLU', `X if X > 0, else ${m.negativeSlope}·X`, `(1 if X > 0, else ${m.negativeSlope})`);
  if (m instanceof ReLU) return activation('ReLU', 'max(X, 0)', '1[X > 0]   (zero where the unit was off)');
  if (m instanceof Tanh) return activation('Tanh', 'tanh(X)', '(1 − Y²)');
  if (m instanceof Sigmoid) return activation('Sigmoid', 'σ(X) = 1 / (1 + e^(−X))', 'Y·(1 − Y)   (at most 1/4)');
  return { formula: '', note: '' };
}

function shortName(m: Module): string {
  if (m instanceof Linear) return 'Linear';
  if (m instanceof LeakyReLU) return 'Leaky';
  if (m instanceof Sigmoid) return 'σ';
  return m.toString().replace(/\(.*$/, '');
}

/**
 * √(Σ v² / n), computed as m·√(Σ (v/m)² / n) with m = max |v| so that it does not overflow to
 * Infinity for values above 1e154 (a diverging run); NaN if a value is NaN.
 */
function rms(t: Tensor): number {
  let max = 0;
  for (const v of t.data) max = Math.max(max, Math.abs(v));
  if (max === 0 || !Number.isFinite(max)) return max;
  let sum = 0;
  for (const v of t.data) sum += (v / max) ** 2;
  return max * Math.sqrt(sum / t.size);
}

export class Inspector {
  private session: TrainingSession | null = null;
  private selected = 0;
  private readonly architecture = byId<HTMLDivElement>('architecture');
  private readonly title = byId<HTMLHeadingElement>('inspector-title');
  private readonly formula = byId<HTMLParagraphElement>('inspector-formula');
  private readonly note = byId<HTMLParagraphElement>('inspector-note');
  private readonly heatmaps = byId<HTMLDivElement>('heatmaps');
  private readonly bars = byId<HTMLCanvasElement>('gradient-bars');
  private readonly monitor = byId<HTMLDivElement>('monitor');
  private readonly monitorKeys = byId<HTMLDivElement>('monitor-keys');
  /** The four monitor charts: their canvas and the line of the chosen layer's numbers under each. */
  private readonly monitorCharts = (['activations', 'units', 'gradients', 'ratios'] as const).map((name) => ({
    name,
    canvas: byId<HTMLCanvasElement>(`monitor-${name}`),
    now: byId<HTMLParagraphElement>(`monitor-now-${name}`),
  }));
  /** What the monitor charts show (session, epochs, chosen layer), to redraw them only when it changes. */
  private monitorDrawn: { session: TrainingSession; epochs: number; selected: number } | null = null;

  /** Shows a new session's network; keeps the chosen position when it still exists. */
  setSession(session: TrainingSession): void {
    const modules = session.model.modules;
    if (this.session === null || this.selected >= modules.length) {
      // Start on the second Linear layer when there is one: its W is a full matrix.
      const linears = modules.map((m, i) => (m instanceof Linear ? i : -1)).filter((i) => i >= 0);
      this.selected = linears.length > 1 ? linears[1] : 0;
    }
    this.session = session;
    this.buildArchitecture();
    this.render();
  }

  select(index: number): void {
    this.selected = index;
    this.buildArchitecture();
    this.render();
  }

  private buildArchitecture(): void {
    const session = this.session as TrainingSession;
    const parts: HTMLElement[] = [];
    const text = (cls: string, content: string): HTMLElement => {
      const span = document.createElement('span');
      span.className = cls;
      span.textContent = content;
      return span;
    };
    parts.push(text('io', 'input x [N,2]'), text('arrow', '→'));
    session.model.modules.forEach((m, i) => {
      const chip = document.createElement('button');
      chip.type = 'button';
      chip.className = `chip${m instanceof Linear ? ' linear' : ''}${i === this.selected ? ' selected' : ''}`;
      chip.textContent = m.toString();
      chip.title = `Sequential[${i}]`;
      chip.dataset.testid = `layer-${i}`;
      chip.setAttribute('role', 'tab');
      chip.setAttribute('aria-selected', String(i === this.selected));
      chip.addEventListener('click', () => this.select(i));
      parts.push(chip, text('arrow', '→'));
    });
    parts.push(text('io', `${session.loss}`));
    this.architecture.replaceChildren(...parts);
  }

  /** Redraws the chosen module's heat maps and the gradient bars from the session's current state. */
  render(): void {
    const session = this.session;
    if (session === null) return;
    const modules = session.model.modules;
    const m = modules[this.selected];
    const trace = session.lastStep?.layers[this.selected] ?? null;
    const step = session.lastStep;
    const when = step ? `epoch ${step.epoch}, batch ${step.batch}, ${step.batchSize} samples` : '';
    this.title.textContent = `Sequential[${this.selected}]  ${m}`;
    this.title.dataset.layer = String(this.selected);
    const { formula, note } = describeModule(m);
    this.formula.textContent = formula;
    this.note.textContent = note;

    const figures: HTMLElement[] = [];
    const batchCaption = (t: Tensor, what: string): string => `[${t.shape.join('×')}]: one row per sample of the last batch (${when}), one column per ${what}`;
    if (m instanceof Linear) {
      const weights: HeatmapSpec = {
        title: m.bias ? 'Weights W and bias b' : 'Weights W',
        caption: `W [${m.inFeatures}×${m.outFeatures}]: row = input, column = unit`,
        matrix: m.weight.value,
        extraRow: m.bias ? { label: 'b', values: m.bias.value } : undefined,
      };
      figures.push(heatmapFigure(weights));
      if (trace) {
        figures.push(heatmapFigure({
          title: m.bias ? 'Their gradients ∂L/∂W and ∂L/∂b' : 'Its gradient ∂L/∂W',
          caption: `from the last batch (${when}), = Xᵀ·G`,
          matrix: m.weight.grad,
          extraRow: m.bias ? { label: 'b', values: m.bias.grad } : undefined,
        }));
        figures.push(heatmapFigure({ title: 'gradOut G = ∂L/∂Y', caption: batchCaption(trace.gradOut, 'unit'), matrix: trace.gradOut }));
      } else {
        figures.push(placeholderFigure('Gradients ∂L/∂W and ∂L/∂b', NO_STEP_YET), placeholderFigure('gradOut G = ∂L/∂Y', NO_STEP_YET));
      }
    } else if (trace) {
      figures.push(heatmapFigure({ title: 'Output Y', caption: batchCaption(trace.output, 'unit'), matrix: trace.output }));
      figures.push(heatmapFigure({ title: 'gradOut G = ∂L/∂Y (received)', caption: batchCaption(trace.gradOut, 'unit'), matrix: trace.gradOut }));
      figures.push(heatmapFigure({ title: '∂L/∂X (passed back)', caption: batchCaption(trace.gradInput, 'unit'), matrix: trace.gradInput }));
    } else {
      figures.push(placeholderFigure('Output Y', NO_STEP_YET), placeholderFigure('gradOut G = ∂L/∂Y', NO_STEP_YET), placeholderFigure('∂L/∂X', NO_STEP_YET));
    }
    this.heatmaps.replaceChildren(...figures);
    this.drawGradientBars(session);
    this.renderMonitor(session);
  }

  /** The monitor's charts and the chosen layer's numbers of the last epoch, when a new epoch or another layer is to be shown. */
  private renderMonitor(session: TrainingSession): void {
    const history = session.monitorHistory;
    const epochs = history.epochs.length;
    const drawn = this.monitorDrawn;
    if (drawn !== null && drawn.session === session && drawn.epochs === epochs && drawn.selected === this.selected) return;
    this.monitorDrawn = { session, epochs, selected: this.selected };
    this.monitor.dataset.epochs = String(epochs);
    this.buildMonitorKeys(session);
    const draw = { activations: drawActivationChart, units: drawUnitChart, gradients: drawGradientChart, ratios: drawRatioChart };
    for (const chart of this.monitorCharts) {
      draw[chart.name](chart.canvas, history, this.selected);
      const { parts, value } = monitorReadout(chart.name, history, this.selected, session.model.modules[this.selected]);
      chart.now.replaceChildren(...parts);
      if (value === null) delete chart.now.dataset.value;
      else chart.now.dataset.value = String(value);
    }
  }

  /** The legend of the monitor charts: one key per layer in its colour; a click chooses the layer. */
  private buildMonitorKeys(session: TrainingSession): void {
    const keys = session.model.modules.map((m, i) => {
      const key = document.createElement('button');
      key.type = 'button';
      key.className = `monitor-key${i === this.selected ? ' selected' : ''}`;
      key.dataset.testid = `monitor-key-${i}`;
      key.title = `Sequential[${i}] ${m}`;
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = layerColor(i);
      key.append(swatch, `${i} ${shortName(m)}`);
      key.addEventListener('click', () => this.select(i));
      return key;
    });
    this.monitorKeys.replaceChildren(...keys);
  }

  /** RMS of the gradient entering each module's backward on the last batch, on a log scale. */
  private drawGradientBars(session: TrainingSession): void {
    const modules = session.model.modules;
    const width = 310, height = 150;
    const ctx = setupCanvas(this.bars, width, height);
    const left = 40, top = 10, plotH = 100, plotW = width - left - 6;
    const step = session.lastStep;
    ctx.font = SMALL_FONT;
    if (step === null) {
      ctx.fillStyle = '#888';
      ctx.font = FONT;
      ctx.textAlign = 'center';
      ctx.fillText('no step yet', left + plotW / 2, top + plotH / 2);
      return;
    }
    const values = step.layers.map((t) => rms(t.gradOut));
    const logs = values.map((v) => Math.log10(Math.min(Math.max(v, 1e-12), Number.MAX_VALUE))); // NaN stays NaN: no bar
    const finite = logs.filter(Number.isFinite);
    const lo = finite.length > 0 ? Math.floor(Math.min(...finite)) : -1;
    const hi = Math.max(lo + 1, finite.length > 0 ? Math.ceil(Math.max(...finite)) : 0);
    const y = (l: number): number => top + plotH - ((l - lo) / (hi - lo)) * plotH;
    ctx.strokeStyle = '#e6e9ed';
    ctx.fillStyle = '#444';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const every = Math.ceil((hi - lo) / 4);
    for (let p = lo; p <= hi; p += every) {
      ctx.beginPath();
      ctx.moveTo(left, Math.round(y(p)) + 0.5);
      ctx.lineTo(left + plotW, Math.round(y(p)) + 0.5);
      ctx.stroke();
      ctx.fillText(`1e${p}`, left - 4, y(p));
    }
    const slot = plotW / modules.length;
    const barW = Math.min(26, slot * 0.7);
    modules.forEach((m, i) => {
      const x = left + i * slot + (slot - barW) / 2;
      ctx.fillStyle = i === this.selected ? '#0b6bcb' : m instanceof Linear ? '#59636e' : '#a7b1bb';
      ctx.fillRect(x, y(logs[i]), barW, top + plotH - y(logs[i]));
      ctx.fillStyle = '#333';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(String(i), x + barW / 2, top + plotH + 4);
      ctx.fillStyle = '#777';
      ctx.fillText(shortName(m), x + barW / 2, top + plotH + 18);
    });
    this.bars.title = values.map((v, i) => `[${i}] ${modules[i]}: ${formatNumber(v)}`).join('\n');
  }
}

/**
 * The line under a monitor chart: the chosen layer's numbers in the last epoch (text, and each
 * number as a `numberSpan`, so that no number breaks across lines), and the number a test can
 * read (`data-value`): the mean, the dead or saturated fraction, the gradient norm, the weight's
 * update ratio.
 */
function monitorReadout(chart: 'activations' | 'units' | 'gradients' | 'ratios', history: MonitorHistory, l: number, m: Module): { parts: (string | HTMLElement)[]; value: number | null } {
  const last = history.epochs[history.epochs.length - 1];
  if (last === undefined) return { parts: [`[${l}] ${m}: after the first epoch`], value: null };
  const stats = last.layers[l];
  const at = `[${l}] ${m}, epoch ${last.epoch}:`;
  const show = (v: number | null): HTMLElement => numberSpan(v === null ? '–' : formatNumber(v));
  const percent = (fraction: number): HTMLElement => numberSpan(`${formatNumber(100 * fraction)} %`);
  switch (chart) {
    case 'activations':
      return { parts: [`${at} mean `, show(stats.mean), ', std ', show(stats.std)], value: stats.mean };
    case 'units':
      if (stats.deadFraction !== null) return { parts: [`${at} `, percent(stats.deadFraction), ' of its units dead'], value: stats.deadFraction };
      if (stats.saturatedFraction !== null) return { parts: [`${at} `, percent(stats.saturatedFraction), ' of its values saturated'], value: stats.saturatedFraction };
      return { parts: [`${at} not measured (ReLU, tanh and σ only)`], value: null };
    case 'gradients':
      return { parts: [`${at} ‖∂L/∂output‖ = `, show(stats.gradOutputNorm)], value: stats.gradOutputNorm };
    case 'ratios': {
      const params = paramsOfLayer(history, l);
      if (params.length === 0) return { parts: [`${at} no parameters`], value: null };
      const parts: (string | HTMLElement)[] = [`${at} `];
      params.forEach((p, i) => {
        const name = history.params[p].replace(`${history.layers[l]} `, ''); // 'weight' or 'bias'
        parts.push(`${i > 0 ? ', ' : ''}${name} `, show(last.params[p].updateRatio));
      });
      return { parts, value: last.params[params[0]].updateRatio };
    }
  }
}
