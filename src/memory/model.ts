import { z } from "zod";
import { languageTag } from "../offers/model.ts";
import { ENTRY_KINDS, VISIBILITIES, type memoryEntries, type memoryRevisions } from "./schema.ts";

const plain = (max: number) => z.string().trim().max(max);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date such as 2027-03-01");

/** An entry as members write it. Fields that do not belong to its kind are kept empty. */
export const entryInputSchema = z
  .object({
    kind: z.enum(ENTRY_KINDS),
    title: plain(200).min(1, "must not be empty"),
    summary: plain(500).min(1, "must not be empty"),
    /** Markdown, not trimmed: leading indentation is meaningful. */
    body: z.string().max(20000).default(""),
    decidedBy: plain(200).default(""),
    alternatives: plain(4000).default(""),
    reviewOn: day.nullable().default(null),
    learned: plain(4000).default(""),
    changed: plain(4000).default(""),
    visibility: z.enum(VISIBILITIES).default("internal"),
    language: languageTag.default("en"),
    adaptedFrom: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .nullable()
      .default(null),
  })
  .strict();

/** A change: the same fields, the kind fixed; a workflow's change note says what its new revision changed. */
export const entryPatchSchema = entryInputSchema
  .omit({ kind: true, visibility: true, adaptedFrom: true })
  .extend({ changeNote: plain(500).default("") })
  .strict();

export type EntryInput = z.input<typeof entryInputSchema>;
export type EntryPatch = z.input<typeof entryPatchSchema>;
export type Entry = typeof memoryEntries.$inferSelect;
export type EntryKind = Entry["kind"];
export type Visibility = Entry["visibility"];
export type Revision = typeof memoryRevisions.$inferSelect;
