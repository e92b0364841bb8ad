/**
 * Deliveries captured from real pod processes: a sender pod publishes offers and needs and lives them
 * (edit, then claim all of it, which closes it), and a receiver pod that really followed it gets them.
 * A recording proxy in front of the receiver (the receiver's public URL is the proxy's) forwards
 * everything while the follow is set up, then keeps each inbox POST — the exact bytes and headers the
 * sender signed — and answers 202 without passing it on. Replaying those to the receiver, which has not
 * seen them, measures ingest of exactly what pods send; a change to what pods send changes what is measured.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { freePort, startPod, waitUntil, type PodProcess } from "../test/support/pod-process.ts";

export interface CapturedDelivery {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Capture {
  sender: PodProcess;
  /** The pod that followed the sender: its public URL is `publicUrl`, it listens on `bindUrl`. */
  receiver: PodProcess;
  publicUrl: string;
  bindUrl: string;
  deliveries: CapturedDelivery[];
  /** Object ids (offers and needs) whose whole life the deliveries carry. */
  objects: string[];
  captureSeconds: number;
  close(): Promise<void>;
}

export interface CaptureOptions {
  /** Offers and needs (alternately) the sender publishes and lives through. */
  objects: number;
  /** How many of them are published at once through the sender's admin API. */
  parallel?: number;
  logLevel?: string;
  senderEnv?: Record<string, string>;
  receiverEnv?: Record<string, string>;
}

const plainHeaders = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]),
  );

/** A proxy on `port` to `target`; once `recording` is on, inbox POSTs are kept and answered 202 here. */
function recordingProxy(port: number, targetPort: number) {
  const state = { recording: false, deliveries: [] as CapturedDelivery[] };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = request.url ?? "/";
      if (state.recording && request.method === "POST" && /\/inbox$/.test(path)) {
        state.deliveries.push({ path, headers: plainHeaders(request.headers), body });
        return void response.writeHead(202).end();
      }
      const upstream = httpRequest(
        { host: "127.0.0.1", port: targetPort, method: request.method, path, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on("error", () => response.writeHead(502).end());
      upstream.end(body);
    });
  });
  return { state, server, listening: new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)) };
}

export async function captureDeliveries(options: CaptureOptions): Promise<Capture> {
  const logLevel = options.logLevel ?? "error";
  const sender = await startPod("sender", { LOG_LEVEL: logLevel, ...options.senderEnv });
  const proxyPort = await freePort();
  const publicUrl = `http://127.0.0.1:${proxyPort}`;
  const receiver = await startPod("receiver", { LOG_LEVEL: logLevel, POD_URL: publicUrl, ...options.receiverEnv });
  const bindUrl = `http://127.0.0.1:${receiver.env.PORT}`;
  const proxy = recordingProxy(proxyPort, Number(receiver.env.PORT));
  await proxy.listening;
  const close = async () => {
    proxy.server.close();
    await Promise.all([sender.stop(), receiver.stop()]);
  };
  try {
    const follow = await receiver.admin("POST", "/following", { target: sender.handle });
    if (follow.status !== 202) throw new Error(`the receiver's follow answered ${follow.status}`);
    const accepted = async () =>
      (await receiver.admin("GET", "/following")).body.items.some(
        (f: { actorIri: string; state: string }) => f.actorIri === sender.actorUrl && f.state === "accepted",
      );
    await waitUntil(accepted, 60_000);
    // Whatever the follow itself caused (the receiver's backfill) is done before recording starts.
    proxy.state.recording = true;

    const started = performance.now();
    const objects: string[] = [];
    const parallel = options.parallel ?? 4;
    let next = 0;
    const live = async (i: number) => {
      const path = i % 2 === 0 ? "/offers" : "/needs";
      const quantity = 2 + (i % 5);
      const area = { name: "Riverside", latitude: 51.5, longitude: -0.1 };
      const made = await sender.admin("POST", path, {
        name: `Item ${i}`,
        category: "food",
        quantity,
        unit: "kg",
        area,
      });
      if (made.status !== 201) throw new Error(`publishing answered ${made.status}: ${JSON.stringify(made.body)}`);
      objects.push(`${sender.url}${path}/${made.body.id}`);
      const edited = await sender.admin("PATCH", `${path}/${made.body.id}`, { description: `Picked today (${i}).` });
      if (edited.status !== 200) throw new Error(`editing answered ${edited.status}`);
      const claimed = await sender.admin("POST", `${path}/${made.body.id}/claims`, { neighbor: "Sam", quantity });
      if (claimed.status !== 201) throw new Error(`claiming answered ${claimed.status}`);
    };
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < options.objects) await live(next++);
      }),
    );
    await waitUntil(() => proxy.state.deliveries.length >= options.objects * 3, 600_000, 50);
    // Nothing more should come (each life is three activities for pods); a later one would be counted below.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const captureSeconds = (performance.now() - started) / 1000;
    return {
      sender,
      receiver,
      publicUrl,
      bindUrl,
      deliveries: proxy.state.deliveries,
      objects,
      captureSeconds,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
