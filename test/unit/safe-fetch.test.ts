import { createServer, type Server } from "node:http";
import { gzipSync } from "node:zlib";

const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x61));
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inboxRefusal } from "../../src/federation/public-address.ts";
import { installOutboundPolicy, OUTBOUND_LIMITS, outboundDispatcher } from "../../src/federation/safe-fetch.ts";

/** A loopback server that counts requests, answers small, streams big, or never answers. */
async function startServer(): Promise<{
  url: string;
  requests: string[];
  streamed: { bytes: number; closedEarly: boolean };
  server: Server;
}> {
  const requests: string[] = [];
  const streamed = { bytes: 0, closedEarly: false };
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url === "/small") return void res.writeHead(200, { "content-type": "application/json" }).end("{}");
    if (req.url === "/hang") return; // never answers
    // /bomb: 8 MiB of JSON-ish bytes in about 8 KiB of gzip, under the wire cap.
    if (req.url === "/bomb") {
      return void res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end(bomb);
    }
    // /big: 8 MiB without a Content-Length, so only counting the stream can stop it.
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let finished = false;
    res.on("close", () => (streamed.closedEarly = !finished));
    const write = () => {
      while (streamed.bytes < 8 * 1024 * 1024) {
        if (res.destroyed) return;
        streamed.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", write);
      }
      finished = true;
      res.end();
    };
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, streamed, server };
}

describe("outbound requests", () => {
  let target: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    target = await startServer();
  });
  afterAll(() => {
    target.server.closeAllConnections();
    target.server.close();
  });

  it("in production never connect to a private address, written literally or behind a name", async () => {
    const dispatcher = outboundDispatcher({ allowPrivateAddress: false });
    const port = new URL(target.url).port;
    for (const url of [`${target.url}/small`, `http://localhost:${port}/small`, `http://[::1]:${port}/small`]) {
      const error = await fetch(url, { method: "POST", body: "{}", dispatcher } as RequestInit).catch(
        (e: unknown) => e,
      );
      expect(error, url).toBeInstanceOf(TypeError);
      expect(String((error as Error).cause), url).toMatch(/private address/);
    }
    expect(target.requests).toEqual([]);
    await dispatcher.close();
  });

  it("reach a private address when allowed, and stop reading a body past the size cap", async () => {
    const dispatcher = outboundDispatcher({ allowPrivateAddress: true });
    const small = await fetch(`${target.url}/small`, { dispatcher } as RequestInit);
    expect(await small.json()).toEqual({});
    const big = await fetch(`${target.url}/big`, { dispatcher } as RequestInit);
    await expect(big.arrayBuffer()).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.streamed.closedEarly).toBe(true);
    expect(target.streamed.bytes).toBeLessThan(8 * 1024 * 1024);
    await dispatcher.close();
  });

  it("count a compressed body as decoded: a gzip bomb under the wire cap is still cut at the cap", async () => {
    expect(bomb.length).toBeLessThan(OUTBOUND_LIMITS.maxResponseBytes);
    installOutboundPolicy({ allowPrivateAddress: true });
    const response = await fetch(`${target.url}/bomb`);
    expect(response.url).toBe(`${target.url}/bomb`);
    await expect(response.arrayBuffer()).rejects.toThrow(/once decoded/);
    const small = await fetch(`${target.url}/small`);
    expect(await small.json()).toEqual({});
  });

  it("give up on a server that never answers (the process-wide fetch gets a deadline)", async () => {
    installOutboundPolicy({ allowPrivateAddress: true }, { ...OUTBOUND_LIMITS, timeoutMs: 300 });
    const error = await fetch(`${target.url}/hang`).catch((e: unknown) => e);
    expect((error as Error).name).toBe("TimeoutError");
  });
});

describe("inboxRefusal", () => {
  it("accepts only http(s) inboxes on the actor's own host, and in production no internal literal addresses", () => {
    const actor = "https://pods.example/users/a";
    expect(inboxRefusal(actor, "https://pods.example/inbox", false)).toBeNull();
    expect(inboxRefusal(actor, "https://other.example/inbox", false)).toMatch(/actor's host/);
    expect(inboxRefusal(actor, "https://pods.example:8443/inbox", false)).toMatch(/actor's host/);
    expect(inboxRefusal(actor, "ftp://pods.example/inbox", false)).toMatch(/scheme/);
    expect(inboxRefusal(actor, "https://user:pw@pods.example/inbox", false)).toMatch(/credentials/);
    for (const host of ["127.0.0.1", "[::1]", "10.1.2.3", "169.254.169.254", "[::ffff:127.0.0.1]", "localhost"]) {
      expect(inboxRefusal(`http://${host}/users/a`, `http://${host}/inbox`, false), host).not.toBeNull();
      expect(inboxRefusal(`http://${host}/users/a`, `http://${host}/inbox`, true), host).toBeNull();
    }
  });

  it("never lets an inbox on another host through, whatever the URLs (property)", () => {
    const hostArb = fc.oneof(
      fc.domain(),
      fc.ipV4().map((ip) => ip),
      fc.ipV6().map((ip) => `[${ip}]`),
    );
    fc.assert(
      fc.property(hostArb, hostArb, fc.webPath(), fc.boolean(), (actorHost, inboxHost, path, allowPrivate) => {
        const actor = URL.parse(`https://${actorHost}/users/a`);
        const inbox = URL.parse(`https://${inboxHost}${path}`);
        fc.pre(actor !== null && inbox !== null && actor.host !== inbox.host);
        expect(inboxRefusal(actor!.href, inbox!.href, allowPrivate)).not.toBeNull();
      }),
    );
  });
});
