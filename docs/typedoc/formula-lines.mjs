// @ts-check
/**
 * A TypeDoc plugin (typedoc.json: "plugin"): formulas keep their lines in the API reference.
 *
 * minidl's doc comments write formulas, small tables and the "Shapes: / Init:" lines one per
 * line, indented or in aligned columns, so that they read well in the source:
 *
 *   Backward, given G = ∂L/∂Y [N, out]:
 *     ∂L/∂X = G·Wᵀ          ∂L/∂W += Xᵀ·G          ∂L/∂b += Σₙ G[n, :]
 *
 * Markdown would join such lines into one paragraph. This plugin rewrites the Markdown of every
 * comment before TypeDoc renders it. Inside a paragraph (lines between blank lines, outside
 * code blocks, lists, tables, headings, quotes and HTML), a *layout line* is
 *
 *   - a line indented by two spaces or more, or
 *   - a line with a gap of two spaces or more between two words (aligned columns, as in
 *     "Init:   W, b ~ U(−1/√in, 1/√in)"), unless it is the paragraph's only line;
 *
 * each run of consecutive layout lines is shown as in the source: one line each, its
 * indentation and gaps kept, in the code font (a <div class="minidl-lines"> with one <p> per
 * line). The other lines of the paragraph stay prose and flow as before. Inline Markdown in a
 * layout line (`code`, **bold**, links) still works.
 */
import { JSX } from 'typedoc';

/** The class of the element that holds a run of layout lines. */
export const LINES_CLASS = 'minidl-lines';

/**
 * How a run of layout lines looks: one line each, in the code font of TypeDoc's code blocks so
 * that aligned columns stay aligned. A line wider than the page wraps (nothing is hidden), its
 * continuation indented by 4 characters, so that it does not look like a line of its own.
 */
const LINES_CSS = `
.tsd-typography .${LINES_CLASS} {
  margin: 1em 0;
}
.tsd-typography .${LINES_CLASS} p {
  margin: 0;
  font-family: Menlo, Monaco, Consolas, "Courier New", monospace;
  font-size: 0.875rem;
  padding-left: 4ch;
  text-indent: -4ch;
}`;

const NO_BREAK_SPACE = '\u00a0';

/** Opens or closes a fenced code block: ``` or ~~~, indented by at most 3 spaces. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** A list item: -, *, + or 1. / 1) at the start of the line (at most one space before it). */
const LIST_ITEM = /^ ?([-*+]|\d{1,9}[.)])( |$)/;
/**
 * Lines that make a block of Markdown of their own (a table, a quote, HTML), not indented (an
 * indented line is a layout line): a paragraph that has one is left as it is.
 */
const OTHER_BLOCK = /^ ?([|>]|<[A-Za-z/!?])/;
/** A heading: # to ######, not indented. */
const HEADING = /^ ?#{1,6}( |$)/;
/** Indented by two spaces or more. */
const INDENTED = /^ {2,}\S/;
/** A gap of two spaces or more between two non-space characters. */
const GAP = /\S {2,}\S/;

/**
 * Rewrites the layout lines of `markdown` (see the top of this file) and returns the result;
 * everything else is returned unchanged.
 *
 * @param {string} markdown
 * @returns {string}
 */
export function keepFormulaLines(markdown) {
  const lines = markdown.split('\n');
  /** @type {string[]} */
  const out = [];
  /** @type {string[]} */
  let paragraph = [];
  const flush = () => {
    out.push(...rewriteParagraph(paragraph));
    paragraph = [];
  };
  /** @type {string | null} the fence that closes the open code block */
  let fence = null;
  for (const line of lines) {
    if (fence !== null) {
      out.push(line);
      if (line.trimStart().startsWith(fence)) fence = null;
      continue;
    }
    const opening = FENCE.exec(line);
    if (opening) {
      flush();
      fence = opening[1];
      out.push(line);
    } else if (line.trim() === '' || HEADING.test(line)) {
      flush();
      out.push(line);
    } else {
      paragraph.push(line);
    }
  }
  flush();
  return out.join('\n');
}

/**
 * One paragraph (consecutive non-blank lines): its runs of layout lines rewritten, its other
 * lines unchanged. From a list item on, lines belong to the list and are left as they are;
 * a paragraph that holds a table, a quote or HTML is left as it is.
 *
 * @param {string[]} lines
 * @returns {string[]}
 */
function rewriteParagraph(lines) {
  if (lines.some((line) => OTHER_BLOCK.test(line))) return lines;
  const listStart = lines.findIndex((line) => LIST_ITEM.test(line));
  const own = listStart === -1 ? lines : lines.slice(0, listStart);
  const list = listStart === -1 ? [] : lines.slice(listStart);

  const isLayout = (/** @type {string} */ line) => INDENTED.test(line) || (own.length > 1 && GAP.test(line));
  /** @type {string[]} */
  const out = [];
  for (let i = 0; i < own.length; ) {
    if (!isLayout(own[i])) {
      out.push(own[i]);
      i++;
      continue;
    }
    let end = i;
    while (end < own.length && isLayout(own[end])) end++;
    out.push(...layoutBlock(own.slice(i, end)));
    i = end;
  }
  return [...out, ...list];
}

/**
 * A run of layout lines as Markdown that keeps them: inside a <div> (with blank lines around
 * it, so that the Markdown inside is still read), each line a paragraph of its own, its
 * indentation and gaps made of no-break spaces.
 *
 * @param {string[]} lines
 * @returns {string[]}
 */
function layoutBlock(lines) {
  const kept = lines.flatMap((line) => {
    let text = line.trimEnd().replace(/ {2,}/g, (gap) => NO_BREAK_SPACE.repeat(gap.length));
    // A line that Markdown would read as a list item or a heading keeps its first character.
    text = text.replace(/^([-*+]|#{1,6}|\d{1,9}[.)])(?= |$)/, (marker) => `${marker.slice(0, -1)}\\${marker.slice(-1)}`);
    return [text, ''];
  });
  return ['', `<div class="${LINES_CLASS}">`, '', ...kept, '</div>', ''];
}

/**
 * The plugin's entry point, called by TypeDoc: rewrites each comment's Markdown before TypeDoc
 * parses it (a listener of higher priority than TypeDoc's own), and adds the CSS to every page.
 *
 * @param {import('typedoc').Application} app
 */
export function load(app) {
  app.renderer.on(
    'parseMarkdown',
    (/** @type {import('typedoc').MarkdownEvent} */ event) => {
      event.parsedText = keepFormulaLines(event.parsedText);
    },
    100,
  );
  app.renderer.hooks.on('head.end', () => JSX.createElement('style', null, JSX.createElement(JSX.Raw, { html: LINES_CSS })));
}
