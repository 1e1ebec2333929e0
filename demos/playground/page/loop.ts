/// <reference lib="dom" />
/**
 * The training loop of the page: while running, each animation frame spends at most
 * `budgetMs` milliseconds on optimizer steps, then lets the page redraw, so the tab stays
 * responsive however large the network. How many steps fit in a frame changes nothing in the
 * run itself: the steps are the same, only the moments they are drawn differ.
 */
import { TrainingSession } from './session';

export interface LoopHooks {
  /** The run to advance. */
  session(): TrainingSession;
  /** Training pauses by itself when it completes this epoch (0: never). */
  stopAtEpoch(): number;
  /** After each frame's steps (and after a single step). */
  onProgress(epochEnded: boolean): void;
  /** Training stopped: paused by the student, at the stop epoch, or on an error. */
  onStopped(reason: 'paused' | 'stop-epoch' | 'error', error?: Error): void;
}

export class TrainingLoop {
  private frameId: number | null = null;

  constructor(private readonly hooks: LoopHooks, private readonly budgetMs = 12) {}

  get running(): boolean {
    return this.frameId !== null;
  }

  start(): void {
    if (this.frameId === null) this.frameId = requestAnimationFrame(this.frame);
  }

  pause(): void {
    this.stop('paused');
  }

  /** One optimizer step (when paused). */
  stepOnce(): void {
    if (this.running) return;
    try {
      const epochEnded = this.hooks.session().step();
      this.hooks.onProgress(epochEnded);
    } catch (err) {
      this.hooks.onStopped('error', err as Error);
    }
  }

  private stop(reason: 'paused' | 'stop-epoch' | 'error', error?: Error): void {
    if (this.frameId !== null) cancelAnimationFrame(this.frameId);
    this.frameId = null;
    this.hooks.onStopped(reason, error);
  }

  private readonly frame = (): void => {
    const session = this.hooks.session();
    const stopAt = this.hooks.stopAtEpoch();
    const start = performance.now();
    let epochEnded = false;
    let reason: 'stop-epoch' | 'error' | null = null;
    let error: Error | undefined;
    try {
      do {
        if (session.step()) {
          epochEnded = true;
          if (session.epoch === stopAt) reason = 'stop-epoch';
        }
      } while (reason === null && performance.now() - start < this.budgetMs);
    } catch (err) {
      reason = 'error';
      error = err as Error;
    }
    try {
      this.hooks.onProgress(epochEnded);
    } catch (err) {
      reason = 'error';
      error = err as Error;
    }
    if (reason !== null) this.stop(reason, error);
    else this.frameId = requestAnimationFrame(this.frame);
  };
}
