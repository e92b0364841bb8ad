import { readFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";

/** An inbox POST as a sender made it: the exact path, headers and bytes. */
export interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * POSTs each delivery to `target` (an http origin) as it was made, `concurrency` at a time on keep-alive
 * connections (node:http: lighter than fetch, so the sender takes less of the shared cores). Throws when any
 * answer is not 202, naming the first few, with `context()` (say, the receiver's logs) when given.
 */
export async function replay(
  target: URL,
  deliveries: Delivery[],
  concurrency: number,
  context: () => string = () => "",
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const post = ({ path, headers, body }: Delivery) =>
    new Promise<number>((resolve, reject) => {
      const sent: Record<string, string> = { ...headers, "content-length": String(body.length) };
      delete sent.connection;
      const req = httpRequest(
        { host: target.hostname, port: target.port, method: "POST", path, agent, headers: sent },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  let next = 0;
  const refused: number[] = [];
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < deliveries.length) {
          const status = await post(deliveries[next++]!).catch((error: Error) => {
            next = deliveries.length; // the other senders stop too
            throw new Error(`a delivery failed: ${error.message}\n${context().slice(-2000)}`);
          });
          if (status !== 202) refused.push(status);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  if (refused.length > 0)
    throw new Error(`${refused.length} deliveries were refused: ${refused.slice(0, 5)}\n${context().slice(-2000)}`);
}

/** A process's CPU time so far (user + system), in seconds. */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
