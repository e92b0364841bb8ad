import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

/** Single-use links and rota feeds carry their secret in the path: the log shows that one was used, never which. */
const loggedUrl = (url: string) => url.replace(/^\/app\/(setup|join|reset|rota\/feed)\/[^/?#]+/, "/app/$1/[secret]");

/**
 * One line per request at info at most, when it is answered (Fastify's default writes two, at info, for every request).
 * Successful reads — actor documents, WebFinger, pages, feeds: most of a pod's traffic — are logged at debug;
 * writes, refusals and errors at info, so the usual log still shows everything that changes or goes wrong.
 */
export class PodRequestLog extends LogController {
  /** At debug: a request that never completes (a slow body, a hang) still shows that it arrived. */
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: loggedUrl(request.url) }, "request arrived");
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    const read = request.method === "GET" || request.method === "HEAD";
    const level = read && reply.statusCode < 400 ? "debug" : "info";
    reply.log[level](
      {
        method: request.method,
        url: loggedUrl(request.url),
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      "request answered",
    );
  }
}
