import * as path from 'node:path';

/**
 * What grading one task produces, and how each check adds to it.
 *
 * A task is a list of checks, each worth some points. A check passes (all its points) or fails
 * (none) with hints. Two kinds of exception end a task with 0 points:
 *
 * - the stub's error, "not implemented yet: Linear.backward": the task's only hint is exactly
 *   that (with, when the region belongs to another task this one uses, which task to do first);
 * - any other exception: the task gets 0, and its hint is the error's message (the checks that
 *   still ran add theirs, such as a classic mistake recognised).
 */

/** Every task is scored out of this many points, whatever the number of its checks. */
export const TASK_POINTS = 10;

/** One check of a task. */
export interface CheckItem {
  /** What is checked, e.g. `forward values`. */
  name: string;
  /** Points earned: maxPoints when it passed, else 0. */
  points: number;
  maxPoints: number;
  /** Why it failed (empty when it passed). */
  hints: string[];
}

/** The result of one task. */
export interface TaskResult {
  id: string;
  title: string;
  score: number;
  maxScore: number;
  items: CheckItem[];
  /** Every hint of the task: a stub's message, the classic mistakes recognised, then each failed check's. */
  hints: string[];
}

/** The message a stub throws starts with this (lib/exercise-stub.ts). */
export const NOT_IMPLEMENTED = 'not implemented yet: ';

/** Thrown to end a task at once: a region of it (or of a task it uses) is still a stub. */
export class StubReached extends Error {
  constructor(readonly region: string, readonly taskOfRegion: string | null) {
    super(`${NOT_IMPLEMENTED}${region}`);
  }
}

/** The stub's region named in an error (or in its causes), or null when it is no stub's error. */
export function stubInError(err: unknown): StubReached | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof StubReached) return e;
    const at = e.message.indexOf(NOT_IMPLEMENTED);
    if (at >= 0) {
      const rest = e.message.slice(at + NOT_IMPLEMENTED.length);
      const region = rest.split(/[\s—]/)[0];
      const task = /--tasks ([A-Za-z0-9-]+)/.exec(rest);
      return new StubReached(region, task ? task[1] : null);
    }
  }
  return null;
}

/**
 * The first line of an error's message (the name of a non-Error value); for an error of the
 * language (a TypeError, a RangeError), also where in lib/ it was thrown, e.g.
 * `TypeError: Cannot read properties of undefined (reading 'data') (at lib/modules/linear.ts:97)`.
 */
export function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return `threw ${String(err)}`;
  const plain = err.name === 'Error' || err.name === 'MinidlError';
  const message = `${plain ? '' : `${err.name}: `}${err.message}`.split('\n')[0];
  return plain ? message : `${message}${whereInLib(err.stack ?? '')}`;
}

/** ` (at lib/…:line)` for the first frame of a stack inside the library, or ''. */
function whereInLib(stack: string): string {
  const libDir = path.join(__dirname, '..', 'lib') + path.sep;
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?([^()\s]+):(\d+):\d+\)?\s*$/.exec(line);
    if (match && match[1].startsWith(libDir)) return ` (at lib/${match[1].slice(libDir.length).split(path.sep).join('/')}:${match[2]})`;
  }
  return '';
}

/** Collects the checks of one task. */
export class TaskReport {
  readonly items: CheckItem[] = [];
  /** Classic mistakes recognised (each a hint, listed once). */
  readonly mistakes = new Set<string>();
  /** Messages of exceptions other than a stub's. */
  readonly errors: string[] = [];

  /**
   * Runs one check worth `points`: `fn` returns null or an empty list when it passes, else the
   * hints. A stub's error ends the task (it is re-thrown); another exception fails this check
   * with its message, prefixed by `name`, and will give the task 0.
   */
  check(name: string, points: number, fn: () => string | string[] | null): void {
    let hints: string[];
    try {
      const result = fn();
      hints = result === null ? [] : Array.isArray(result) ? result : [result];
    } catch (err) {
      const stub = stubInError(err);
      if (stub) throw stub;
      const message = `${name}: ${errorMessage(err)}`;
      this.errors.push(message);
      hints = [message];
    }
    this.items.push({ name, points: hints.length === 0 ? points : 0, maxPoints: points, hints });
  }

  /** Records a classic mistake recognised by its numbers (once per mistake: the first case's hint). */
  mistake(hint: string | null): void {
    if (hint === null) return;
    const name = hint.split(':')[0];
    if (![...this.mistakes].some((h) => h.split(':')[0] === name)) this.mistakes.add(hint);
  }

  /**
   * The task's result, out of TASK_POINTS: 0 when an exception was thrown, else the share of
   * the checks' points earned (rounded to 2 decimals).
   */
  result(id: string, title: string): TaskResult {
    const available = this.items.reduce((s, i) => s + i.maxPoints, 0);
    const earned = this.items.reduce((s, i) => s + i.points, 0);
    const score = this.errors.length > 0 || available === 0 ? 0 : Math.round((100 * TASK_POINTS * earned) / available) / 100;
    const hints = [...this.mistakes, ...this.items.flatMap((i) => i.hints)];
    return { id, title, score, maxScore: TASK_POINTS, items: this.items, hints: [...new Set(hints)] };
  }
}

/** The result of a task that reached a stub: 0 points, the stub's message as its only hint. */
export function stubResult(id: string, title: string, stub: StubReached): TaskResult {
  const other = stub.taskOfRegion !== null && stub.taskOfRegion !== id
    ? ` (task ${stub.taskOfRegion}, which this task uses: do it first)` : '';
  const hint = `${NOT_IMPLEMENTED}${stub.region}${other}`;
  return { id, title, score: 0, maxScore: TASK_POINTS, items: [], hints: [hint] };
}
