import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Logger } from "../log/logger.ts";
import type { Pod } from "../pod.ts";
import { healthRoutes, type ReadinessCheck } from "./health.ts";

/**
 * The web role: the pod's HTTP (federation, API, pages) and nothing periodic. Any number of web processes
 * may share one pod; what a request changes is recorded with its events, which the request runs itself
 * (EventDispatcher.settle), and deliveries go to the shared queue for the workers.
 */
export async function startWeb(pod: Pod, log: Logger, checks: ReadinessCheck[]) {
  const { config } = pod.deps;
  const [{ buildApp }, { ensureOperatorToken }] = await Promise.all([
    import("../app.ts"),
    import("../operators/service.ts"),
  ]);
  // A seeded token must work from the first request; a generated one is made (and shown) only once the pod
  // listens, so a start that fails to bind does not use up the one chance to see it.
  if (config.adminToken) await ensureOperatorToken(pod.deps.rooms, config.adminToken);
  const app = await buildApp(pod);
  healthRoutes(app, checks);
  const inFlight = trackResponses(app.server);
  await app.listen({ host: config.host, port: config.port });
  const firstToken = config.adminToken ? null : await ensureOperatorToken(pod.deps.rooms);
  if (firstToken) {
    process.stdout.write(
      `\nOperator token (shown once; keep it safe, rotate with "npm run pod -- token rotate"):\n  ${firstToken}\n\n`,
    );
  }
  const setup = await pod.members.setupSecretAtStart();
  if (setup === "shared") {
    process.stdout.write(
      "\nSet up this pod with the setup link printed moments ago, by this pod's previous start or another of its" +
        " processes (it still works, once). For a new link, start the pod again 10 seconds or more after that one.\n\n",
    );
  } else if (setup) {
    const link = new URL(`/app/setup/${setup.secret}`, config.url).href;
    process.stdout.write(`\nSet up this pod in your browser (first coordinator; the link works once):\n  ${link}\n\n`);
  }
  log.debug({ host: config.host, port: config.port }, "serving HTTP");
  return {
    /** Stops accepting connections and waits for the requests in flight. */
    async stop(): Promise<void> {
      inFlight.closeAfterResponse();
      await app.close();
    },
  };
}

/**
 * Responses still being worked on. On shutdown the server stops accepting connections and closes idle ones,
 * but a keep-alive connection whose request is in flight would stay open (for the keep-alive timeout) after
 * its response: those responses close their connection instead.
 */
function trackResponses(server: Server) {
  const responses = new Set<ServerResponse>();
  server.prependListener("request", (_request: IncomingMessage, response: ServerResponse) => {
    responses.add(response);
    response.once("close", () => responses.delete(response));
  });
  return {
    closeAfterResponse() {
      for (const response of responses) {
        if (!response.headersSent) response.setHeader("connection", "close");
        else response.once("finish", () => response.socket?.end());
      }
    },
  };
}
