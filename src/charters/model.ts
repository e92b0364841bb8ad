import { z } from "zod";
import type { GuideLink } from "../publishing/guides.ts";
import { CATEGORY_SLUG } from "../categories/taxonomy.ts";
import { languageTag } from "../offers/model.ts";

const key = z.string().regex(CATEGORY_SLUG, "lowercase letters, digits and dashes, at most 40");
const text = (max: number) => z.string().trim().max(max);

export const charterServiceSchema = z
  .object({
    /** Stable across revisions: the service's id is /charter/services/{key}. */
    key,
    name: text(200).min(1, "must not be empty"),
    description: text(2000).default(""),
    category: z.string().min(1).max(40),
    /** When it runs, in words: "Saturdays 10:00–12:00". */
    schedule: text(200).default(""),
    area: text(120).min(1, "must not be empty"),
    languages: z.array(languageTag).min(1).max(10).default(["en"]),
    status: z.enum(["active", "paused"]).default("active"),
  })
  .strict();

export const plannedServiceSchema = z
  .object({
    key,
    name: text(200).min(1, "must not be empty"),
    description: text(2000).default(""),
    category: z.string().min(1).max(40),
    /** A quarter ("2027-Q1") or a date ("2027-03-01"). */
    target: z.string().regex(/^\d{4}-(Q[1-4]|\d{2}-\d{2})$/, "a quarter such as 2027-Q1 or a date such as 2027-03-01"),
    needs: z
      .object({
        people: z.number().int().min(0).max(10_000).default(0),
        skills: z.array(text(80).min(1)).max(20).default([]),
        materials: z.array(text(80).min(1)).max(20).default([]),
      })
      .strict()
      .default({ people: 0, skills: [], materials: [] }),
  })
  .strict();

const uniqueKeys = (items: { key: string }[]) => new Set(items.map((i) => i.key)).size === items.length;

export const charterInputSchema = z
  .object({
    changeNote: text(500).min(1, "must say what changed"),
    services: z.array(charterServiceSchema).max(50).refine(uniqueKeys, "each service needs its own key"),
    planned: z
      .array(plannedServiceSchema)
      .max(20)
      .refine(uniqueKeys, "each planned service needs its own key")
      .default([]),
  })
  .strict()
  .refine((c) => !c.services.some((s) => c.planned.some((p) => p.key === s.key)), {
    message: "a key cannot be both provided and planned",
    path: ["planned"],
  });

export type CharterInput = z.infer<typeof charterInputSchema>;
export type CharterService = z.infer<typeof charterServiceSchema>;
export type PlannedService = z.infer<typeof plannedServiceSchema>;

/** A role the pod rotates, as the charter may name it publicly: its name and how often, never its holders. */
export interface RotatedRole {
  name: string;
  period: "weekly" | "monthly";
}

export interface Charter {
  number: number;
  changeNote: string;
  services: CharterService[];
  planned: PlannedService[];
  publishedAt: string;
  reviewedAt: string;
  /** A month after the last review: the charter is meant to be reviewed monthly. */
  reviewDue: string;
  firstPublishedAt: string;
  /** The guides that go with each service, by service key (the memory room keeps the links). */
  guides?: Record<string, GuideLink[]>;
}
