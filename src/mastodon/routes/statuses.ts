import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PodDeps } from "../../federation/deps.ts";
import type { Status } from "../../social/activitypub.ts";
import type { SocialService } from "../../social/service.ts";
import { MAX_CHARACTERS } from "../entities/instance.ts";
import { MastodonError, recordNotFound } from "../errors.ts";
import type { Presenter } from "../present.ts";
import { readsAsPod } from "../auth.ts";

const idParams = z.object({ id: z.string().max(40) });

const newStatus = z
  .object({
    status: z.string().max(MAX_CHARACTERS).optional(),
    in_reply_to_id: z.string().max(40).nullish(),
    visibility: z.enum(["public", "unlisted", "private", "direct"]).nullish(),
    spoiler_text: z.string().max(1000).nullish(),
    sensitive: z.union([z.boolean(), z.stringbool()]).nullish(),
    language: z
      .string()
      .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/)
      .nullish(),
    media_ids: z.array(z.string()).max(4).nullish(),
    poll: z.unknown().optional(),
    scheduled_at: z.string().nullish(),
  })
  .loose();

/** Statuses: read one and its thread, write one (published as a Note from the pod), delete one. */
export const statusRoutes: FastifyPluginAsyncZod<{ deps: PodDeps; social: SocialService; present: Presenter }> = async (
  app,
  { social, present },
) => {
  const { statusById } = social.queries;

  /** A post the caller may see: public and unlisted to anyone; the pod's token sees every post the pod holds. */
  async function visible(id: string, isPod: boolean): Promise<Status> {
    const row = await statusById(id);
    const hidden = row?.hiddenAt != null || row?.visibility === "private" || row?.visibility === "direct";
    if (!row || (!isPod && hidden)) throw recordNotFound();
    return row;
  }

  app.get("/api/v1/statuses/:id", { schema: { params: idParams } }, async (request) => {
    const isPod = readsAsPod(request);
    return present.status(await visible(request.params.id, isPod));
  });

  app.get("/api/v1/statuses/:id/context", { schema: { params: idParams } }, async (request) => {
    const isPod = readsAsPod(request);
    const { ancestors, descendants } = await social.timelines.context(await visible(request.params.id, isPod));
    const shown = (rows: Status[]) =>
      rows.filter((row) => isPod || row.visibility === "public" || row.visibility === "unlisted");
    return {
      ancestors: await present.statuses(shown(ancestors), isPod),
      descendants: await present.statuses(shown(descendants), isPod),
    };
  });

  app.post(
    "/api/v1/statuses",
    { config: { scope: "write:statuses", user: true }, schema: { body: newStatus } },
    async (request) => {
      const body = request.body;
      if (body.media_ids?.length)
        throw new MastodonError(422, "Validation failed: media_ids: this pod does not take media attachments");
      if (body.poll !== undefined && body.poll !== null)
        throw new MastodonError(422, "Validation failed: poll: this pod does not take polls");
      if (body.scheduled_at)
        throw new MastodonError(422, "Validation failed: scheduled_at: this pod does not schedule posts");
      const text = body.status?.trim() ?? "";
      if (!text) throw new MastodonError(422, "Validation failed: status: Text can't be blank");
      const inReplyTo = body.in_reply_to_id ? await statusById(body.in_reply_to_id) : undefined;
      if (body.in_reply_to_id && !inReplyTo) throw recordNotFound();
      const status = await social.posting.create({
        text,
        visibility: body.visibility ?? "public",
        inReplyTo,
        spoilerText: body.spoiler_text ?? undefined,
        sensitive: body.sensitive === true,
        language: body.language ?? undefined,
      });
      return present.status(status);
    },
  );

  app.delete(
    "/api/v1/statuses/:id",
    { config: { scope: "write:statuses", user: true }, schema: { params: idParams } },
    async (request) => {
      const row = await statusById(request.params.id);
      if (!row) throw recordNotFound();
      const entity = await present.status(row);
      await social.posting.delete(row);
      return entity;
    },
  );
};
