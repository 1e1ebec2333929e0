/// <reference lib="dom" />
/**
 * The attention page: wires the settings, the training loop, the attention maps and the curves
 * together. The settings live in the URL hash.
 *
 * The loop: while running, each animation frame takes one step ('frame'), or as many as fit in
 * 12 ms ('fast'), or one step every 200 ms ('slow'), then redraws. How many steps a frame takes
 * changes nothing in the run, only when it is drawn.
 */
import { BackendName, backendReason, getBackend, loadWasmBackendAsync } from '../../../lib';
import { byId, formatNumber, formatPercent } from '../page/canvas';
import { drawAttentionMap } from './attention-map';
import { drawAccuracy, drawBatchLoss } from './curves';
import { AttentionSession, BATCH_SIZE } from './session';
import {
  AttentionSettings, HEAD_CHOICES, attentionSettingsFromHash, attentionSettingsToHash, sameAttentionRun, validateAttentionSettings,
} from './settings';
import { DEFAULT_EXAMPLES, NO_TARGET, TASKS, TaskName, VOCABULARY, parseLetters, tokensToText } from './tasks';

type Speed = 'frame' | 'slow' | 'fast';
const FAST_BUDGET_MS = 12;
const SLOW_INTERVAL_MS = 200;

// Before anything computes: the TypeScript kernels run until WebAssembly is ready.
const backendLoaded = loadWasmBackendAsync();

const fromUrl = attentionSettingsFromHash(window.location.hash);
let settings: AttentionSettings = fromUrl.settings;
let session = new AttentionSession(settings);
let exampleText = DEFAULT_EXAMPLES[settings.task];
let frameId: number | null = null;
let lastSlowStep = 0;
let failed = false;

const taskSelect = byId<HTMLSelectElement>('task');
const headsSelect = byId<HTMLSelectElement>('heads');
const lrInput = byId<HTMLInputElement>('lr');
const seedInput = byId<HTMLInputElement>('seed');
const stopInput = byId<HTMLInputElement>('stop-at');
const speedSelect = byId<HTMLSelectElement>('speed');
const exampleInput = byId<HTMLInputElement>('example');
const errorLine = byId<HTMLParagraphElement>('settings-error');
const startPause = byId<HTMLButtonElement>('start-pause');
const stepButton = byId<HTMLButtonElement>('step');
const runState = byId<HTMLSpanElement>('run-state');
const runDetail = byId<HTMLSpanElement>('run-detail');
const maps = byId<HTMLDivElement>('maps');

taskSelect.replaceChildren(...TASKS.map((t) => new Option(t.label, t.value)));
headsSelect.replaceChildren(...HEAD_CHOICES.map((h) => new Option(String(h), String(h))));

/** Fills the form from `s`. */
function showSettings(s: AttentionSettings): void {
  taskSelect.value = s.task;
  headsSelect.value = String(s.numHeads);
  lrInput.value = String(s.lr);
  seedInput.value = s.seed;
  stopInput.value = String(s.stopAtStep);
  exampleInput.value = exampleText;
  byId('task-rule').textContent = `Rule: ${TASKS.find((t) => t.value === s.task)?.rule ?? ''}.`;
}

/** The form read back; invalid fields are marked and explained, and nothing changes. */
function settingsChanged(): void {
  const next: AttentionSettings = {
    task: taskSelect.value as TaskName,
    numHeads: Number(headsSelect.value),
    lr: lrInput.value.trim() === '' ? NaN : Number(lrInput.value),
    seed: seedInput.value,
    stopAtStep: stopInput.value.trim() === '' ? NaN : Number(stopInput.value),
  };
  const errors = validateAttentionSettings(next);
  const fields: Partial<Record<keyof AttentionSettings, HTMLElement>> = { lr: lrInput, seed: seedInput, stopAtStep: stopInput };
  for (const [field, el] of Object.entries(fields)) el?.classList.toggle('invalid', errors.some((e) => e.field === field));
  errorLine.textContent = errors.map((e) => e.message).join('; ');
  if (errors.length > 0) return;
  const restart = !sameAttentionRun(next, settings);
  if (next.task !== settings.task) exampleText = DEFAULT_EXAMPLES[next.task];
  settings = next;
  window.history.replaceState(null, '', attentionSettingsToHash(settings));
  showSettings(settings);
  if (restart) restartSession();
}

