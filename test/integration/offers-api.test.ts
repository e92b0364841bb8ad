/**
 * Surplus offers and needs over HTTP, against a real pod process: input rules, the claim arithmetic,
 * what stays private, coarse coordinates, escaping, and custom categories.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPod, type PodProcess } from "../support/pod-process.ts";

const PROBLEM_JSON = /^application\/problem\+json\b/;
const AP_JSON = /^application\/activity\+json\b/;
const UNKNOWN_ID = "01963c6e-7a4b-7c3d-8e9f-0123456789ab";
const SHARED_CATEGORY_BASE = "https://w3id.org/pods/categories/";
const XSS = "<img src=x onerror=alert(1)>";
const XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;";

/**
 * A field named by the schema is "body.<name>"; a field named by the service's own checks (category,
 * availableUntil in the past, claimed quantities) comes without the prefix today. Both name the field.
 */
const names = (field: string) => new RegExp(`^(body\\.)?${field.replaceAll(".", "\\.")}$`);

const KINDS = [
  { kind: "offer", path: "offers" },
  { kind: "need", path: "needs" },
] as const;

const valid = (overrides: Record<string, unknown> = {}) => ({
  name: "Apples from the community orchard",
  description: "Windfall apples, good for juice or crumble.",
  category: "food",
  quantity: 20,
  unit: "kg",
  area: { name: "Riverside" },
  language: "en",
  ...overrides,
});

interface Answer {
  status: number;
  contentType: string | null;
  body: any;
}

