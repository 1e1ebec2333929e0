/**
 * The table a report can paste: per row, the report's published figure, minidl's mean ± standard
 * deviation over its seeded rounds, PyTorch's on the same protocol, and a verdict.
 *
 * The verdict compares minidl's mean test figure with the report's, in the report's metric:
 *
 *   beaten       minidl's mean is better than the report's figure
 *   reproduced   worse by at most one standard deviation of minidl's rounds
 *   below        worse by more than that — followed by the reason (the row's `belowReason`)
 *
 * A variant row is compared with the figure of the row it varies: "beats 001-ws-mse-adam's
 * 0.99 %" or "does not beat …".
 */
import { Stats } from '../disk/experiment';
import { describeNetwork, describeSettings } from './build';
import { Published, ReportId, ReportRow } from './protocol';
import { findRow } from './rows';

/** What the reports say they built, for the section titles. */
export const REPORT_TITLES: Record<ReportId, string> = {
  '000': 'batch normalisation and a small convolutional task',
  '001': 'MSE/BCE × SGD/Adam and weight sharing',
  '002': 'the course minimum: train/test error over 10 runs',
  '003': 'a mixed ReLU/Tanh/Sigmoid network',
  '004': 'MNIST: softmax regression and a two-hidden-layer MLP',
};

/** minidl's or PyTorch's figures for a row: error rates (fractions) over the rounds. */
export interface RowFigures {
  rounds: number;
  epochs: number;
  trainError: Stats;
  testError: Stats;
}

/** The verdict of a row, and its words. */
export interface Verdict {
  kind: 'beaten' | 'reproduced' | 'below' | 'beats' | 'does not beat';
  text: string;
}

/** The figure a row is judged against: its own, or (a variant) its base row's. */
export function targetOf(row: ReportRow): { published: Published; rowId: string } {
  if (row.published !== null) return { published: row.published, rowId: row.id };
  const base = row.variantOf === null ? undefined : findRow(row.variantOf);
  if (base === undefined || base.published === null) throw new Error(`report row ${row.id}: a variant needs a base row with a published figure`);
  return { published: base.published, rowId: base.id };
}

/** The verdict of minidl's figures on a row (see the file's comment). */
export function verdict(row: ReportRow, minidl: RowFigures): Verdict {
  const { published, rowId } = targetOf(row);
  const reportError = published.metric === 'error' ? published.test : 1 - published.test;
  const gap = minidl.testError.mean - reportError;
  const figure = formatFigure(published.test);
  if (row.published === null) {
    return gap < 0
      ? { kind: 'beats', text: `beats ${rowId}'s ${figure}` }
      : { kind: 'does not beat', text: `does not beat ${rowId}'s ${figure}` };
  }
  if (gap < 0) return { kind: 'beaten', text: 'beaten' };
  if (gap <= minidl.testError.std) return { kind: 'reproduced', text: 'reproduced (within one std)' };
  return { kind: 'below', text: `below: ${row.belowReason ?? 'no reason recorded'}` };
}

const pct = (x: number): string => (100 * x).toFixed(2);

/** `3.52 %` (an error) or `97.70 %` (an accuracy), from a fraction in the report's metric. */
export function formatFigure(value: number): string {
  return `${pct(value)} %`;
}

/** A report's published figure: `3.52 ± 1.14 % (train 3.17 ± 1.37)`. */
export function formatPublished(p: Published): string {
  const pm = (v: number, s?: number): string => (s === undefined ? pct(v) : `${pct(v)} ± ${pct(s)}`);
  const train = p.train === undefined ? '' : ` (train ${pm(p.train, p.trainStd)})`;
  return `${pm(p.test, p.testStd)} %${train}`;
}

/** minidl's or PyTorch's figures in the metric of the row's report: `1.23 ± 0.45 % (train 0.50 ± 0.20)`. */
export function formatFigures(metric: Published['metric'], f: RowFigures): string {
  const value = (s: Stats): string => `${pct(metric === 'error' ? s.mean : 1 - s.mean)} ± ${pct(s.std)}`;
  return `${value(f.testError)} % (train ${value(f.trainError)})`;
}

/** One report's section: title, command, the table, then each row's settings and choices. */
export function reportSection(
  report: ReportId,
  rows: readonly ReportRow[],
  minidl: ReadonlyMap<string, RowFigures>,
  pytorch: ReadonlyMap<string, RowFigures | string>,
  command: string,
): string {
  const metricWords = (row: ReportRow): string => (targetOf(row).published.metric === 'error' ? 'test error' : 'test accuracy');
  const lines = [
    `### Report ${report}: ${REPORT_TITLES[report]}`,
    '',
    `\`${command}\``,
    '',
    '| row | what the report calls it | figure | report | minidl | PyTorch, same protocol | verdict |',
    '|---|---|---|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const { published } = targetOf(row);
    const mine = minidl.get(row.id);
    if (mine === undefined) continue;
    const theirs = pytorch.get(row.id);
    const torchCell = theirs === undefined ? 'not run'
      : typeof theirs === 'string' ? theirs
        : `${formatFigures(published.metric, theirs)}${theirs.rounds === mine.rounds ? '' : `, ${theirs.rounds} rounds`}`;
    const reportCell = row.published === null ? `(variant of ${row.variantOf})` : `${formatPublished(row.published)}, ${row.published.runs}`;
    lines.push(`| ${row.id} | ${row.label} | ${metricWords(row)} | ${reportCell} | ${formatFigures(published.metric, mine)}, ${mine.rounds} rounds | ${torchCell} | ${verdict(row, mine).text} |`);
  }
  lines.push('', 'Each row\'s protocol (what the report states, then what we chose for what it leaves out):', '');
  for (const row of rows) {
    if (!minidl.has(row.id)) continue;
    const mine = minidl.get(row.id) as RowFigures;
    lines.push(`- **${row.id}**: ${describeNetwork(row.network)}; ${describeSettings({ ...row, epochs: mine.epochs })}; initialisation ${describeInit(row)}.`);
    if (row.changed !== null) lines.push(`  Changed from ${row.variantOf}: ${row.changed}.`);
    else {
      lines.push(`  Stated: ${row.stated}.`);
      lines.push(`  Chosen: ${row.choices.join('; ')}.`);
    }
  }
  return lines.join('\n');
}

function describeInit(row: ReportRow): string {
  switch (row.init.kind) {
    case 'pytorch': return "PyTorch's default";
    case 'normal': return `W, b ~ N(0, ${row.init.std}²)`;
    case 'glorotOrHe': return 'Glorot (before Tanh or the output) / He (before ReLU), biases 0';
  }
}
