// @ts-check
/**
 * A TypeDoc plugin (typedoc.json: "plugin"): each chapter of the API reference lists its
 * members in the order its index.ts exports them.
 *
 * TypeDoc's "source-order" sorts a chapter's members by the path of the file that declares
 * them, so the Modules chapter would open on ELU (lib/modules/activations/elu.ts) rather than
 * on Module and Linear. A chapter's index.ts lists its exports in the order of the course;
 * this plugin puts the members of every chapter (and of its groups: Classes, Interfaces, …)
 * in that order, after TypeDoc has sorted and grouped them. Members inside a class keep
 * TypeDoc's order.
 */
import * as fs from 'node:fs';
import { Converter, ReflectionKind } from 'typedoc';

/**
 * The text of the chapter file, comments removed, or null when TypeDoc does not know the file.
 *
 * @param {import('typedoc').DeclarationReflection} chapter
 * @returns {string | null}
 */
function exportText(chapter) {
  const fileName = chapter.project.getSymbolIdFromReflection(chapter)?.fileName;
  if (fileName === undefined || !fs.existsSync(fileName)) return null;
  return fs
    .readFileSync(fileName, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
}

/**
 * Sorts `reflections` in place by where their names first appear in `text`; names not found
 * go last, in their present order.
 *
 * @param {import('typedoc').Reflection[] | undefined} reflections
 * @param {string} text
 */
function sortByExport(reflections, text) {
  if (reflections === undefined) return;
  const position = (/** @type {import('typedoc').Reflection} */ reflection) => {
    const escaped = reflection.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const found = new RegExp(`\\b${escaped}\\b`).exec(text);
    return found === null ? Infinity : found.index;
  };
  const positions = new Map(reflections.map((reflection) => [reflection, position(reflection)]));
  reflections.sort((a, b) => (positions.get(a) ?? Infinity) - (positions.get(b) ?? Infinity));
}

/**
 * The plugin's entry point, called by TypeDoc: re-sorts the chapters' members once TypeDoc has
 * sorted and grouped them (its grouping runs at priority -100 of the same event).
 *
 * @param {import('typedoc').Application} app
 */
export function load(app) {
  app.converter.on(
    Converter.EVENT_RESOLVE_END,
    (context) => {
      for (const chapter of context.project.getReflectionsByKind(ReflectionKind.Module)) {
        if (!chapter.isDeclaration()) continue;
        const text = exportText(chapter);
        if (text === null) continue;
        sortByExport(chapter.children, text);
        sortByExport(chapter.childrenIncludingDocuments, text);
        for (const group of chapter.groups ?? []) {
          sortByExport(group.children, text);
          for (const category of group.categories ?? []) sortByExport(category.children, text);
        }
        for (const category of chapter.categories ?? []) sortByExport(category.children, text);
      }
    },
    -200,
  );
}