describe("offers and needs over the admin API", () => {
  let pod: PodProcess;

  beforeAll(async () => {
    pod = await startPod("offers-api");
  });
  afterAll(async () => {
    await pod?.stop();
  });

  const call = (method: string, path: string, body?: unknown): Promise<Answer> => pod.admin(method, path, body);

  const fetchAs = (url: string, accept: string) => fetch(url, { headers: { accept } });
  const publicUrl = (path: string, id: string) => `${pod.url}/${path}/${id}`;
  const create = async (path: string, overrides: Record<string, unknown> = {}) => {
    const created = await call("POST", `/${path}`, valid(overrides));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; [key: string]: any };
  };

  /** What is stored and published, to show that a refusal changed none of it. */
  async function snapshot(path: string) {
    const list = await call("GET", `/${path}?limit=200`);
    expect(list.status).toBe(200);
    const collection = await pod.getActivityPub(`${pod.actorUrl}/${path}`);
    const outbox = await pod.getActivityPub(`${pod.actorUrl}/outbox`);
    return {
      ids: (list.body.items as { id: string }[]).map((o) => o.id),
      items: list.body.items,
      collectionTotal: collection.totalItems as number,
      outboxTotal: outbox.totalItems as number,
    };
  }

  /** Every page of the outbox, as raw text (bounded). */
  async function outboxText(): Promise<string> {
    let next: string | undefined = `${pod.actorUrl}/outbox?cursor=`;
    let text = "";
    for (let pages = 0; next && pages < 50; pages++) {
      const response = await fetchAs(next, "application/activity+json");
      expect(response.status).toBe(200);
      const body = await response.text();
      text += body;
      next = JSON.parse(body).next;
    }
    return text;
  }

  describe.each(KINDS)("refusals on /admin/api/$path", ({ path }) => {
    const inAMonth = () => new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
    const inTwoMonths = () => new Date(Date.now() + 60 * 24 * 3600 * 1000).toISOString();

    it.each<[string, () => Record<string, unknown>, RegExp]>([
      ["a negative quantity", () => valid({ quantity: -3 }), /^body\.quantity$/],
      ["a non-numeric quantity", () => valid({ quantity: "lots" }), /^body\.quantity$/],
      ["a zero quantity", () => valid({ quantity: 0 }), /^body\.quantity$/],
      ["a zero quantity as a string", () => valid({ quantity: "0.000" }), /^body\.quantity$/],
      ["a quantity with more than three decimals", () => valid({ quantity: 1.2345 }), /^body\.quantity$/],
      ["a quantity string with more than three decimals", () => valid({ quantity: "2.0001" }), /^body\.quantity$/],
      [
        "an end before the start",
        () => valid({ availableFrom: inTwoMonths(), availableUntil: inAMonth() }),
        /^body\.availableUntil$/,
      ],
      [
        "an end equal to the start",
        () => {
          const at = inAMonth();
          return valid({ availableFrom: at, availableUntil: at });
        },
        /^body\.availableUntil$/,
      ],
      ["an end in the past", () => valid({ availableUntil: "2020-01-01T00:00:00Z" }), names("availableUntil")],
      ["an end that is not a date-time", () => valid({ availableUntil: "next Tuesday" }), /^body\.availableUntil$/],
      ["an unknown category", () => valid({ category: "unicorns" }), names("category")],
      ["an empty name", () => valid({ name: "" }), /^body\.name$/],
      ["a whitespace-only name", () => valid({ name: "   \t " }), /^body\.name$/],
      ["a description over 5000 characters", () => valid({ description: "x".repeat(5001) }), /^body\.description$/],
      ["an unknown extra property (strict schema)", () => valid({ status: "claimed" }), /^body$/],
      [
        "a latitude without a longitude",
        () => valid({ area: { name: "Riverside", latitude: 51.5 } }),
        /^body\.area\.latitude$/,
      ],
      [
        "a longitude without a latitude",
        () => valid({ area: { name: "Riverside", longitude: -0.14 } }),
        /^body\.area\.latitude$/,
      ],
      [
        "a latitude out of range",
        () => valid({ area: { name: "Riverside", latitude: 91, longitude: 0 } }),
        /^body\.area\.latitude$/,
      ],
      ["a bad language tag", () => valid({ language: "English" }), /^body\.language$/],
      [
        "a missing unit",
        () => {
          const { unit: _unit, ...rest } = valid();
          return rest;
        },
        /^body\.unit$/,
      ],
    ])(
      "refuses %s with 400 problem+json naming the field, storing and publishing nothing",
      async (_label, body, field) => {
        const before = await snapshot(path);
        const response = await call("POST", `/${path}`, body());
        expect(response.status, JSON.stringify(response.body)).toBe(400);
        expect(response.contentType).toMatch(PROBLEM_JSON);
        expect(response.body).toMatchObject({ status: 400, title: "Bad Request" });
        expect(response.body.field, JSON.stringify(response.body)).toMatch(field);
        expect(await snapshot(path)).toEqual(before);
      },
    );
  });

  it("reports the exact field strings for the schema's refusals", async () => {
    const fieldOf = async (body: Record<string, unknown>) => (await call("POST", "/offers", body)).body.field;
    expect(await fieldOf(valid({ quantity: -3 }))).toBe("body.quantity");
    expect(await fieldOf(valid({ quantity: "lots" }))).toBe("body.quantity");
    expect(
      await fieldOf(valid({ availableFrom: "2031-02-01T00:00:00Z", availableUntil: "2031-01-01T00:00:00Z" })),
    ).toBe("body.availableUntil");
    expect(await fieldOf(valid({ name: "" }))).toBe("body.name");
    expect(await fieldOf(valid({ name: "   " }))).toBe("body.name");
    expect(await fieldOf(valid({ description: "d".repeat(5001) }))).toBe("body.description");
    expect(await fieldOf(valid({ area: { name: "Riverside", latitude: 10 } }))).toBe("body.area.latitude");
    expect(await fieldOf(valid({ language: "English" }))).toBe("body.language");
    expect(await fieldOf(valid({ extra: true }))).toBe("body");
  });

  it("answers a new offer or need with its public address, which serves its page", async () => {
    for (const { path } of KINDS) {
      const created = await create(path);
      expect(created.url).toBe(publicUrl(path, created.id));
      const page = await fetchAs(created.url, "text/html");
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Apples from the community orchard");
      expect((await call("GET", `/${path}/${created.id}`)).body.url).toBe(created.url);
    }
  });

  it("accepts a description of exactly 5000 characters and quantities with three decimals", async () => {
    const created = await create("offers", { description: "y".repeat(5000), quantity: "0.125" });
    expect(created).toMatchObject({ quantity: "0.125", available: "0.125", status: "open" });
    expect(created.description).toHaveLength(5000);
  });

  it("PATCH refuses bad input with 400 naming the field and leaves the offer as it was", async () => {
    const id = (await create("offers", { availableFrom: "2031-01-10T00:00:00Z" })).id;
    const before = (await call("GET", `/offers/${id}`)).body;
    const outboxBefore = (await pod.getActivityPub(`${pod.actorUrl}/outbox`)).totalItems;
    for (const [patch, field] of [
      [{ quantity: -3 }, /^body\.quantity$/],
      [{ quantity: "1.0005" }, /^body\.quantity$/],
      [{ name: "  " }, /^body\.name$/],
      [{ category: "unicorns" }, names("category")],
      [{ language: "not a tag" }, /^body\.language$/],
      [{ kind: "need" }, /^body$/],
      [{ area: { name: "Riverside", longitude: 3 } }, /^body\.area\.latitude$/],
      // Both ends in the patch: the schema refuses.
      [{ availableFrom: "2031-03-01T00:00:00Z", availableUntil: "2031-02-01T00:00:00Z" }, /^body\.availableUntil$/],
      // Only the end, before the stored start: the service refuses.
      [{ availableUntil: "2031-01-05T00:00:00Z" }, names("availableUntil")],
    ] as const) {
      const response = await call("PATCH", `/offers/${id}`, patch);
      expect(response.status, `${JSON.stringify(patch)} → ${JSON.stringify(response.body)}`).toBe(400);
      expect(response.contentType).toMatch(PROBLEM_JSON);
      expect(response.body.field, JSON.stringify(patch)).toMatch(field);
    }
    expect((await call("GET", `/offers/${id}`)).body).toEqual(before);
    expect((await pod.getActivityPub(`${pod.actorUrl}/outbox`)).totalItems).toBe(outboxBefore);
  });

  it("a withdrawn offer answers 409 to edits, claims and a second withdrawal, and 410 in public", async () => {
    const id = (await create("offers", { name: "To withdraw" })).id;
    const withdrawn = await call("POST", `/offers/${id}/withdraw`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe("withdrawn");

    const patch = await call("PATCH", `/offers/${id}`, { name: "Back again" });
    expect(patch.status).toBe(409);
    expect(patch.contentType).toMatch(PROBLEM_JSON);
    expect(patch.body).toMatchObject({ status: 409, title: "Conflict" });

    const claim = await call("POST", `/offers/${id}/claims`, { neighbor: "Ana", quantity: 1 });
    expect(claim.status).toBe(409);
    expect(claim.body).toMatchObject({ status: 409, title: "Conflict" });

    const again = await call("POST", `/offers/${id}/withdraw`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 409, title: "Conflict" });

    const stored = await call("GET", `/offers/${id}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ status: "withdrawn", name: "To withdraw", available: "20", claims: [] });

    const ap = await fetchAs(publicUrl("offers", id), "application/activity+json");
    expect(ap.status).toBe(410);
    expect(await ap.json()).toMatchObject({ type: "Tombstone", id: publicUrl("offers", id) });
    expect((await fetchAs(`${publicUrl("offers", id)}/note`, "application/activity+json")).status).toBe(410);
  });

  it.each(KINDS)("answers an unknown $kind id with 404 and a malformed id with 400", async ({ path }) => {
    for (const [method, suffix, body] of [
      ["GET", "", undefined],
      ["PATCH", "", { name: "x" }],
      ["POST", "/withdraw", undefined],
      ["POST", "/claims", { neighbor: "Ana", quantity: 1 }],
    ] as const) {
      const unknown = await call(method, `/${path}/${UNKNOWN_ID}${suffix}`, body);
      expect(unknown.status, `${method} ${path}/${UNKNOWN_ID}${suffix}`).toBe(404);
      expect(unknown.contentType).toMatch(PROBLEM_JSON);
      expect(unknown.body).toMatchObject({ status: 404, title: "Not Found" });

      const malformed = await call(method, `/${path}/not-a-uuid${suffix}`, body);
      expect(malformed.status, `${method} ${path}/not-a-uuid${suffix}`).toBe(400);
      expect(malformed.contentType).toMatch(PROBLEM_JSON);
      expect(malformed.body.field).toBe("params.id");
    }
    expect((await fetchAs(publicUrl(path, UNKNOWN_ID), "application/activity+json")).status).toBe(404);
    expect((await fetchAs(publicUrl(path, "not-a-uuid"), "application/activity+json")).status).toBe(400);
  });

  it("an offer of one kind is not found under the other kind's path", async () => {
    const id = (await create("offers")).id;
    expect((await call("GET", `/needs/${id}`)).status).toBe(404);
    expect((await fetchAs(publicUrl("needs", id), "application/activity+json")).status).toBe(404);
  });

  it("claims move the status open → partly_claimed → claimed with exact decimals, on the wire too", async () => {
    const id = (await create("offers", { quantity: 20 })).id;
    const proposal = () => pod.getActivityPub(publicUrl("offers", id));
    expect((await proposal()).publishes.availableQuantity.hasNumericalValue).toBe("20");

    const first = await call("POST", `/offers/${id}/claims`, { neighbor: "Ana", quantity: "7.5" });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.offer).toMatchObject({ quantity: "20", available: "12.5", status: "partly_claimed" });
    expect(first.body.claim).toMatchObject({ offerId: id, neighbor: "Ana", quantity: "7.5" });
    const partly = await proposal();
    expect(partly.publishes.availableQuantity.hasNumericalValue).toBe("12.5");
    expect(partly.publishes.resourceQuantity.hasNumericalValue).toBe("20");
    expect(partly.summary).toContain("12.5 of 20 kg");

    const second = await call("POST", `/offers/${id}/claims`, { neighbor: "Bo", quantity: 12.5 });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.offer).toMatchObject({ quantity: "20", available: "0", status: "claimed" });

    const stored = await call("GET", `/offers/${id}`);
    expect(stored.body).toMatchObject({ quantity: "20", available: "0", status: "claimed" });
    expect(stored.body.claims.map((c: { neighbor: string; quantity: string }) => [c.neighbor, c.quantity])).toEqual([
      ["Ana", "7.5"],
      ["Bo", "12.5"],
    ]);
    expect((await proposal()).publishes.availableQuantity.hasNumericalValue).toBe("0");
    expect(
      (await call("GET", "/offers?status=claimed&limit=200")).body.items.map((o: { id: string }) => o.id),
    ).toContain(id);

    // Nothing left: any further claim is more than is available.
    const more = await call("POST", `/offers/${id}/claims`, { neighbor: "Cy", quantity: "0.001" });
    expect(more.status).toBe(400);
    expect(more.body.field).toMatch(names("quantity"));

    // Raising the quantity of a claimed offer opens it again, partly claimed.
    const raised = await call("PATCH", `/offers/${id}`, { quantity: 25 });
    expect(raised.status, JSON.stringify(raised.body)).toBe(200);
    expect(raised.body).toMatchObject({ quantity: "25", available: "5", status: "partly_claimed" });
  });

  it("keeps claim arithmetic exact over many small decimal claims (0.1 × 3 = 0.3)", async () => {
    const id = (await create("offers", { quantity: "0.3", unit: "l" })).id;
    for (let i = 0; i < 3; i++) {
      const claim = await call("POST", `/offers/${id}/claims`, { neighbor: `N${i}`, quantity: 0.1 });
      expect(claim.status, JSON.stringify(claim.body)).toBe(201);
    }
    expect((await call("GET", `/offers/${id}`)).body).toMatchObject({ available: "0", status: "claimed" });
  });

  it("refuses a claim of more than is available with 400 naming quantity, changing nothing", async () => {
    const id = (await create("offers", { quantity: 10 })).id;
    expect((await call("POST", `/offers/${id}/claims`, { neighbor: "Ana", quantity: 4 })).status).toBe(201);
    const before = (await call("GET", `/offers/${id}`)).body;
    const outboxBefore = (await pod.getActivityPub(`${pod.actorUrl}/outbox`)).totalItems;

    const over = await call("POST", `/offers/${id}/claims`, { neighbor: "Greedy", quantity: "6.001" });
    expect(over.status, JSON.stringify(over.body)).toBe(400);
    expect(over.contentType).toMatch(PROBLEM_JSON);
    expect(over.body).toMatchObject({ status: 400, title: "Bad Request" });
    expect(over.body.field).toMatch(names("quantity"));

    // Bad claim bodies are refused by the schema.
    for (const [body, field] of [
      [{ neighbor: "Ana", quantity: -1 }, "body.quantity"],
      [{ neighbor: "Ana", quantity: 0 }, "body.quantity"],
      [{ neighbor: "   ", quantity: 1 }, "body.neighbor"],
      [{ neighbor: "Ana", quantity: 1, when: "now" }, "body"],
    ] as const) {
      const response = await call("POST", `/offers/${id}/claims`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field, JSON.stringify(body)).toBe(field);
    }

    const after = (await call("GET", `/offers/${id}`)).body;
    expect(after).toEqual(before);
    expect(after).toMatchObject({ available: "6", status: "partly_claimed" });
    expect(after.claims).toHaveLength(1);
    expect((await pod.getActivityPub(`${pod.actorUrl}/outbox`)).totalItems).toBe(outboxBefore);

    // Exactly what is left is fine.
    const rest = await call("POST", `/offers/${id}/claims`, { neighbor: "Bo", quantity: "6" });
    expect(rest.status).toBe(201);
    expect(rest.body.offer).toMatchObject({ available: "0", status: "claimed" });
  });

  it("PATCH lowering the quantity below what was claimed is refused with 400 naming quantity", async () => {
    const id = (await create("offers", { quantity: 20 })).id;
    expect((await call("POST", `/offers/${id}/claims`, { neighbor: "Ana", quantity: 7.5 })).status).toBe(201);
    const before = (await call("GET", `/offers/${id}`)).body;

    const lower = await call("PATCH", `/offers/${id}`, { quantity: "7.499" });
    expect(lower.status, JSON.stringify(lower.body)).toBe(400);
    expect(lower.contentType).toMatch(PROBLEM_JSON);
    expect(lower.body.field).toMatch(names("quantity"));
    expect((await call("GET", `/offers/${id}`)).body).toEqual(before);

    // Down to exactly what was claimed: all claimed.
    const exact = await call("PATCH", `/offers/${id}`, { quantity: "7.5" });
    expect(exact.status, JSON.stringify(exact.body)).toBe(200);
    expect(exact.body).toMatchObject({ quantity: "7.5", available: "0", status: "claimed" });
  });

  it("who claimed stays on the pod: in the admin API, never in public JSON, Note, pages or outbox", async () => {
    const neighbor = "Zebulon Quillfeather-Privatesworth";
    const note = "leaves the bag behind the blue door at 12 Elm St";
    const id = (await create("offers", { name: "Bread rolls", quantity: 30, unit: "rolls" })).id;
    const claim = await call("POST", `/offers/${id}/claims`, { neighbor, quantity: 10, note });
    expect(claim.status).toBe(201);

    const admin = await call("GET", `/offers/${id}`);
    expect(admin.body.claims).toEqual([expect.objectContaining({ neighbor, note, quantity: "10" })]);

    const publicTexts: [string, string][] = [];
    for (const [url, accept] of [
      [publicUrl("offers", id), "application/activity+json"],
      [publicUrl("offers", id), "application/ld+json"],
      [`${publicUrl("offers", id)}/note`, "application/activity+json"],
      [publicUrl("offers", id), "text/html"],
      [`${publicUrl("offers", id)}/note`, "text/html"],
      [`${pod.actorUrl}/offers?cursor=`, "application/activity+json"],
    ] as const) {
      const response = await fetchAs(url, accept);
      expect(response.status, `${accept} ${url}`).toBe(200);
      publicTexts.push([`${accept} ${url}`, await response.text()]);
    }
    publicTexts.push(["outbox", await outboxText()]);

    // The outbox shows the Note as the claim left it (so the check below looks at the right thing).
    expect(publicTexts.at(-1)![1]).toContain("20 of 30 rolls still available");
    for (const [where, text] of publicTexts) {
      expect(text, where).toContain("Bread rolls");
      expect(text, where).not.toContain("Zebulon");
      expect(text, where).not.toContain("Privatesworth");
      expect(text, where).not.toContain("blue door");
    }
  });

  it("rounds coordinates to two decimals in storage and on the wire", async () => {
    const created = await create("offers", {
      area: { name: "Westminster", latitude: 51.501234, longitude: -0.141234 },
    });
    expect(created).toMatchObject({ latitude: 51.5, longitude: -0.14 });
    expect((await call("GET", `/offers/${created.id}`)).body).toMatchObject({
      areaName: "Westminster",
      latitude: 51.5,
      longitude: -0.14,
    });

    const proposal = await pod.getActivityPub(publicUrl("offers", created.id));
    expect(proposal.location).toMatchObject({ type: "Place", name: "Westminster", latitude: 51.5, longitude: -0.14 });

    const wire = JSON.stringify(proposal) + (await outboxText());
    expect(wire).not.toContain("51.501234");
    expect(wire).not.toContain("0.141234");
    expect(wire).not.toContain("51.501");

    // A PATCH of the area is rounded the same way.
    const patched = await call("PATCH", `/offers/${created.id}`, {
      area: { name: "Soho", latitude: 51.513789, longitude: -0.136612 },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ latitude: 51.51, longitude: -0.14 });
    expect((await pod.getActivityPub(publicUrl("offers", created.id))).location).toMatchObject({
      type: "Place",
      name: "Soho",
      latitude: 51.51,
      longitude: -0.14,
    });
    expect(await outboxText()).not.toContain("51.513789");

    // Without coordinates the Place has none.
    const plain = await create("offers", { area: { name: "Riverside" } });
    expect(plain).toMatchObject({ latitude: null, longitude: null });
    const place = (await pod.getActivityPub(publicUrl("offers", plain.id))).location;
    expect(place.name).toBe("Riverside");
    expect(place.latitude).toBeUndefined();
    expect(place.longitude).toBeUndefined();
  });

  it("escapes user text on the HTML page and in the companion Note", async () => {
    const created = await create("offers", {
      name: XSS,
      description: "Fresh <script>steal()</script> & more",
      area: { name: "R&D <b>lab</b>" },
    });
    const id = created.id;
    expect(created.name).toBe(XSS);

    const response = await fetchAs(publicUrl("offers", id), "text/html");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toMatch(/^<!doctype html>/i);
    // Preact's escaping on the page: `<`, `&` and `"` (a `>` alone opens nothing).
    expect(page).toContain("&lt;img src=x onerror=alert(1)>");
    expect(page).toContain("Fresh &lt;script>steal()&lt;/script> &amp; more");
    expect(page).toContain("R&amp;D &lt;b>lab&lt;/b>");
    expect(page).not.toContain(XSS);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toContain("<script>");
    expect(page).not.toContain("<b>lab");

    const note = await pod.getActivityPub(`${publicUrl("offers", id)}/note`);
    expect(note.type).toBe("Note");
    expect(note.content).toContain(XSS_ESCAPED);
    expect(note.content).not.toContain(XSS);
    expect(note.content).not.toMatch(/<img/i);
    expect(note.content).not.toContain("<script>");
    expect(note.contentMap).toEqual({ en: note.content });

    const proposal = await pod.getActivityPub(publicUrl("offers", id));
    expect(proposal.name).toBe(XSS); // name is plain text in ActivityStreams
    expect(proposal.summary).not.toMatch(/<img/i);
    expect(proposal.content).not.toContain("<script>");
  });

  it("publishes an offer as a Proposal with a companion Note, and a need as a request", async () => {
    const offer = await create("offers", { quantity: "2.5", availableUntil: "2031-06-01T12:00:00Z" });
    const proposal = await pod.getActivityPub(publicUrl("offers", offer.id));
    expect(proposal).toMatchObject({
      type: "Proposal",
      id: publicUrl("offers", offer.id),
      attributedTo: pod.actorUrl,
      purpose: "offer",
      name: valid().name,
      to: "as:Public",
      cc: `${pod.actorUrl}/followers`,
      endTime: "2031-06-01T12:00:00Z",
      publishes: { type: "Intent", resourceConformsTo: `${SHARED_CATEGORY_BASE}food` },
    });
    expect(proposal.publishes.resourceQuantity).toMatchObject({ hasNumericalValue: "2.5", hasUnit: "kg" });
    const response = await fetchAs(publicUrl("offers", offer.id), "application/activity+json");
    expect(response.headers.get("content-type")).toMatch(AP_JSON);

    const need = await create("needs", { name: "Winter coats", category: "clothing", quantity: 5, unit: "coats" });
    const request = await pod.getActivityPub(publicUrl("needs", need.id));
    expect(request).toMatchObject({
      type: "Proposal",
      id: publicUrl("needs", need.id),
      purpose: "request",
      name: "Winter coats",
    });
    expect(request.publishes.resourceConformsTo).toBe(`${SHARED_CATEGORY_BASE}clothing`);
    const needNote = await pod.getActivityPub(`${publicUrl("needs", need.id)}/note`);
    expect(needNote).toMatchObject({
      type: "Note",
      id: `${publicUrl("needs", need.id)}/note`,
      url: publicUrl("needs", need.id),
    });
  });

  describe("custom categories", () => {
    it("adds a category (201) whose own IRI answers, and offers in it point there", async () => {
      const added = await call("POST", "/categories", { slug: "seed-swap", label: "Seed swap" });
      expect(added.status, JSON.stringify(added.body)).toBe(201);
      expect(added.body).toMatchObject({
        slug: "seed-swap",
        label: "Seed swap",
        iri: `${pod.url}/categories/seed-swap`,
        shared: false,
      });

      const offer = await create("offers", {
        name: "Tomato seeds",
        category: "seed-swap",
        quantity: 40,
        unit: "packets",
      });
      expect(offer.category).toBe("seed-swap");
      const proposal = await pod.getActivityPub(publicUrl("offers", offer.id));
      expect(proposal.publishes.resourceConformsTo).toBe(`${pod.url}/categories/seed-swap`);
      const note = await pod.getActivityPub(`${publicUrl("offers", offer.id)}/note`);
      expect(note.content).toContain("Seed swap");

      const iri = await fetch(proposal.publishes.resourceConformsTo);
      expect(iri.status).toBe(200);
      expect(await iri.json()).toMatchObject({
        slug: "seed-swap",
        label: "Seed swap",
        iri: `${pod.url}/categories/seed-swap`,
      });

      const listed = await fetch(`${pod.url}/categories`);
      expect((await listed.json()).items).toContainEqual(expect.objectContaining({ slug: "seed-swap", shared: false }));

      // A need may use it too.
      const need = await create("needs", { name: "Bean seeds", category: "seed-swap", quantity: 3, unit: "packets" });
      expect((await pod.getActivityPub(publicUrl("needs", need.id))).publishes.resourceConformsTo).toBe(
        `${pod.url}/categories/seed-swap`,
      );
    });

    it("refuses the same slug again (409), a shared slug (409) and a malformed slug (400)", async () => {
      const again = await call("POST", "/categories", { slug: "seed-swap", label: "Seed swap, again" });
      expect(again.status).toBe(409);
      expect(again.contentType).toMatch(PROBLEM_JSON);
      expect(again.body).toMatchObject({ status: 409, title: "Conflict" });
      expect(await (await fetch(`${pod.url}/categories/seed-swap`)).json()).toMatchObject({ label: "Seed swap" });

      expect((await call("POST", "/categories", { slug: "food", label: "My food" })).status).toBe(409);

      const bad = await call("POST", "/categories", { slug: "Bad Slug", label: "Bad" });
      expect(bad.status).toBe(400);
      expect(bad.contentType).toMatch(PROBLEM_JSON);
      expect(bad.body.field).toBe("body.slug");
      expect((await fetch(`${pod.url}/categories/Bad%20Slug`)).status).toBe(404);
      expect((await call("POST", "/offers", valid({ category: "Bad Slug" }))).status).toBe(400);
    });

    it("a shared category's IRI is under https://w3id.org/pods/categories/", async () => {
      const offer = await create("offers", { category: "tools", name: "Ladder", quantity: 1, unit: "ladder" });
      const iri: string = (await pod.getActivityPub(publicUrl("offers", offer.id))).publishes.resourceConformsTo;
      expect(iri.startsWith(SHARED_CATEGORY_BASE)).toBe(true);
      expect(iri).toBe(`${SHARED_CATEGORY_BASE}tools`);
      expect(await (await fetch(`${pod.url}/categories/tools`)).json()).toMatchObject({
        slug: "tools",
        iri,
        shared: true,
      });
      expect((await fetch(`${pod.url}/categories/no-such-category`)).status).toBe(404);
    });
  });
});
