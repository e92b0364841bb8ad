import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RoomDb } from "../db/room-db.ts";
import { problemFor, sendProblem } from "../http/problem.ts";
import { isValidOperatorToken, type IsCoordinator } from "./service.ts";

/** Wrong operator tokens allowed per client address and window; then every admin request from it is 429. */
export const ADMIN_WRONG_TOKEN_LIMIT = { max: 20, timeWindow: 60_000 };

/**
 * An onRequest hook that admits only requests carrying a valid operator token as a Bearer credential.
 * Only wrong tokens count against the limit (scripts using the right one are never slowed), and once an
 * address is over it even a right token is refused: a 429 must not tell a guess that happens to be right.
 * Needs @fastify/rate-limit registered on `scope` (its store and the client address, request.ip).
 */
export function requireOperator(scope: FastifyInstance, rooms: RoomDb, isCoordinator: IsCoordinator) {
  const limiter = scope.createRateLimit(ADMIN_WRONG_TOKEN_LIMIT);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const seen = await limiter(request, { increment: false });
    if (!seen.isAllowed && seen.remaining === 0) {
      reply.header("retry-after", String(seen.ttlInSeconds));
      const detail = `too many wrong operator tokens from this address; try again in ${seen.ttlInSeconds} s`;
      return sendProblem(reply, problemFor(429, detail, "authorization"));
    }
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
    if (!match || !(await isValidOperatorToken(rooms, match[1]!, isCoordinator))) {
      const counted = await limiter(request);
      if (!counted.isAllowed && counted.remaining === 0) {
        request.log.warn({ client: counted.key }, "admin API: too many wrong operator tokens; refusing this address");
      }
      reply.header("www-authenticate", 'Bearer realm="pod-admin"');
      return sendProblem(
        reply,
        problemFor(401, "an operator token is required (Authorization: Bearer <token>)", "authorization"),
      );
    }
  };
}
