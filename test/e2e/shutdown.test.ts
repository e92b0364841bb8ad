import { request, Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPod, TEST_ADMIN_TOKEN, waitUntil, type PodProcess } from "../support/pod-process.ts";

/** SIGTERM while clients hold keep-alive connections: one idle, one with a request whose body is still arriving. */
describe("a pod stopped with SIGTERM under keep-alive clients", () => {
  let pod: PodProcess;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  beforeAll(async () => {
    pod = await startPod("shutdown", { LOG_LEVEL: "debug" });
  });
  afterAll(async () => {
    agent.destroy();
    await pod.stop();
  });

  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${pod.url}${path}`, { agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode!));
      });
      req.on("error", reject);
      req.end();
    });

  const finishesInflightRequest =
    "finishes the in-flight request, closes the idle connection and exits 0 without waiting out the limit";
  it(finishesInflightRequest, async () => {
    expect(await get("/healthz")).toBe(200); // leaves an idle keep-alive connection in the agent
    const body = JSON.stringify({
      name: "Late apples",
      category: "food",
      quantity: 3,
      unit: "kg",
      area: { name: "Riverside" },
    });
    const half = Math.floor(body.length / 2);
    let sendRest = () => {};
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${pod.url}/admin/api/offers`,
        {
          agent,
          method: "POST",
          headers: {
            authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "x-request-id": "slow-offer",
          },
        },
        (res) => {
          let text = "";
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, half));
      sendRest = () => req.end(body.slice(half));
    });
    // The pod has the request (its arrival is logged at debug) before it is told to stop.
    await waitUntil(() => pod.logs().includes('"reqId":"slow-offer"'));
    const exited = new Promise<number | null>((resolve) => {
      const check = setInterval(() => {
        if (pod.exitCodes().length > 0) {
          clearInterval(check);
          resolve(pod.exitCodes()[0]!);
        }
      }, 50);
    });
    process.kill(pod.pid(), "SIGTERM");
    await waitUntil(() => pod.logs().includes("shutting down"));
    sendRest();
    const answer = await answered;
    expect(answer.status, answer.body).toBe(201);
    expect(JSON.parse(answer.body).name).toBe("Late apples");
    // Exit 1 is the forced exit after 15 s, taken when a connection kept the server open.
    expect(await exited).toBe(0);
    expect(pod.logs()).not.toContain("shutdown took too long");
    expect(pod.logs()).toContain('"msg":"stopped"');
  }, 40_000);
});
