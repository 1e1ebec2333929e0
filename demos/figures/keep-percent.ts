/**
 * Captions are wrapped at ordinary spaces (`wrapWords` in ./svg.ts), which can leave a `%` alone
 * at the start of a line ("final test error 0.55" / "%"). `keepPercentWithNumber` replaces each
 * space before a `%` with a no-break space (U+00A0): the wrapping sees `0.55 %` as one word, and
 * the SVG renderer draws U+00A0 as an ordinary space.
 */

/** `text` with a no-break space (U+00A0) instead of every space that precedes a `%`. */
export function keepPercentWithNumber(text: string): string {
  return text.replace(/ %/g, '\u00a0%');
}
