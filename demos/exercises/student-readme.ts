/**
 * The README.md of a student's repository of exercises (written by generate.ts): what to
 * implement and where (file:line of each stub), the formulas of each task (the doc comments of
 * the library, as they stand above the stubs), how to grade, and what the grader's hints mean.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Stub } from './regions';
import { ExerciseTask, TASKS } from './tasks';

/** The doc comment that ends on the line before `line` (index), as plain text, or null. */
function docCommentAbove(lines: readonly string[], line: number): string | null {
  let end = line - 1;
  while (end >= 0 && lines[end].trim() === '') end--;
  if (end < 0 || !lines[end].trim().endsWith('*/')) return null;
  let begin = end;
  while (begin >= 0 && !lines[begin].trim().startsWith('/**')) begin--;
  if (begin < 0) return null;
  const text = lines.slice(begin, end + 1).map((l) =>
    l.trim().replace(/^\/\*\*\s?/, '').replace(/\s*\*\/$/, '').replace(/^\* ?/, '').replace(/^\*$/, ''));
  while (text.length > 0 && text[0].trim() === '') text.shift();
  while (text.length > 0 && text[text.length - 1].trim() === '') text.pop();
  return text.join('\n');
}

/**
 * The formulas of a region: the doc comment of its method when it has one (`NeuralNet.stepOn`),
 * else of its class (`Linear` for `Linear.forward`), or of the function it names (`logSoftmaxRows`).
 */
export function regionDoc(text: string, region: string): { subject: string; doc: string } | null {
  const lines = text.split('\n');
  const [owner, method] = region.split('.');
  const ownerAt = lines.findIndex((l) => new RegExp(`^export (abstract )?(class|function) ${owner}\\b`).test(l));
  if (ownerAt < 0) return null;
  if (method !== undefined) {
    const methodAt = lines.findIndex((l, i) => i > ownerAt && new RegExp(`^  (private |protected |public |override )*${method}\\(`).test(l));
    const doc = methodAt >= 0 ? docCommentAbove(lines, methodAt) : null;
    if (doc !== null) return { subject: region, doc };
  }
  const doc = docCommentAbove(lines, ownerAt);
  return doc === null ? null : { subject: owner, doc };
}

/** A block of text shown as it is in Markdown (indented by four spaces). */
function verbatim(text: string): string {
  return text.split('\n').map((l) => (l === '' ? '' : `    ${l}`)).join('\n');
}

