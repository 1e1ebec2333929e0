import * as minidl from '../../../lib';
import { ContractRow, ContractTable, row } from '../harness';

/*
 * Classes called without `new`, as JavaScript allows one to write: `Linear(2, 25)`. Every class the
 * entry point `minidl` exports is tried (lib/require-new.ts): the error is a MinidlError naming the
 * class and the fix, and nothing is built, drawn or changed.
 */

/**
 * The classes `minidl` exports: those exported through requireNew (functions that inherit from
 * the class they stand for) and any exported as a bare `class`, whose row would then fail.
 */
export const exportedClasses: [string, unknown][] = Object.entries(minidl).filter(([, value]) => {
  if (typeof value !== 'function' || value.prototype === undefined) return false;
  const wrapped = Object.getPrototypeOf(value).prototype === value.prototype;
  return wrapped || Function.prototype.toString.call(value).startsWith('class');
});

const rows: ContractRow[] = exportedClasses.map(([name, cls]) =>
  row(`${name}(…) without new`, () => ({ act: () => (cls as (...args: unknown[]) => unknown)(2, 3) }),
    new RegExp(`^${name}\\(…\\) was called without new: ${name} is a class, create one with new ${name}\\(…\\)$`)));

export const table: ContractTable = { title: 'classes', rows };
