/** Spreadsheets run cells that start with these as formulas: such text cells get a leading apostrophe. */
const FORMULA = /^[=+\-@\t\r]/;

/** A CSV cell a spreadsheet will not run as a formula. */
export const cell = (text: string | null) => (text === null ? "" : FORMULA.test(text) ? `'${text}` : text);
