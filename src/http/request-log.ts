import type { FastifyInstance } from "fastify";

/**
 * One line per request, when it is answered (Fastify's own logging writes two, at info, for every request).
 * Successful reads — actor documents, WebFinger, pages, feeds: most of a pod's traffic — are logged at debug;
 * writes, refusals and errors at info, so the usual log still shows everything that changes or goes wrong.
 */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook("onResponse", async (request, reply) => {
    const read = request.method === "GET" || request.method === "HEAD";
    const level = read && reply.statusCode < 400 ? "debug" : "info";
    request.log[level](
      { method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      "request answered",
    );
  });
}
