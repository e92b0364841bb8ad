import { createRequire } from "node:module";
import type * as CsvStringify from "csv-stringify/sync";

/** Spreadsheets run cells that start with these as formulas: such text cells get a leading apostrophe. */
const FORMULA = /^[=+\-@\t\r]/;

/** A CSV cell a spreadsheet will not run as a formula. */
export const cell = (text: string | null) => (text === null ? "" : FORMULA.test(text) ? `'${text}` : text);

// csv-stringify's modules load with the first CSV written, not at start.
const requireHere = createRequire(import.meta.url);
let stringify: typeof CsvStringify.stringify | undefined;

/** CSV text of the records (csv-stringify's synchronous API). */
export const csvText: typeof CsvStringify.stringify = (...args: Parameters<typeof CsvStringify.stringify>) =>
  (stringify ??= (requireHere("csv-stringify/sync") as typeof CsvStringify).stringify)(...args);
