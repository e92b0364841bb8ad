import type { FastifyInstance } from "fastify";
import type { Config } from "../config/schema.ts";
import { MEDIA_FILE, mediaTypeOf, readImage } from "./images.ts";

/**
 * The pod's uploaded pictures at /media/{kind}-{hash}.{ext}. The name changes with the content, so they are
 * cached for a year; the type comes from the checked extension and browsers are told not to guess another.
 */
export async function mediaRoutes(app: FastifyInstance, { config }: { config: Config }) {
  app.get<{ Params: { file: string } }>("/media/:file", { schema: { hide: true } }, async (request, reply) => {
    const { file } = request.params;
    const bytes = MEDIA_FILE.test(file) ? readImage(config.dataDir, file) : null;
    if (!bytes) return reply.callNotFound();
    return reply
      .type(mediaTypeOf(file))
      .header("cache-control", "public, max-age=31536000, immutable")
      .header("x-content-type-options", "nosniff")
      .header("content-security-policy", "default-src 'none'; sandbox")
      .send(bytes);
  });
}
