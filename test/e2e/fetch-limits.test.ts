import { createHash } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

const HUGE_BYTES = 50 * 1024 * 1024;

/** What the document server saw of one response it tried to send. */
interface Sent {
  bytes: number;
  finished: boolean;
  closed: boolean;
}

/**
 * A server whose actor documents are hostile: `/users/huge` streams 50 MB of JSON with no Content-Length,
 * `/users/drip` sends a byte a second and never ends.
 */
async function startHostileServer(): Promise<{ origin: string; sent: Map<string, Sent>; server: Server }> {
  const sent = new Map<string, Sent>();
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    const record: Sent = { bytes: 0, finished: false, closed: false };
    sent.set(path, record);
    res.on("close", () => (record.closed = true));
    res.writeHead(200, { "content-type": "application/activity+json" });
    if (path === "/users/huge") streamHuge(res, record);
    else if (path === "/users/drip") drip(res, record);
    else res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent, server };
}

function streamHuge(res: ServerResponse, record: Sent): void {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  res.write('{"@context":"https://www.w3.org/ns/activitystreams","type":"Person","name":"');
  const write = () => {
    while (record.bytes < HUGE_BYTES) {
      if (res.destroyed) return;
      record.bytes += chunk.length;
      if (!res.write(chunk)) return void res.once("drain", write);
    }
    record.finished = true;
    res.end('"}');
  };
  write();
}

function drip(res: ServerResponse, record: Sent): void {
  res.write("{");
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    record.bytes++;
    res.write(" ");
  }, 1_000);
}

describe("documents the pod fetches are capped in size and time", () => {
  let pod: PodProcess;
  let hostile: Awaited<ReturnType<typeof startHostileServer>>;

  beforeAll(async () => {
    [pod, hostile] = await Promise.all([startPod("fetch-limits"), startHostileServer()]);
  });
  afterAll(async () => {
    hostile?.server.closeAllConnections();
    hostile?.server.close();
    await pod?.stop();
  });

  /** An inbox POST whose signature names a key on the hostile server: the pod must fetch it to verify. */
  async function postSignedBy(actorPath: string): Promise<number> {
    const actor = `${hostile.origin}${actorPath}`;
    const body = JSON.stringify({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${actor}/activities/1`,
      type: "Create",
      actor,
      object: { id: `${actor}/notes/1`, type: "Note", attributedTo: actor, content: "hello" },
    });
    const inbox = new URL(`${pod.actorUrl}/inbox`);
    const signature =
      `keyId="${actor}#main-key",algorithm="rsa-sha256",headers="(request-target) host date ` +
      `digest",signature="${Buffer.alloc(256).toString("base64")}"`;
    const response = await fetch(inbox, {
      method: "POST",
      headers: {
        "content-type": "application/activity+json",
        date: new Date().toUTCString(),
        digest: `SHA-256=${createHash("sha256").update(body).digest("base64")}`,
        signature,
      },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }

  it("a keyId pointing at a 50 MB document is aborted after about the 1 MiB cap, not read whole", {
    timeout: 90_000,
  }, async () => {
    const status = await postSignedBy("/users/huge");
    expect(status).toBeGreaterThanOrEqual(400);
    await waitUntil(() => hostile.sent.get("/users/huge")?.closed === true, 60_000);
    const sent = hostile.sent.get("/users/huge")!;
    expect(sent.finished).toBe(false);
    // What left the server before the pod hung up: the cap plus what the two sockets' buffers hold.
    expect(sent.bytes).toBeLessThan(16 * 1024 * 1024);
    console.log(
      `huge key document: the server got ${(sent.bytes / 1024 / 1024).toFixed(1)} MiB out before the pod closed it`,
    );
  });

  it("a keyId pointing at a document that trickles forever is given up on", { timeout: 90_000 }, async () => {
    await postSignedBy("/users/drip");
    await waitUntil(() => hostile.sent.get("/users/drip")?.closed === true, 60_000);
    expect(hostile.sent.get("/users/drip")!.finished).toBe(false);
  });
});
