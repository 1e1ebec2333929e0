import * as fs from 'node:fs';
import * as path from 'node:path';
import { getBackend } from '../lib/tensor/backend/select';
import { ContractTable, expectContract } from './contract/harness';

/*
 * minidl's promise, as a table: every bad input gets a MinidlError naming the function, what was
 * expected and what came, and leaves parameters, buffers, optimizer state, generators and files
 * as they were. Each file of spec/contract/tables holds the rows of one area (spec/contract/harness.ts
 * says how a row is checked); this spec runs them all — on both backends, except the tables of
 * flags and files, which never reach a kernel — then checks that docs/promises.md states how
 * many rows each area has.
 */

const folder = path.join(__dirname, 'contract', 'tables');
const tables: ContractTable[] = fs.readdirSync(folder)
  .filter((f) => f.endsWith('.ts'))
  .sort()
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  .map((f) => (require(path.join(folder, f)) as { table: ContractTable }).table);

/** Tables whose calls never reach a kernel (flags, files): run on the 'js' project only. */
const BACKEND_FREE = new Set(['demos', 'saving and loading']);

for (const table of tables) {
  if (getBackend() === 'wasm' && BACKEND_FREE.has(table.title)) continue;
  describe(`contract: ${table.title}`, () => {
    test.each(table.rows.map((r) => [r.name, r] as const))('%s', (_name, r) => {
      expectContract(r);
    });
  });
}

(getBackend() === 'js' ? describe : describe.skip)('docs/promises.md', () => {
  test('states the number of rows of every table, and the total', () => {
    const page = fs.readFileSync(path.join(__dirname, '..', 'docs', 'promises.md'), 'utf8');
    const stated = new Map<string, number>();
    for (const m of page.matchAll(/^\| ([^|]+?) \| (\d+) \|/gm)) stated.set(m[1].trim(), Number(m[2]));
    const actual = new Map(tables.map((t) => [t.title, t.rows.length]));
    actual.set('total', tables.reduce((n, t) => n + t.rows.length, 0));
    expect(Object.fromEntries(stated)).toEqual(Object.fromEntries(actual));
  });
});
