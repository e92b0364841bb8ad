import { z } from "zod";
import type { Config } from "../config/schema.ts";
import type { RoomDb } from "../db/room-db.ts";
import { followsOf } from "../follows/room.ts";
import { htmlToText } from "../web/sanitize.ts";
import type { ContributionRow } from "./model.ts";
import type { RatificationRow } from "./store-outcomes.ts";

export const proposeSchema = z.object({
  title: z.string().trim().min(1).max(200),
  text: z.string().trim().min(1).max(10_000),
});
export type ProposeInput = z.infer<typeof proposeSchema>;

export const ratifySchema = z.object({
  proposal: z.string().url(),
  answer: z.enum(["adopted", "declined"]),
  reason: z.string().trim().max(500).default(""),
  group: z.string().trim().max(200).default(""),
});
export type RatifyInput = z.infer<typeof ratifySchema>;

/**
 * A proposal travels as a contribution Note (kind #proposal) whose first paragraph is its title: readable as is
 * on any server, with no `name` (which some servers drop or show as a title only).
 */
export const proposalText = (input: ProposeInput) => `${input.title.replace(/\s*\n\s*/g, " ")}\n\n${input.text}`;

export function proposalTitle(contentHtml: string): string {
  const first = /<p>([\s\S]*?)<\/p>/i.exec(contentHtml)?.[1] ?? contentHtml;
  return htmlToText(first).slice(0, 200) || "—";
}

/** The proposal's text without its title paragraph. */
export const proposalBody = (contentHtml: string) => contentHtml.replace(/^\s*<p>[\s\S]*?<\/p>/i, "");

export type { RatificationRow };

export interface ProposalView {
  row: ContributionRow;
  title: string;
  bodyHtml: string;
  /** Each pod that may ratify, with its answer (pending when it has not answered). */
  answers: { actorIri: string; answer: "adopted" | "declined" | "pending"; decisionId: string | null }[];
}

/**
 * The proposals in an assembly's record (in the record's order), each with every ratifier's answer as this copy
 * knows it from the assembly's ratifications.
 */
export function proposalsOf(
  proposals: ContributionRow[],
  ratifications: RatificationRow[],
  ratifiers: string[],
): ProposalView[] {
  return proposals.map((row) => {
    const mine = ratifications.filter((r) => r.proposalIri === row.iri);
    const pods = [...new Set([...ratifiers, ...mine.map((r) => r.actorIri)])];
    return {
      row,
      title: proposalTitle(row.contentHtml),
      bodyHtml: proposalBody(row.contentHtml),
      answers: pods.map((actorIri) => {
        const found = mine.find((r) => r.actorIri === actorIri);
        return { actorIri, answer: found?.answer ?? "pending", decisionId: found?.decisionId ?? null };
      }),
    };
  });
}

/** How pages and minutes name a pod: its handle (this pod's own, or one it knows), else its host. */
export function podName(
  rooms: RoomDb,
  iri: string,
  self?: { iri: string; config: Pick<Config, "handle" | "url"> },
): string {
  if (self && iri === self.iri) return `@${self.config.handle}@${self.config.url.host}`;
  // Read synchronously inside page and Note builders: the follows copy in memory.
  const follows = followsOf({ rooms });
  const known = follows.getFollowing(iri) ?? follows.getFollower(iri);
  return known?.handle ?? URL.parse(iri)?.host ?? iri;
}
