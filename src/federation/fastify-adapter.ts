import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { PodFederation } from "./deps.ts";
import { problemFor, sendProblem } from "../http/problem.ts";
import { prebuiltDocuments } from "./prebuilt-documents.ts";

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

export function mountFederation(
  app: FastifyInstance,
  federation: PodFederation,
  origin: URL,
  bodyLimit: number,
  handle: string,
  fastPath?: InboxFastPath,
): void {
  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "GET" && request.method !== "HEAD") return;
    const fallthrough = new Response(null, { status: 404 });
    const fedifyAnswer = async (req: FastifyRequest) => {
      const response = await federation.fetch(toWebRequest(req, origin), {
        contextData: null,
        onNotFound: () => fallthrough,
        onNotAcceptable: () => fallthrough,
      });
      return response === fallthrough ? null : response;
    };
    if (await prebuiltDocuments(federation).answer(request, reply, fedifyAnswer)) return reply;
    const response = await fedifyAnswer(request);
    if (response === null) return;
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
        // Neighbor pods' offers and needs: verified and handled by the fast path, which checks all that
        // is checked below too and never refuses; whatever it does not take goes on to Fedify's path.
        const identifier = (request.params as { identifier?: string }).identifier;
        if (fastPath && (identifier === undefined || identifier === handle)) {
          // A failure after the fast path verified the activity is a 5xx (the sender retries); it is not
          // handed to Fedify's path, which would handle it a second time.
          if (await fastPath(request, body)) return reply.code(202).send();
        }
        let activity: unknown;
        try {
          activity = JSON.parse(body.toString("utf8"));
        } catch {
          return refuse(400, "the body is not valid JSON", "body");
        }
        // Fedify accepts a key whose own document names the actor as owner, wherever that document lives;
        // a key on another origin than the actor could be anyone's. Such requests are refused here.
        // A signed delivery names the host it was meant for; one meant for another server is a replay.
        if (keyIdOf(request.headers) && request.headers.host !== origin.host) {
          return refuse(401, "the request was signed for another host", "host");
        }
        if (!keyOnActorsOrigin(request.headers, activity)) {
          return refuse(401, "the signing key does not belong to the activity's actor (different origin)", "signature");
        }
        // An activity's id lives on its actor's origin; one that claims another server's id could pre-empt
        // the real activity (both paths skip an id already taken).
        if (!idOnActorsOrigin(activity)) {
          return refuse(400, "the activity's id is not on its actor's origin", "body.id");
        }
        const response = await federation.fetch(toWebRequest(request, origin, body), { contextData: null });
        if (response.status >= 400) return refuse(response.status, (await response.text()).trim() || "refused");
        return sendWebResponse(reply, response);
      });
    }
  });
}

/** The keyId of a draft-cavage `Signature` or an RFC 9421 `Signature-Input` header, if any. */
function keyIdOf(headers: FastifyRequest["headers"]): string | undefined {
  const value = [headers.signature, headers["signature-input"]].flat().filter(Boolean).join(",");
  return /keyid="([^"]+)"/i.exec(value)?.[1];
}

/** True unless the request names a signing key on another origin than the activity's actor. */
function keyOnActorsOrigin(headers: FastifyRequest["headers"], activity: unknown): boolean {
  const keyId = keyIdOf(headers);
  const actor = activity && typeof activity === "object" ? (activity as { actor?: unknown }).actor : undefined;
  const actorIri = typeof actor === "string" ? actor : actor && typeof actor === "object" ? (actor as { id?: unknown }).id : undefined;
  if (!keyId || typeof actorIri !== "string") return true; // unsigned or actor-less: Fedify refuses those itself
  return URL.canParse(keyId) && URL.canParse(actorIri) && new URL(keyId).origin === new URL(actorIri).origin;
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

function idOnActorsOrigin(activity: unknown): boolean {
  if (!activity || typeof activity !== "object") return true;
  const { id, actor } = activity as { id?: unknown; actor?: unknown };
  const actorIri = typeof actor === "string" ? actor : typeof actor === "object" && actor !== null ? (actor as { id?: unknown }).id : undefined;
  if (typeof id !== "string" || typeof actorIri !== "string") return true;
  return URL.parse(id)?.origin === URL.parse(actorIri)?.origin;
}
