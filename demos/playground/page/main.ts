/// <reference lib="dom" />
/**
 * The playground page: wires the settings panel, the training loop, the decision map, the
 * curves and the layer inspector together. The settings live in the URL hash.
 *
 * The kernels: the WebAssembly SIMD backend is compiled asynchronously as the page opens (a
 * browser's main thread may refuse to compile it synchronously); the TypeScript kernels run
 * until it is ready, with the same results. The page shows which backend runs.
 */
import { BackendName, backendReason, getBackend, loadWasmBackendAsync } from '../../../lib';
import { byId, formatNumber, formatPercent, numberSpan } from './canvas';
import { drawErrorChart, drawLossChart } from './charts';
import { Controls } from './controls';
import { DecisionMap, PointsShown } from './decision-map';
import { Inspector } from './inspector';
import { TrainingLoop } from './loop';
import { TrainingSession } from './session';
import { Settings, sameRun, settingsFromHash, settingsToHash } from './settings';

/**
 * While training runs, the map is redrawn at most every MAP_INTERVAL_MS, and less often when a
 * redraw is slow (it costs forward passes), so that it takes at most a fifth of the time; its
 * field gets MAP_BUDGET_RUNNING_MS (or MAP_BUDGET_PAUSED_MS when paused) of computation.
 */
const MAP_INTERVAL_MS = 120;
const MAP_BUDGET_RUNNING_MS = 10;
const MAP_BUDGET_PAUSED_MS = 120;
const INSPECTOR_INTERVAL_MS = 300;

// Before anything computes: from here on the TypeScript kernels run until WebAssembly is ready.
const backendLoaded = loadWasmBackendAsync();

const fromUrl = settingsFromHash(window.location.hash);
let settings: Settings = fromUrl.settings;
let session = new TrainingSession(settings);
let lastMapDraw = 0;
let lastMapCost = 0;
let lastInspectorDraw = 0;

const map = new DecisionMap(byId<HTMLCanvasElement>('decision-map'));
const inspector = new Inspector();
const lossChart = byId<HTMLCanvasElement>('loss-chart');
const errorChart = byId<HTMLCanvasElement>('error-chart');
const pointsSelect = byId<HTMLSelectElement>('points');
const runState = byId<HTMLSpanElement>('run-state');
const runDetail = byId<HTMLSpanElement>('run-detail');

const loop = new TrainingLoop({
  session: () => session,
  stopAtEpoch: () => settings.stopAtEpoch,
  onProgress: (epochEnded) => render(!loop.running, epochEnded),
  onStopped: (reason, error) => {
    controls.setRunning(false);
    render(true, true);
    if (reason === 'error') {
      runState.textContent = 'stopped';
      runState.className = 'run-state failed';
      runDetail.textContent = `${error?.message ?? 'training failed'}. Change a setting or press Reset.`;
      runDetail.className = 'run-detail failed';
    }
  },
});

const controls = new Controls(settings, {
  onChange: (next) => {
    const restart = !sameRun(next, settings);
    settings = next;
    window.history.replaceState(null, '', settingsToHash(settings));
    if (restart) restartSession();
  },
  onStartPause: () => {
    if (loop.running) {
      loop.pause();
    } else {
      if (runState.classList.contains('failed')) restartSession();
      controls.setRunning(true);
      loop.start();
      render(false, false);
    }
  },
  onStep: () => loop.stepOnce(),
  onReset: () => {
    loop.pause();
    restartSession();
  },
});
if (fromUrl.errors.length > 0) {
  controls.showMessage(`The link held invalid settings, replaced by defaults: ${fromUrl.errors.map((e) => e.message).join('; ')}.`);
}
window.history.replaceState(null, '', settingsToHash(settings));

window.addEventListener('hashchange', () => {
  const parsed = settingsFromHash(window.location.hash);
  controls.show(parsed.settings);
  const restart = !sameRun(parsed.settings, settings);
  settings = parsed.settings;
  if (restart) restartSession();
});
pointsSelect.addEventListener('change', () => render(true, false));

/** A fresh run of the current settings (same settings ⇒ the same data, weights and batches as before). */
function restartSession(): void {
  session = new TrainingSession(settings);
  runState.classList.remove('failed');
  inspector.setSession(session);
  render(true, true);
}

function setStat(id: string, text: string, value: number | null): void {
  const el = byId(id);
  el.textContent = text;
  if (value === null) delete el.dataset.value;
  else el.dataset.value = String(value);
}

/** Redraws what changed: the numbers always, the curves after an epoch, the map and inspector when due (or `all`). */
function render(all: boolean, epochEnded: boolean): void {
  const h = session.history;
  const last = h.trainLoss.length - 1;
  setStat('epoch', String(session.epoch), session.epoch);
  setStat('steps', String(session.steps), session.steps);
  setStat('train-loss', formatNumber(h.trainLoss[last], 4), h.trainLoss[last]);
  setStat('train-error', formatPercent(h.trainError[last]), h.trainError[last]);
  setStat('test-error', formatPercent(h.testError[last]), h.testError[last]);
  byId('test-error').dataset.testLoss = String(h.testLoss[last]);

  const running = loop.running;
  if (!runState.classList.contains('failed') || running) {
    runState.textContent = running ? 'training' : session.steps === 0 ? 'ready' : 'paused';
    runState.className = `run-state${running ? ' running' : ''}`;
    const step = session.lastStep;
    runDetail.className = 'run-detail';
    if (step) {
      runDetail.replaceChildren(
        `last step: epoch ${step.epoch}, batch ${step.batch} of ${session.batchesPerEpoch}, batch loss `,
        numberSpan(formatNumber(step.loss, 4)),
      );
    } else {
      runDetail.textContent = `${session.batchesPerEpoch} steps per epoch; press Start, or Step for one mini-batch`;
    }
  }

  if (all || epochEnded) {
    drawLossChart(lossChart, h);
    drawErrorChart(errorChart, h);
  }
  const now = performance.now();
  if (all || now - lastMapDraw >= Math.max(MAP_INTERVAL_MS, 4 * lastMapCost)) {
    try {
      const wrong = map.draw(session, pointsSelect.value as PointsShown, running ? MAP_BUDGET_RUNNING_MS : MAP_BUDGET_PAUSED_MS);
      setStat('misclassified', String(wrong), wrong);
    } catch (err) {
      map.drawMessage(`The network cannot be drawn: ${(err as Error).message}`);
      setStat('misclassified', '–', null);
    }
    lastMapDraw = performance.now();
    lastMapCost = lastMapDraw - now;
  }
  if (all || now - lastInspectorDraw >= INSPECTOR_INTERVAL_MS) {
    inspector.render();
    lastInspectorDraw = performance.now();
  }
}

/** Shows the backend the kernels use: 'wasm' (WebAssembly SIMD) or 'js' (TypeScript), and why not 'wasm'. */
function showBackend(backend: BackendName): void {
  const el = byId('backend');
  el.textContent = backend;
  el.dataset.value = backend;
  const reason = backendReason();
  el.title = backend === 'wasm'
    ? 'the kernels run in WebAssembly with 128-bit SIMD'
    : `the kernels run in TypeScript${reason === null ? '' : `: ${reason}`}`;
}

inspector.setSession(session);
controls.setRunning(false);
render(true, true);
showBackend(getBackend());
void backendLoaded.then(showBackend);
