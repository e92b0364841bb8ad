import type { Context } from "@fedify/fedify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PodDeps } from "../federation/deps.ts";
import { notFound } from "../http/problem.ts";
import { sendNegotiated } from "../publishing/negotiate.ts";
import { publicContext, renderPublic } from "../web/layout.ts";
import { html } from "../webapp/html.ts";
import { statusToNote } from "./activitypub.ts";
import { roomsOf } from "../db/room-db.ts";
import { socialStore } from "./store.ts";

/**
 * Notes written in an app, at their ids: ActivityPub JSON or a page. Followers-only and direct notes are not served.
 */
export const publicNoteRoutes: FastifyPluginAsyncZod<{ deps: PodDeps; contextFor: () => Context<null> }> = async (
  app,
  { deps, contextFor },
) => {
  const { config } = deps;
  const store = socialStore(roomsOf(deps));
  app.get(
    "/notes/:id",
    { schema: { params: z.object({ id: z.string().regex(/^\d{1,20}$/) }), hide: true } },
    async (request, reply) => {
      const status = await store.statusByIri(new URL(`/notes/${request.params.id}`, config.url).href);
      if (!status || status.visibility === "private" || status.visibility === "direct")
        throw notFound(`no note ${request.params.id}`);
      const mentioned = (await Promise.all((JSON.parse(status.mentions) as string[]).map(store.accountByIri)))
        .filter((account) => account !== undefined)
        .map((account) => ({ iri: new URL(account.iri), acct: `${account.username}@${account.host}` }));
      const note = statusToNote(contextFor(), config, status, mentioned);
      return sendNegotiated(request, reply, note, () => {
        const ctx = publicContext(request, reply, config);
        return renderPublic(ctx, reply, {
          title: ctx.t("site.note.title"),
          body: html`<p class="meta">${ctx.time(status.publishedAt)}</p>
            <article lang=${status.language ?? undefined} dangerouslySetInnerHTML=${{ __html: status.content }}></article>`,
        });
      });
    },
  );
};