/** A fresh run of the current settings (same settings ⇒ the same held-out set, weights and batches). */
function restartSession(): void {
  stopLoop();
  session = new AttentionSession(settings);
  failed = false;
  render();
}

function setStat(id: string, text: string, value: number | null): void {
  const el = byId(id);
  el.textContent = text;
  if (value === null) delete el.dataset.value;
  else el.dataset.value = String(value);
}

/** The example's letters as typed, or the task's default one when what is typed does not fit. */
function exampleLetters(): number[] {
  const parsed = parseLetters(settings.task, exampleText);
  exampleInput.classList.toggle('invalid', typeof parsed === 'string');
  exampleInput.title = typeof parsed === 'string' ? parsed : '';
  if (typeof parsed !== 'string') return parsed;
  return parseLetters(settings.task, DEFAULT_EXAMPLES[settings.task]) as number[];
}

/** One character per position, in cells. */
function fillRow(id: string, chars: string[], classes: string[] = []): void {
  byId(id).replaceChildren(...chars.map((c, t) => {
    const span = document.createElement('span');
    span.textContent = c;
    if (classes[t]) span.className = classes[t];
    return span;
  }));
}

/** Redraws everything from the session. */
function render(): void {
  const h = session.history;
  const lastLoss = h.batchLoss[h.batchLoss.length - 1];
  const accuracy = h.accuracy[h.accuracy.length - 1];
  setStat('steps', String(session.steps), session.steps);
  setStat('batch-loss', lastLoss === undefined ? '–' : formatNumber(lastLoss, 4), lastLoss ?? null);
  setStat('accuracy', formatPercent(accuracy), accuracy);
  if (!failed) {
    runState.textContent = frameId !== null ? 'training' : session.steps === 0 ? 'ready' : 'paused';
    runState.className = `run-state${frameId !== null ? ' running' : ''}`;
    runDetail.className = 'run-detail';
    runDetail.textContent = `accuracy measured at step ${h.accuracySteps[h.accuracySteps.length - 1]}`;
  }

  const view = session.view(exampleLetters());
  const T = view.example.tokens.length;
  const tokens = tokensToText(view.example.tokens);
  const hasTarget = view.example.targets.map((t) => t !== NO_TARGET);
  fillRow('row-positions', Array.from({ length: T }, (_, t) => String(t)));
  fillRow('row-input', [...tokens]);
  fillRow('row-target', view.example.targets.map((t) => (t === NO_TARGET ? '·' : VOCABULARY[t])));
  fillRow('row-model', view.predicted.map((p, t) => (hasTarget[t] ? VOCABULARY[p] : '·')),
    view.predicted.map((p, t) => (!hasTarget[t] ? '' : p === view.example.targets[t] ? 'right' : 'wrong')));

  const figures = [...view.heads.map((w, k) => ({ title: `head ${k + 1}`, weights: w })), { title: 'mean over the heads', weights: view.mean }];
  while (maps.children.length > figures.length) maps.lastElementChild?.remove();
  figures.forEach((f, k) => {
    let figure = maps.children[k] as HTMLElement | undefined;
    if (figure === undefined) {
      figure = document.createElement('figure');
      figure.className = 'attention-map';
      figure.append(document.createElement('h4'), document.createElement('canvas'));
      maps.append(figure);
    }
    (figure.firstElementChild as HTMLElement).textContent = f.title;
    const canvas = figure.querySelector('canvas') as HTMLCanvasElement;
    drawAttentionMap(canvas, { weights: f.weights.data, size: T, tokens, hasTarget });
    canvas.dataset.testid = k < view.heads.length ? `map-head-${k + 1}` : 'map-mean';
    canvas.dataset.step = String(session.steps);
    canvas.dataset.weights = Array.from(f.weights.data, (p) => p.toFixed(4)).join(',');
  });
  byId('architecture').textContent = [
    `x = ${session.model.tokenEmbedding}(tokens)`,
    `  + ${session.model.positionEmbedding}(positions)`,
    `h = ${session.model.attention}(x)`,
    `logits = ${session.model.readout}(h)`,
    `loss: ${session.loss}`,
    `optimizer: Adam(lr=${settings.lr}), batches of ${BATCH_SIZE}`,
  ].join('\n');

  drawBatchLoss(byId<HTMLCanvasElement>('loss-chart'), h);
  drawAccuracy(byId<HTMLCanvasElement>('accuracy-chart'), h);
}

