import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";

/** An RFC 9457 problem document. `field` names the offending input, when there is one. */
export interface Problem {
  status: number;
  title: string;
  detail?: string;
  field?: string;
  [extension: string]: unknown;
}

/** A domain error a service throws; routes turn it into problem+json. */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
  }
}

export const notFound = (detail: string) => new ProblemError({ status: 404, title: "Not Found", detail });
export const conflict = (detail: string) => new ProblemError({ status: 409, title: "Conflict", detail });
export const badRequest = (detail: string, field?: string) =>
  new ProblemError({ status: 400, title: "Bad Request", detail, field });

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply
    .code(problem.status)
    .header("content-type", "application/problem+json; charset=utf-8")
    .send(JSON.stringify({ type: "about:blank", ...problem }));
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
};

export const problemFor = (status: number, detail?: string, field?: string): Problem => ({
  status,
  title: TITLES[status] ?? "Error",
  ...(detail ? { detail } : {}),
  ...(field ? { field } : {}),
});

/** True when a browser asked (Accept names text/html): it gets an error page instead of problem+json. */
export const wantsHtml = (request: FastifyRequest) =>
  /\btext\/html\b/i.test(request.headers.accept ?? "") &&
  !/activity\+json|ld\+json/i.test(request.headers.accept ?? "");

/** Renders an error as a page for a browser. */
export type ErrorPage = (request: FastifyRequest, reply: FastifyReply, problem: Problem) => FastifyReply;

/**
 * Every error and unknown route leaves as problem+json, or as a page when a browser asked for one (`page`); never a
 * stack trace.
 */
export function installProblemHandlers(app: FastifyInstance, page?: ErrorPage): void {
  const send = (request: FastifyRequest, reply: FastifyReply, problem: Problem) =>
    page && wantsHtml(request) ? page(request, reply, problem) : sendProblem(reply, problem);
  app.setNotFoundHandler((request, reply) => {
    send(request, reply, problemFor(404, `No route for ${request.method} ${request.url.split("?")[0]}`));
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ProblemError) return send(request, reply, error.problem);
    if (hasZodFastifySchemaValidationErrors(error)) {
      const first = error.validation[0]!;
      const path = first.instancePath.replace(/^\//, "").replaceAll("/", ".");
      const field = [error.validationContext, path].filter(Boolean).join(".");
      return send(request, reply, problemFor(400, `${field}: ${first.message}`, field));
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, "request failed");
      return send(request, reply, problemFor(500, "Something went wrong on this pod; it has been logged."));
    }
    if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
      return sendProblem(reply, problemFor(400, "The body is not valid JSON.", "body"));
    }
    return send(request, reply, problemFor(status, error.message));
  });
}
