import type { FastifyReply, FastifyRequest } from "fastify";
import type { Db } from "../db/client.ts";
import { problemFor, sendProblem } from "../http/problem.ts";
import { isValidOperatorToken } from "./service.ts";

/** A preHandler that admits only requests carrying a valid operator token as a Bearer credential. */
export function requireOperator(db: Db) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
    if (!match || !isValidOperatorToken(db, match[1]!)) {
      reply.header("www-authenticate", 'Bearer realm="pod-admin"');
      return sendProblem(reply, problemFor(401, "an operator token is required (Authorization: Bearer <token>)", "authorization"));
    }
  };
}
