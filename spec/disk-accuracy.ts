import { getBackend, setBackend } from '../lib';
import { findConfig } from '../demos/disk/configs';
import { runConfig } from '../demos/disk/experiment';

/**
 * The accuracy bar of one disk configuration on the experiment's protocol: rounds of 300 epochs,
 * mean test error over the rounds (seed 0, as `npm run disk`): the course's 10 rounds, or fewer
 * where the bar is far from what the rounds reach (to keep the suite short). Each configuration
 * has its own spec file so that Jest's workers run them side by side.
 *
 * The numbers are bit-identical on both backends (spec/backend.spec.ts), so these long runs use
 * the faster WebAssembly kernels, as `npm run disk` does.
 */
export function describeDiskAccuracy(name: string, bar: number, rounds = 10): void {
  describe(`disk experiment accuracy, config '${name}' (${rounds} rounds, 300 epochs)`, () => {
    let previous: ReturnType<typeof getBackend>;
    beforeAll(() => {
      previous = getBackend();
      setBackend('wasm');
    });
    afterAll(() => setBackend(previous));

    test(`mean test error ≤ ${bar}`, () => {
      const config = findConfig(name);
      if (!config) throw new Error(`no config ${name}`);
      const result = runConfig(config, { seed: '0', rounds, epochs: 300, trackTestError: false });
      expect(result.rounds).toHaveLength(rounds);
      expect(result.testError.mean).toBeLessThanOrEqual(bar);
      // Learning happened in every round, not only on average.
      for (const round of result.rounds) expect(round.testError).toBeLessThan(0.06);
    }, 120_000);
  });
}
