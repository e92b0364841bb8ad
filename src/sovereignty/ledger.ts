import { parseCsv } from "./csv.ts";
import { type EntryInput, type EntryProblem, parseMilli } from "./model.ts";
import { isDay } from "./months.ts";

export type { MetricTypeInput, MonthTotal } from "./store-ledger.ts";
const NOTE_MAX = 500;
/** The most rows one CSV import takes (a month of a busy pod's entries, several times over). */
export const CSV_MAX_ROWS = 2000;
export const CSV_COLUMNS = ["metric", "date", "quantity", "hours", "service", "note"] as const;

/** Raw values of an entry (as a form, a CSV row or an API body gives them), checked; problems name the column. */
export function readEntry(
  raw: Partial<Record<(typeof CSV_COLUMNS)[number], string>>,
  known: { metrics: ReadonlySet<string>; services: ReadonlySet<string> },
): { input?: EntryInput; problems: EntryProblem[] } {
  const problems: EntryProblem[] = [];
  const metric = (raw.metric ?? "").trim();
  const date = (raw.date ?? "").trim();
  const service = (raw.service ?? "").trim();
  const note = (raw.note ?? "").trim();
  if (!known.metrics.has(metric)) problems.push({ column: "metric", message: `unknown metric type "${metric}"` });
  if (!isDay(date)) problems.push({ column: "date", message: `"${date}" is not a date such as 2026-10-31` });
  const quantityMilli = parseMilli(raw.quantity ?? "");
  if (quantityMilli === null)
    problems.push({ column: "quantity", message: `"${raw.quantity ?? ""}" is not a number (at most 3 decimals)` });
  const hours = (raw.hours ?? "").trim();
  const effortMilli = hours ? parseMilli(hours) : null;
  if (hours && effortMilli === null) problems.push({ column: "hours", message: `"${hours}" is not a number of hours` });
  if (service && !known.services.has(service))
    problems.push({ column: "service", message: `no charter service with key "${service}"` });
  if (note.length > NOTE_MAX) problems.push({ column: "note", message: `longer than ${NOTE_MAX} characters` });
  if (problems.length > 0) return { problems };
  return {
    input: { metric, date, quantityMilli: quantityMilli!, effortMilli, service: service || null, note },
    problems,
  };
}

/** CSV text to entries: every row checked; any problem and none are taken (the problems name row and column). */
export function readCsv(
  text: string,
  known: { metrics: ReadonlySet<string>; services: ReadonlySet<string> },
): { inputs: EntryInput[]; problems: EntryProblem[] } {
  const rows = parseCsv(text);
  if (!rows)
    return { inputs: [], problems: [{ column: "csv", code: "unclosed", message: "a quoted value is not closed" }] };
  if (rows.length === 0) return { inputs: [], problems: [{ column: "csv", code: "empty", message: "no rows" }] };
  const header = rows[0]!.map((name) => name.trim().toLowerCase());
  const problems: EntryProblem[] = [];
  for (const required of ["metric", "date", "quantity"])
    if (!header.includes(required))
      problems.push({ row: 1, column: required, code: "missingColumn", message: "missing column" });
  for (const name of header)
    if (!(CSV_COLUMNS as readonly string[]).includes(name))
      problems.push({
        row: 1,
        column: name,
        code: "unknownColumn",
        params: { known: CSV_COLUMNS.join(", ") },
        message: `unknown column (known: ${CSV_COLUMNS.join(", ")})`,
      });
  if (rows.length - 1 > CSV_MAX_ROWS)
    problems.push({
      column: "csv",
      code: "tooManyRows",
      params: { max: CSV_MAX_ROWS },
      message: `more than ${CSV_MAX_ROWS} rows; split the file`,
    });
  if (problems.length > 0) return { inputs: [], problems };
  const inputs: EntryInput[] = [];
  rows.slice(1).forEach((values, i) => {
    const row = i + 2;
    if (values.length !== header.length) {
      problems.push({
        row,
        column: "csv",
        code: "valueCount",
        params: { values: values.length, columns: header.length },
        message: `${values.length} values for ${header.length} columns`,
      });
      return;
    }
    const raw = Object.fromEntries(header.map((name, k) => [name, values[k]!]));
    const read = readEntry(raw, known);
    problems.push(...read.problems.map((p) => ({ ...p, row })));
    if (read.input) inputs.push(read.input);
  });
  return problems.length > 0 ? { inputs: [], problems } : { inputs, problems };
}