/** One step; false (and the page says why) when it failed. */
function stepOnce(): boolean {
  try {
    session.step();
    return true;
  } catch (err) {
    failed = true;
    stopLoop();
    runState.textContent = 'stopped';
    runState.className = 'run-state failed';
    runDetail.textContent = `${(err as Error).message}. Change a setting or press Reset.`;
    runDetail.className = 'run-detail failed';
    return false;
  }
}

const frame = (now: number): void => {
  const speed = speedSelect.value as Speed;
  const start = performance.now();
  let stepped = false;
  let ok = true;
  if (speed === 'slow') {
    if (now - lastSlowStep >= SLOW_INTERVAL_MS) {
      lastSlowStep = now;
      ok = stepOnce();
      stepped = true;
    }
  } else {
    do {
      ok = stepOnce();
      stepped = true;
    } while (ok && speed === 'fast' && session.steps !== settings.stopAtStep && performance.now() - start < FAST_BUDGET_MS);
  }
  const stop = !ok || session.steps === settings.stopAtStep; //  pauses when it reaches the step (0: never)
  if (stop) stopLoop();
  else frameId = requestAnimationFrame(frame);
  if (stepped || stop) render();
};

function start(): void {
  if (frameId !== null) return;
  if (failed) restartSession();
  frameId = requestAnimationFrame(frame);
  startPause.textContent = '❚❚ Pause';
  stepButton.disabled = true;
  render();
}

/** Stops the loop (the page is redrawn by whoever called it). */
function stopLoop(): void {
  if (frameId !== null) cancelAnimationFrame(frameId);
  frameId = null;
  startPause.textContent = '▶ Start';
  stepButton.disabled = false;
}

function pause(): void {
  stopLoop();
  render();
}

startPause.addEventListener('click', () => (frameId === null ? start() : pause()));
stepButton.addEventListener('click', () => {
  if (frameId === null && !failed && stepOnce()) render();
});
byId('reset').addEventListener('click', () => restartSession());
for (const el of [taskSelect, headsSelect, lrInput, seedInput, stopInput]) el.addEventListener('change', settingsChanged);
exampleInput.addEventListener('input', () => {
  exampleText = exampleInput.value;
  render();
});
window.addEventListener('hashchange', () => {
  const parsed = attentionSettingsFromHash(window.location.hash);
  const restart = !sameAttentionRun(parsed.settings, settings);
  if (parsed.settings.task !== settings.task) exampleText = DEFAULT_EXAMPLES[parsed.settings.task];
  settings = parsed.settings;
  showSettings(settings);
  if (restart) restartSession();
});

/** Shows the backend the kernels use: 'wasm' (WebAssembly SIMD) or 'js' (TypeScript), and why not 'wasm'. */
function showBackend(backend: BackendName): void {
  const el = byId('backend');
  el.textContent = backend;
  el.dataset.value = backend;
  const reason = backendReason();
  el.title = backend === 'wasm' ? 'the kernels run in WebAssembly with 128-bit SIMD' : `the kernels run in TypeScript${reason === null ? '' : `: ${reason}`}`;
}

if (fromUrl.errors.length > 0) {
  errorLine.textContent = `The link held invalid settings, replaced by defaults: ${fromUrl.errors.map((e) => e.message).join('; ')}.`;
}
window.history.replaceState(null, '', attentionSettingsToHash(settings));
showSettings(settings);
render();
showBackend(getBackend());
void backendLoaded.then(showBackend);
