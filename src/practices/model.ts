import { z } from "zod";
import { languageTag } from "../offers/model.ts";
import { PRACTICE_STATUSES, type practices } from "./schema.ts";

export const TAG_PATTERN = /^[\p{L}\p{N}_]{1,40}$/u;

const tagSchema = z.string().regex(TAG_PATTERN, "must be 1-40 letters, digits or underscores, without the #");

/** Fields of a practice as the operator writes them. No defaults here: PATCH must not reset fields. */
const practiceFields = {
  title: z.string().trim().min(1, "must not be empty").max(200),
  summary: z.string().trim().min(1, "must not be empty").max(500),
  /** Markdown. Not trimmed: leading indentation is meaningful in Markdown. */
  body: z.string().max(20000),
  tags: z.array(tagSchema).max(10, "must be at most 10 tags"),
  problem: z.string().trim().max(2000),
  outcomes: z.string().trim().max(2000),
  language: languageTag,
  adaptedFrom: z
    .url({ protocol: /^https?$/, error: "must be the http(s) URL of another pod's practice" })
    .max(2048)
    .nullable(),
};

export const practiceInputSchema = z
  .object({
    title: practiceFields.title,
    summary: practiceFields.summary,
    body: practiceFields.body.optional(),
    tags: practiceFields.tags.optional(),
    problem: practiceFields.problem.optional(),
    outcomes: practiceFields.outcomes.optional(),
    language: practiceFields.language.optional(),
    adaptedFrom: practiceFields.adaptedFrom.optional(),
  })
  .strict();

/** Every field optional, none defaulted; `adaptedFrom: null` clears the link. */
export const practicePatchSchema = z.object(practiceFields).partial().strict();

export const practiceListQuery = z.object({
  status: z.enum(PRACTICE_STATUSES).optional(),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type PracticeInput = z.infer<typeof practiceInputSchema>;
export type PracticePatch = z.infer<typeof practicePatchSchema>;
export type PracticeListQuery = z.infer<typeof practiceListQuery>;

export type Practice = typeof practices.$inferSelect;
export type PracticeStatus = Practice["status"];
