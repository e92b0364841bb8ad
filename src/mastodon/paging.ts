import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Page } from "../social/timelines.ts";

const id = z
  .string()
  .regex(/^\d{1,20}$/)
  .optional();

/** Mastodon's paging parameters; `limit` is clamped to 1..max like Mastodon does, never refused. */
export const pageQuery = (defaultLimit = 20, maxLimit = 40) =>
  z.object({
    max_id: id,
    since_id: id,
    min_id: id,
    limit: z.coerce
      .number()
      .int()
      .optional()
      .transform((n) => Math.min(Math.max(n ?? defaultLimit, 1), maxLimit)),
  });

export const toPage = (query: { max_id?: string; since_id?: string; min_id?: string; limit: number }): Page => ({
  maxId: query.max_id,
  sinceId: query.since_id,
  minId: query.min_id,
  limit: query.limit,
});

/** The Link header apps follow: `next` pages older items, `prev` newer ones. */
export function setLinkHeader(request: FastifyRequest, reply: FastifyReply, base: URL, items: { id: string }[]): void {
  if (items.length === 0) return;
  const link = (params: Record<string, string>) => {
    const url = new URL(request.url, base);
    for (const key of ["max_id", "since_id", "min_id"]) url.searchParams.delete(key);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.href;
  };
  reply.header(
    "link",
    `<${link({ max_id: items.at(-1)!.id })}>; rel="next", <${link({ min_id: items[0]!.id })}>; rel="prev"`,
  );
}
