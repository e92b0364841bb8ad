import type { Institution } from "./taxonomy.ts";

export interface MetricType {
  slug: string;
  iri: string;
  labels: { en: string; es: string };
  unit: string;
  category: string;
  replaces: Institution | string;
  shared: boolean;
  /** Hours of life liberated per unit, in thousandths: the pod's, or the default. */
  weightMilli: number;
  defaultWeightMilli: number;
  /** Why this weight (the pod's words when it changed it; empty for a default, explained in the docs). */
  weightReason: string;
}

/** What a ledger entry says, however it came (the app, CSV, the admin API). */
export interface EntryInput {
  metric: string;
  date: string;
  quantityMilli: number;
  effortMilli: number | null;
  service: string | null;
  note: string;
}

export interface Entry extends EntryInput {
  id: string;
  source: "app" | "csv" | "api";
  enteredBy: string;
  supersedes: string | null;
  createdAt: string;
}

/** A problem with one value: where it is (row and column for CSV) and what is wrong. */
export interface EntryProblem {
  row?: number;
  column: string;
  /** In English, for the API and logs; the web app shows the member's language (code or column). */
  message: string;
  /** A problem of the file, not of a field's value: its message key and values (sov.csv.<code>). */
  code?: CsvProblemCode;
  params?: Record<string, string | number>;
}

export type CsvProblemCode =
  | "unclosed"
  | "empty"
  | "missingColumn"
  | "unknownColumn"
  | "tooManyRows"
  | "valueCount"
  | "tooLong";

/** "12.5" → 12500; null when it is not a non-negative number with at most 3 decimals. */
export function parseMilli(value: string): number | null {
  const trimmed = value.trim().replace(",", ".");
  if (!/^\d{1,9}(\.\d{1,3})?$/.test(trimmed)) return null;
  return Math.round(Number(trimmed) * 1000);
}

export const formatMilli = (milli: number) => String(Math.round(milli) / 1000);
