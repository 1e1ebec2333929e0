/**
 * The course's seeded disk experiment.
 *
 *   npm run disk                         the course protocol, 10 rounds
 *   npm run disk -- --config all         every variant the course reports compare
 *   npm run disk -- --help               all flags
 *
 * Each round draws 1000 training and 1000 test points uniformly in [0,1]², labelled 1 inside
 * the disk of radius 1/√(2π) centred at (0.5, 0.5), standardizes them with the training
 * statistics, trains a fresh network and measures train and test error. Round r of a run
 * with seed s is seeded by `disk-s-round-r`, so the same flags give the same numbers.
 *
 * Writes into the output folder: results.md (the tables printed here), results.json (the
 * same numbers; identical for identical flags except its "timings" entry), curves.json
 * (per-epoch loss, train error and test error of every round), and figures as SVG and PNG:
 * dataset (the first round's training points and the circle), and per configuration
 * <config>-curves (loss and test error per epoch, mean and min–max band over the rounds) and
 * <config>-decision-map (the first round's trained network over the unit square).
 * With --save, also <config>-model.json: the first round's trained network with the input
 * standardization and decision rule, which `npm run predict` loads to classify new points.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DISK_CONFIGS } from './disk/configs';
import { ConfigResult, TEST_SIZE, TRAIN_SIZE, runConfig } from './disk/experiment';
import { curvesFigure, datasetFigure, decisionMapFigure } from './figures/disk-figures';
import { svgToPng } from './figures/png';
import { saveDiskModel } from './disk/model-file';
import { FlagSpec, parseFlags, readRoundsFlags, roundsFlags, runMain } from './common/cli';

const FLAGS: Record<string, FlagSpec> = {
  ...roundsFlags(DISK_CONFIGS.map((c) => c.name), 'course', 'disk'),
  'no-figures': { type: 'boolean', help: 'skip the SVG/PNG figures' },
  save: { type: 'boolean', help: "save each config's round-1 network as <config>-model.json (see npm run predict)" },
};

const percent = (x: number): string => (100 * x).toFixed(2);
const pm = (s: { mean: number; std: number }): string => `${percent(s.mean)} ± ${percent(s.std)}`;

function summaryTable(results: ConfigResult[]): string {
  const lines = [
    '| config | setup | train error (%) | test error (%) | training time / round (s) |',
    '|---|---|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.config.name} | ${r.config.description} | ${pm(r.trainError)} | ${pm(r.testError)} | ${r.trainSeconds.mean.toFixed(2)} |`);
  }
  return lines.join('\n');
}

function roundsTable(result: ConfigResult): string {
  const lines = [
    `### ${result.config.name}: ${result.config.description}`,
    '',
    '| round | seed | train error (%) | test error (%) | final train loss | time (s) |',
    '|---:|---|---:|---:|---:|---:|',
  ];
  for (const r of result.rounds) {
    lines.push(`| ${r.round} | ${r.seed} | ${percent(r.trainError)} | ${percent(r.testError)} | ${r.finalLoss.toPrecision(4)} | ${r.trainSeconds.toFixed(2)} |`);
  }
  lines.push(`| mean ± std | | ${pm(result.trainError)} | ${pm(result.testError)} | | ${result.trainSeconds.mean.toFixed(2)} |`);
  return lines.join('\n');
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2), 'Usage: npm run disk -- [flags]', FLAGS);
  if (flags === null) return;
  const { configs, rounds, epochs, seed, outDir } = readRoundsFlags(flags, DISK_CONFIGS, 'disk');

  console.error(`disk experiment: ${configs.map((c) => c.name).join(', ')}; ${rounds} round(s) of ${epochs} epochs; seed ${seed}`);
  const results: ConfigResult[] = [];
  for (const config of configs) {
    results.push(runConfig(config, { seed, rounds, epochs }, (r) => {
      if (!flags.quiet) {
        console.error(`  ${config.name} round ${r.round}/${rounds}: train error ${percent(r.trainError)}%, test error ${percent(r.testError)}% (${r.trainSeconds.toFixed(2)} s)`);
      }
    }));
  }

  const header = [
    `## Disk experiment (seed ${seed}, ${rounds} rounds, ${epochs} epochs, ${TRAIN_SIZE} train / ${TEST_SIZE} test points)`,
    '',
    'Mean ± standard deviation over the rounds; training time excludes the per-epoch test evaluation.',
    '',
  ].join('\n');
  const markdown = [header, summaryTable(results), '', ...results.map(roundsTable).flatMap((t) => [t, ''])].join('\n');
  console.log(markdown);

  const json = {
    experiment: 'disk',
    protocol: { train: TRAIN_SIZE, test: TEST_SIZE, rounds, epochs, seed, standardized: 'train statistics, unbiased std' },
    configs: results.map((r) => ({
      name: r.config.name,
      description: r.config.description,
      model: r.model,
      loss: r.loss,
      optimizer: r.optimizer,
      batchSize: r.config.batchSize,
      trainError: r.trainError,
      testError: r.testError,
      rounds: r.rounds.map((x) => ({ round: x.round, seed: x.seed, trainError: x.trainError, testError: x.testError, finalLoss: x.finalLoss })),
    })),
    timings: Object.fromEntries(results.map((r) => [r.config.name, { trainSecondsPerRound: r.rounds.map((x) => x.trainSeconds), mean: r.trainSeconds.mean }])),
  };
  const curves = Object.fromEntries(results.map((r) => [r.config.name, r.rounds.map((x) => ({ round: x.round, ...x.curves }))]));
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'results.md'), markdown);
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(json, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'curves.json'), JSON.stringify(curves) + '\n');
  console.error(`wrote ${path.join(outDir, 'results.md')}, results.json and curves.json`);
  if (flags.save) {
    for (const r of results) {
      const file = path.join(outDir, `${r.config.name}-model.json`);
      saveDiskModel(file, r, { seed, epochs });
      console.error(`saved the round-1 ${r.config.name} network to ${file}`);
    }
  }
  if (!flags['no-figures']) {
    const written = writeFigures(outDir, results);
    console.error(`wrote ${written.length} figures: ${written.join(', ')}`);
  }
}

/** Writes every figure as SVG and PNG; returns the file names. */
function writeFigures(outDir: string, results: ConfigResult[]): string[] {
  const written: string[] = [];
  const save = (name: string, svg: string): void => {
    fs.writeFileSync(path.join(outDir, `${name}.svg`), svg);
    fs.writeFileSync(path.join(outDir, `${name}.png`), svgToPng(svg));
    written.push(`${name}.svg/.png`);
  };
  const first = results[0].firstRound;
  save('dataset', datasetFigure(`Training set of round 1 (${first.train.labels.length} points)`, first.train.inputs, first.train.labels));
  for (const r of results) {
    const name = r.config.name;
    save(`${name}-curves`, curvesFigure(`${name}: ${r.config.description}`, r.rounds.map((x) => x.curves)));
    const logits = r.loss.startsWith('BCEWithLogitsLoss');
    save(`${name}-decision-map`, decisionMapFigure(`${name}, round 1: network output`, r.firstRound.net, r.firstRound.stats, r.firstRound.test, logits));
  }
  return written;
}

runMain(main);
