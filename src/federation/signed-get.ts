import { getKeyOwner, verifyRequestDetailed, type Context } from "@fedify/fedify";
import type { FastifyRequest } from "fastify";
import { toWebRequest } from "./fastify-adapter.ts";
import { readSignatureHeader } from "./signature-header.ts";

/**
 * The actor that signed a GET (an authorized fetch), or null: unsigned, a repeated or unknown signature
 * parameter, a signature that does not verify, or a key its claimed owner does not list. Objects only some
 * servers may read (an assembly's contributions) are served to the actor this names, never to an unsigned request.
 */
export async function signedRequester(
  request: FastifyRequest,
  ctx: Context<null>,
  origin: URL,
): Promise<string | null> {
  const webRequest = toWebRequest(request, origin);
  // The inbox's strict reading first: a repeated parameter is refused, not left to one parser's choice.
  try {
    if (readSignatureHeader(webRequest.headers) === null) return null;
  } catch {
    return null;
  }
  const loaders = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
  const result = await verifyRequestDetailed(webRequest, loaders).catch(() => null);
  if (!result?.verified) return null;
  const owner = await getKeyOwner(result.key, loaders).catch(() => null);
  const ownerIri = owner?.id;
  if (!ownerIri || ownerIri.origin !== result.key.id?.origin) return null;
  return ownerIri.href;
}
