import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { PodFederation } from "./deps.ts";
import { problemFor, sendProblem } from "../http/problem.ts";

const INBOX_ROUTES = ["/users/:identifier/inbox", "/inbox"];
const ACTIVITY_TYPES = /^application\/(activity\+json|ld\+json|json)\s*(;|$)/i;

/**
 * Mounts Fedify inside Fastify. Reads (GET/HEAD) go to Fedify first and fall through to Fastify's own
 * routes when Fedify has no such path or the client did not ask for ActivityPub (so one URL serves AP
 * JSON and HTML). Inbox POSTs get their raw bytes untouched, since re-serialised JSON breaks the Digest.
 */
/** Handles a verified inbox POST itself and returns true, or returns false to leave it to Fedify. */
export type InboxFastPath = (
  request: { method: string; url: string; headers: Record<string, string | string[] | undefined> },
  body: Buffer,
) => Promise<boolean>;

export function mountFederation(app: FastifyInstance, federation: PodFederation, origin: URL, bodyLimit: number, fastPath?: InboxFastPath): void {
  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "GET" && request.method !== "HEAD") return;
    const fallthrough = new Response(null, { status: 404 });
    const response = await federation.fetch(toWebRequest(request, origin), {
      contextData: null,
      onNotFound: () => fallthrough,
      onNotAcceptable: () => fallthrough,
    });
    if (response === fallthrough) return;
    return sendWebResponse(reply, response);
  });

  app.register(async (inbox) => {
    inbox.removeAllContentTypeParsers();
    inbox.addContentTypeParser("*", { parseAs: "buffer", bodyLimit }, (_request, body, done) => done(null, body));
    for (const url of INBOX_ROUTES) {
      inbox.post(url, { schema: { hide: true } }, async (request, reply) => {
        const refuse = (status: number, detail: string, field?: string) => {
          request.log.info({ status, reason: detail }, "inbox delivery refused");
          return sendProblem(reply, problemFor(status, detail, field));
        };
        const contentType = request.headers["content-type"] ?? "";
        if (!ACTIVITY_TYPES.test(contentType)) {
          return refuse(415, "inbox accepts application/activity+json or application/ld+json", "content-type");
        }
        const body = request.body as Buffer;
        try {
          JSON.parse(body.toString("utf8"));
        } catch {
          return refuse(400, "the body is not valid JSON", "body");
        }
        const handled = fastPath
          ? await fastPath(request, body).catch((error: unknown) => {
              request.log.warn({ err: error }, "inbox fast path failed; handing the activity to Fedify");
              return false;
            })
          : false;
        if (handled) return reply.code(202).send();
        const response = await federation.fetch(toWebRequest(request, origin, body), { contextData: null });
        if (response.status >= 400) return refuse(response.status, (await response.text()).trim() || "refused");
        return sendWebResponse(reply, response);
      });
    }
  });
}

function toWebRequest(request: FastifyRequest, origin: URL, body?: Buffer): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return new Request(new URL(request.url, origin), {
    method: request.method,
    headers,
    body: body ? new Uint8Array(body) : undefined,
  });
}

async function sendWebResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  reply.code(response.status);
  response.headers.forEach((value, name) => {
    reply.header(name, value);
  });
  return reply.send(Buffer.from(await response.arrayBuffer()));
}
