import { z } from "zod";
import type { assemblies, assemblyContributions, assemblyParticipants } from "./schema.ts";

export type Assembly = typeof assemblies.$inferSelect;
export type Participant = typeof assemblyParticipants.$inferSelect;
export type ContributionRow = typeof assemblyContributions.$inferSelect;
export type ContributionKind = ContributionRow["kind"];

/** A contribution as it goes on the wire (its own pod's view, before the convener announces it). */
export interface Contribution {
  iri: string;
  eventIri: string;
  authorIri: string;
  kind: ContributionKind;
  contentHtml: string;
  inReplyTo: string | null;
  publishedAt: string;
}

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((value) => /^https?:\/\//i.test(value), "must be an http(s) URL");

/** What a coordinator gives to convene an assembly. startTime is the wall time in the pod's zone. */
export const conveneSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    startTime: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/),
    endTime: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/)
      .optional(),
    placeName: z.string().trim().max(300).default(""),
    onlineUrl: httpUrl.optional(),
    invited: z.array(z.string().url()).min(1).max(100),
    agenda: z.string().max(20_000).default(""),
    visibility: z.enum(["participants", "public"]).default("participants"),
  })
  .refine((input) => input.placeName !== "" || input.onlineUrl, {
    message: "give a place or an online link",
    path: ["placeName"],
  });
export type ConveneInput = z.infer<typeof conveneSchema>;

export const contributeSchema = z.object({
  kind: z.enum(["report", "crisis", "proposal", "reply"]),
  text: z.string().trim().min(1).max(10_000),
  inReplyTo: z.string().url().optional(),
});
export type ContributeInput = z.infer<typeof contributeSchema>;

export const answerSchema = z.object({ answer: z.enum(["accepted", "tentative", "rejected", "left"]) });
