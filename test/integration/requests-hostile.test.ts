import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";

const ADMIN = { authorization: "Bearer test-operator-token-0123456789abcdef", "content-type": "application/json" };

/** The public request form and the coordinators' one-click claim, against hostile and hurried use. */
describe("requests from neighbors: hostile input", () => {
  let node: InProcessPod;
  let offerId: string;

  beforeAll(async () => {
    node = await startInProcessPod();
    const made = await fetch(`${node.url}/admin/api/offers`, {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify({ name: "Bread", category: "food", quantity: 12, unit: "loaves", area: { name: "Centro" } }),
    });
    offerId = (await made.json()).id;
  });
  afterAll(() => node?.close());

  it("a request posted as JSON is refused (415) and nothing is kept", async () => {
    const response = await fetch(`${node.url}/offers/${offerId}/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/html" },
      body: JSON.stringify({ name: "x".repeat(50_000), contact: "y", message: "z" }),
    });
    expect(response.status).toBe(415);
    expect(await node.pod.requests.count("new")).toBe(0);
  });

  it("asking for more than is left is refused beside the field, and nothing is kept", async () => {
    const form = new URLSearchParams({ name: "Someone", contact: "555", message: "", quantity: "50" });
    const response = await fetch(`${node.url}/offers/${offerId}/ask`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: form,
      redirect: "manual",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("more than is left");
    expect(await node.pod.requests.count("new")).toBe(0);
  });

  it("two clicks on 'record a claim' record one claim", async () => {
    const form = new URLSearchParams({
      name: "Household Rivera",
      contact: "555",
      message: "Two please",
      quantity: "2",
    });
    const sent = await fetch(`${node.url}/offers/${offerId}/ask`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
      redirect: "manual",
    });
    expect(sent.status).toBe(303);
    const [request] = await node.pod.requests.list({ status: "new", limit: 1 });
    const results = await Promise.allSettled([
      node.pod.requests.recordClaim(request!.id),
      node.pod.requests.recordClaim(request!.id),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((await node.pod.offers.get("offer", offerId)).availableMilli).toBe(10_000);
  });

  it("a page asked for with a doubled slash keeps its language link on the pod", async () => {
    const response = await fetch(`${node.url}//evil.example/`, { headers: { accept: "text/html" } });
    const page = await response.text();
    const links = [...page.matchAll(/href="([^"]*lang=[^"]*)"/g)].map((match) => match[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const href of links) expect(href).toMatch(/^\/(?!\/)/);
  });
});
