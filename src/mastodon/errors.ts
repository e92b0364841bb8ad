import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { ProblemError } from "../http/problem.ts";
import { PostingError } from "../social/posting.ts";
import { OAuthError } from "./oauth.ts";

/** An error the Mastodon API answers as `{"error": "..."}` with its status. */
export class MastodonError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export const recordNotFound = () => new MastodonError(404, "Record not found");

export function sendError(
  reply: FastifyReply,
  status: number,
  error: string,
  extra: Record<string, string> = {},
): FastifyReply {
  return reply
    .code(status)
    .type("application/json; charset=utf-8")
    .send({ error, ...extra });
}

/**
 * Errors inside the Mastodon API and OAuth endpoints leave in Mastodon's (and RFC 6749's) shape, never as a stack
 * trace.
 */
export function installMastodonErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof MastodonError || error instanceof PostingError)
      return sendError(reply, error.status, error.message);
    if (error instanceof OAuthError) {
      if (error.status === 401) reply.header("www-authenticate", 'Basic realm="pods"');
      return sendError(reply, error.status, error.code, { error_description: error.message });
    }
    if (error instanceof ProblemError)
      return sendError(reply, error.problem.status, error.problem.detail ?? error.problem.title);
    if (hasZodFastifySchemaValidationErrors(error)) {
      const first = error.validation[0]!;
      const field =
        [first.instancePath.replace(/^\//, "").replaceAll("/", ".")].filter(Boolean).join(".") ||
        error.validationContext ||
        "request";
      const status = error.validationContext === "body" ? 422 : 400;
      return sendError(reply, status, `Validation failed: ${field}: ${first.message}`);
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, "Mastodon API request failed");
      return sendError(reply, 500, "Something went wrong on this pod; it has been logged.");
    }
    return sendError(reply, status, error.message);
  });
}
