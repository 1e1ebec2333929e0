/**
 * The attention page's settings: everything that defines a run, in one plain object written to
 * and read from the URL hash (`#task=reverse&heads=2&lr=0.001&seed=1&stop=600`), so a link
 * reproduces a run. Same settings ⇒ same run: the seed fixes the held-out sequences, the
 * initial weights and every training batch.
 *
 * No DOM here: Node runs this file too.
 */
import { TASKS, TaskName } from './tasks';

export interface AttentionSettings {
  /** The toy task (tasks.ts). */
  task: TaskName;
  /** Attention heads H: each works on E/H of the E = 16 features. */
  numHeads: number;
  /** Adam's learning rate. */
  lr: number;
  /** Seed of the one generator that draws the held-out set, the initial weights and every batch. */
  seed: string;
  /** Training pauses by itself after this step (0: never). Not part of the run: changing it restarts nothing. */
  stopAtStep: number;
}

/** The heads the page offers (E = 16 is divisible by each). */
export const HEAD_CHOICES = [1, 2, 4] as const;

/** Reverse with two heads at Adam's default rate: the anti-diagonal appears within a few hundred steps. */
export const DEFAULT_ATTENTION_SETTINGS: Readonly<AttentionSettings> = Object.freeze({
  task: 'reverse',
  numHeads: 2,
  lr: 0.001,
  seed: '1',
  stopAtStep: 600,
} as AttentionSettings);

/** The largest “stop at step” the page takes. */
export const MAX_STOP_STEP = 1_000_000;

/** A setting that was refused, and why. */
export interface AttentionSettingError {
  field: keyof AttentionSettings;
  message: string;
}

/** The reasons `s` cannot be trained (empty when it can). */
export function validateAttentionSettings(s: AttentionSettings): AttentionSettingError[] {
  const errors: AttentionSettingError[] = [];
  if (!TASKS.some((t) => t.value === s.task)) errors.push({ field: 'task', message: `unknown task '${s.task}'` });
  if (!(HEAD_CHOICES as readonly number[]).includes(s.numHeads)) errors.push({ field: 'numHeads', message: `the heads must be one of ${HEAD_CHOICES.join(', ')}` });
  if (!(Number.isFinite(s.lr) && s.lr > 0)) errors.push({ field: 'lr', message: 'the learning rate must be a number > 0' });
  if (s.seed.trim() === '') errors.push({ field: 'seed', message: 'the seed must not be empty' });
  if (!(Number.isInteger(s.stopAtStep) && s.stopAtStep >= 0 && s.stopAtStep <= MAX_STOP_STEP)) {
    errors.push({ field: 'stopAtStep', message: `“stop at step” must be a whole number from 0 (never) to ${MAX_STOP_STEP}` });
  }
  return errors;
}

/** True when two settings give the same run (`stopAtStep` does not change the run). */
export function sameAttentionRun(a: AttentionSettings, b: AttentionSettings): boolean {
  return attentionSettingsToHash({ ...a, stopAtStep: 0 }) === attentionSettingsToHash({ ...b, stopAtStep: 0 });
}

/** The settings as a URL hash. */
export function attentionSettingsToHash(s: AttentionSettings): string {
  const params = new URLSearchParams();
  params.set('task', s.task);
  params.set('heads', String(s.numHeads));
  params.set('lr', String(s.lr));
  params.set('seed', s.seed);
  params.set('stop', String(s.stopAtStep));
  return `#${params.toString()}`;
}

/**
 * Settings read from a URL hash; a missing entry takes its default. Invalid entries are reported
 * in `errors` and replaced by their default, so the page always starts.
 */
export function attentionSettingsFromHash(hash: string): { settings: AttentionSettings; errors: AttentionSettingError[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const s: AttentionSettings = { ...DEFAULT_ATTENTION_SETTINGS };
  const num = (key: string, fallback: number): number => {
    const v = params.get(key);
    return v === null || v.trim() === '' ? fallback : Number(v);
  };
  s.task = (params.get('task') ?? s.task) as TaskName;
  s.numHeads = num('heads', s.numHeads);
  s.lr = num('lr', s.lr);
  s.seed = params.get('seed') ?? s.seed;
  s.stopAtStep = num('stop', s.stopAtStep);
  const errors = validateAttentionSettings(s);
  for (const e of errors) (s as unknown as Record<string, unknown>)[e.field] = DEFAULT_ATTENTION_SETTINGS[e.field];
  return { settings: s, errors };
}
