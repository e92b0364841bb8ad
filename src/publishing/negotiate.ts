import type { FastifyReply, FastifyRequest } from "fastify";
import type { Object as APObject } from "@fedify/vocab";

const ACTIVITYPUB = /application\/(activity\+json|ld\+json)/i;

/** True when the client asked for ActivityPub JSON rather than a page. */
export function wantsActivityPub(request: FastifyRequest): boolean {
  return ACTIVITYPUB.test(request.headers.accept ?? "");
}

/** Answers with the object's ActivityPub JSON or with the HTML page, from one URL. */
export async function sendNegotiated(
  request: FastifyRequest,
  reply: FastifyReply,
  object: APObject,
  renderPage: () => string | Promise<string>,
  status = 200,
): Promise<FastifyReply> {
  reply.header("vary", "Accept").code(status);
  if (wantsActivityPub(request)) {
    return reply.type("application/activity+json").send(JSON.stringify(await object.toJsonLd()));
  }
  return reply.type("text/html; charset=utf-8").send(await renderPage());
}