/** The README of a repository with `tasks` stubbed; `stubs` gives each task's stubs (file under the repository, line). */
export function studentReadme(root: string, tasks: readonly ExerciseTask[], stubs: ReadonlyMap<string, { file: string; stub: Stub }[]>): string {
  const out: string[] = [];
  const ids = tasks.map((t) => t.id);
  out.push('# minidl exercises', '');
  out.push(
    'This is minidl, a small deep-learning library in TypeScript in which every layer writes its own',
    'forward and backward pass, with parts taken out for you to write. Everything else works: the',
    'tensors, the kernels (`matmul`, `matmulTransA`, `im2col`, …), the other layers, the trainer,',
    '`gradcheck` (lib/tools/gradcheck.ts) to check your gradients by finite differences.',
    '',
  );
  if (tasks.length === 0) {
    out.push('No part is taken out in this copy: it holds the solutions.', '');
  }
  out.push('## Getting started', '');
  out.push('```sh', 'npm install', 'npm run typecheck          # the library type-checks, stubs included', 'npm run grade              # the tasks assigned to you: a score and a hint for each failure', 'npm run grade -- --tasks linear,relu', 'npm run grade -- --tasks all', '```', '');
  out.push(
    'A part still to write throws, for example:',
    '',
    '    not implemented yet: Linear.backward — see the formulas in the doc comment above, then run npm run grade -- --tasks linear',
    '',
    'Each stub keeps the comments of the code it replaces as `// TODO` lines. Replace the `throw`',
    'with your code; the lines after it, if any (unreachable until then), stay as they are: they',
    'keep what backward needs and return the result. The class doc comment above the stub gives',
    'the formulas and the shapes; they are repeated below. Where a doc comment speaks of "the',
    'loops below the class", it describes the library\'s own solution: write your loops where you',
    'like, in the method or in functions of your own.',
    '',
  );
  out.push('## Rules every module follows', '');
  out.push(
    '- `forward` starts with `this.checkInput(input)` and ends with `return this.rememberOutput(output)`;',
    '  `backward` starts with `this.checkGradOut(gradOut)`. These checks are already in place.',
    '- `backward(G)` returns ∂L/∂input and **adds** (`+=`) the gradients of the parameters into',
    '  `param.grad`: two calls give twice the gradient. The trainer zeroes them before each batch.',
    '- Inputs are never modified; a new Tensor holds each result.',
    '',
  );
  out.push('## Grading', '');
  out.push(
    '`npm run grade` grades the tasks assigned to you (tasks.json "tasks"; every task when it lists',
    'none), `npm run grade -- --tasks linear,relu` only those, and `npm run grade -- --tasks all`',
    'every task (tasks.json "all"): the parts you were not asked to write pass, which shows the rest',
    'of the library works. It prints a score per task, then writes grade-report.md and results.json',
    '(the format Gradescope reads); if your lib/ does not load (a syntax error, say), every task',
    'gets 0 with one hint that gives the file, the line and the reason. It checks',
    'forward values and gradients against reference numbers recorded from the full library',
    '(grader/reference), on many shapes, batch size 1 included, in training and evaluation mode; a',
    'finite-difference gradient check of the input and every parameter; that backward accumulates;',
    'that inputs are not modified; the shapes; and a short training run with your parts.',
    '',
    'When a check fails the hint names what went wrong, and recognises the classic mistakes by their',
    'numbers: gradients overwritten instead of accumulated; ReLU\'s backward masked by the sign of the',
    'gradient instead of the input; a loss gradient missing its 1/N; a bias gradient not summed over',
    'the batch; a weight gradient transposed; a biased running variance in BatchNorm; a softmax that',
    'overflows without the max shift; Adam\'s bias correction multiplied instead of divided; dropout',
    'not rescaled by 1/(1 − p).',
    '',
  );
  out.push('## What to implement', '');
  if (tasks.length === 0) out.push('Nothing: every task is solved in this copy.', '');
  for (const task of tasks) {
    out.push(`### ${task.id}: ${task.title}`, '');
    // one line per method: a method with stubs in two places (Linear.backward) is listed once, with both lines
    const places = new Map<string, { name: string; file: string; lines: number[] }>();
    for (const { file, stub } of stubs.get(task.id) ?? []) {
      const key = `${file} ${stub.name}`;
      const place = places.get(key) ?? { name: stub.name, file, lines: [] };
      place.lines.push(stub.line);
      places.set(key, place);
    }
    for (const { name, file, lines } of places.values()) {
      const at = lines.length === 1 ? `${file}:${lines[0]}`
        : `${file}:${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]} (${lines.length} stubs in one method: write them all)`;
      out.push(`- \`${name}\`: ${at}`);
    }
    out.push('');
    const seen = new Set<string>();
    for (const region of task.regions) {
      const where = (stubs.get(task.id) ?? []).find((s) => s.stub.name === region);
      if (where === undefined) continue;
      const found = regionDoc(fs.readFileSync(path.join(root, ...where.file.split('/')), 'utf8'), region);
      if (found === null || seen.has(found.subject)) continue;
      seen.add(found.subject);
      out.push(`From the doc comment of \`${found.subject}\` (${where.file}):`, '', verbatim(found.doc), '');
    }
  }
  const untouched = TASKS.filter((t) => !ids.includes(t.id)).map((t) => t.id);
  if (tasks.length > 0 && untouched.length > 0) {
    out.push('## Already written', '', `These tasks are complete in this copy: ${untouched.join(', ')}.`, '');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
