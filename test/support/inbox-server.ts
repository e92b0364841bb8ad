import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface InboxServer {
  origin: string;
  /** The paths POSTed to, in order. */
  posts: string[];
  server: Server;
}

/** An inbox server on one loopback address that only counts what is posted to it (and answers 202). */
export async function startInboxServer(host: string): Promise<InboxServer> {
  const posts: string[] = [];
  const server = createServer((req, res) => {
    if (req.method === "POST") posts.push(req.url ?? "");
    req.resume();
    req.on("end", () => res.writeHead(202).end());
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, posts, server };
}
