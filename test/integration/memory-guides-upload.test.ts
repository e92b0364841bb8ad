import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryUploads } from "../../src/memory/schema.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { setUpPod, WebClient } from "../support/web-client.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

const MAX = 5 * 1024 * 1024;
/** A small PDF: what matters to the pod is its first bytes. */
const pdf = (size = 600) => {
  const head = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n");
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length - 6), 0x20), Buffer.from("%%EOF\n")]);
};

/** Guides members upload are hostile input all the same: bytes, size, names and fields. */
describe("memory: uploaded guides refuse what is not a small PDF, and keep nothing of it", () => {
  let pod: InProcessPod;
  let client: WebClient;
  const dir = () => join(pod.pod.deps.config.dataDir, "guides");
  const files = () => (existsSync(dir()) ? readdirSync(dir()) : []);
  const stored = () => pod.pod.memory.uploads.list();

  async function upload(
    fields: Record<string, string>,
    file: { bytes: Buffer; name: string; type?: string } | null,
    options: { accept?: string; csrf?: boolean; as?: WebClient } = {},
  ) {
    const who = options.as ?? client;
    await who.get("/app/memory/uploads");
    const form = new FormData();
    if (options.csrf !== false) form.set("_csrf", who.lastToken);
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    if (file)
      form.set("file", new Blob([new Uint8Array(file.bytes)], { type: file.type ?? "application/pdf" }), file.name);
    const cookie = [...who.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(`${pod.url}/app/memory/uploads`, {
      method: "POST",
      headers: { cookie, accept: options.accept ?? "application/problem+json" },
      body: form,
      redirect: "manual",
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get("content-type") ?? "",
      text,
      json: () => JSON.parse(text),
      location: response.headers.get("location"),
    };
  }
  const good = { title: "Saving seeds", summary: "How to dry and keep seeds.", visibility: "public" };

  beforeAll(async () => {
    pod = await startInProcessPod();
    client = await setUpPod(pod.url, `/app/setup/${await pod.pod.members.freshSetupSecret()}`);
  });
  afterAll(async () => {
    await pod?.close();
  });

  it("refuses a file that does not begin with %PDF-, whatever its name and type say (415)", async () => {
    const html = Buffer.from("<html><script>alert(1)</script></html>");
    const made = await upload(good, { bytes: html, name: "seeds.pdf", type: "application/pdf" });
    expect(made.status).toBe(415);
    expect(made.type).toContain("application/problem+json");
    expect(made.json()).toMatchObject({ status: 415, field: "file" });
    expect(made.json().detail).toContain("%PDF-");
    expect(files()).toEqual([]);
    expect(await stored()).toEqual([]);
  });

  it("refuses a file over 5 MB (413) and keeps none of it; 5 MB itself is taken", async () => {
    const made = await upload(good, { bytes: pdf(MAX + 1), name: "big.pdf" });
    expect(made.status).toBe(413);
    expect(made.json()).toMatchObject({ status: 413, field: "file" });
    expect(made.json().detail).toContain("5 MB");
    expect(files()).toEqual([]);
    expect(await stored()).toEqual([]);

    const exact = await upload({ ...good, title: "Exactly five" }, { bytes: pdf(MAX), name: "five.pdf" });
    expect(exact.status, exact.text).toBe(201);
    expect(files()).toEqual([`${exact.json().id}.pdf`]);
    expect(readFileSync(join(dir(), files()[0]!)).length).toBe(MAX);
    await pod.pod.memory.uploads.remove(exact.json().id);
    expect(files()).toEqual([]);
  });

  it("refuses file names that reach for a path, and never writes outside the guides folder", async () => {
    const database = readFileSync(pod.pod.deps.config.databasePath).subarray(0, 16).toString("latin1");
    const names = ["../../pod.sqlite", "..\\..\\pod.sqlite.pdf", "guides/../x.pdf", "..", "seeds\u0000.pdf"];
    for (const name of [...names, "seeds\r\nX-Evil: 1.pdf", "%2e%2e%2fpod.sqlite"]) {
      const made = await upload(good, { bytes: pdf(), name });
      expect(made.status, name).toBe(400);
      expect(made.json(), name).toMatchObject({ status: 400, field: "file" });
    }
    expect(files()).toEqual([]);
    expect(await stored()).toEqual([]);
    expect(readFileSync(pod.pod.deps.config.databasePath).subarray(0, 16).toString("latin1")).toBe(database);
  });

  it("refuses a missing file, title or summary, naming the field (400)", async () => {
    const cases: [Record<string, string>, Buffer | null, string][] = [
      [good, null, "file"],
      [good, Buffer.alloc(0), "file"],
      [{ ...good, title: "" }, pdf(), "title"],
      [{ ...good, title: "x".repeat(201) }, pdf(), "title"],
      [{ title: "Seeds" }, pdf(), "summary"],
    ];
    for (const [fields, bytes, field] of cases) {
      const made = await upload(fields, bytes && { bytes, name: "seeds.pdf" });
      expect(made.status, field).toBe(400);
      expect(made.json().field).toBe(field);
    }
    expect(files()).toEqual([]);
    expect(await stored()).toEqual([]);
  });

  it("refuses strangers and forged forms before storing anything", async () => {
    const stranger = new WebClient(pod.url);
    const anonymous = await upload(good, { bytes: pdf(), name: "seeds.pdf" }, { as: stranger, csrf: false });
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toContain("/app/sign-in");
    const forged = await upload(good, { bytes: pdf(), name: "seeds.pdf" }, { csrf: false });
    expect(forged.status).toBe(403);
    expect(files()).toEqual([]);
    expect(await stored()).toEqual([]);
  });

  it("a browser gets the form again, the error beside the file field, with the same status", async () => {
    const made = await upload(good, { bytes: pdf(MAX + 10), name: "big.pdf" }, { accept: "text/html" });
    expect(made.status).toBe(413);
    expect(made.type).toContain("text/html");
    expect(made.text).toContain("The file is too large: at most 5 MB.");
    expect(made.text).toContain('value="Saving seeds"');
  });

  it("serves a public guide as a PDF only, under a safe name; a members-only one is not public", async () => {
    const bytes = pdf(2048);
    const made = await upload(good, { bytes, name: 'Seed "saving" guide.PDF' }, { accept: "text/html" });
    expect(made.status).toBe(303);
    const [upload1] = await stored();
    expect(files()).toEqual([`${upload1!.id}.pdf`]);
    const served = await fetch(`${pod.url}/memory/guides/${upload1!.id}.pdf`);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("application/pdf");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("content-security-policy")).toMatch(/^sandbox\b/);
    expect(served.headers.get("content-disposition")).toBe('inline; filename="Seed-saving-guide.pdf"');
    expect(served.headers.get("content-length")).toBe(String(bytes.length));
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);

    const other = pdf(2049);
    const internal = await upload(
      { ...good, title: "Members only", visibility: "internal" },
      { bytes: other, name: "m.pdf" },
    );
    expect(internal.status).toBe(201);
    const id = internal.json().id;
    expect((await fetch(`${pod.url}/memory/guides/${id}.pdf`)).status).toBe(404);
    const member = await fetch(`${pod.url}/app/memory/uploads/${id}/file`, {
      headers: { cookie: [...client.cookies].map(([n, v]) => `${n}=${v}`).join("; ") },
    });
    expect(member.status).toBe(200);
    expect(member.headers.get("content-type")).toBe("application/pdf");
    expect(member.headers.get("content-length")).toBe(String(other.length));
    expect(Buffer.from(await member.arrayBuffer()).equals(other)).toBe(true);
    const stranger = await fetch(`${pod.url}/app/memory/uploads/${id}/file`, { redirect: "manual" });
    expect(stranger.status).toBe(303);
    for (const path of [`/memory/guides/${id}`, "/memory/guides/..%2F..%2Fpod.sqlite", "/memory/guides/x.pdf"])
      expect((await fetch(`${pod.url}${path}`)).status, path).toBe(404);
    // A members-only guide cannot go with public aid.
    expect((await pod.pod.memory.guideChoices()).map((c) => c.name)).not.toContain("Members only");
  });

  it("removing an uploaded guide takes its file and its links; the offer's Note no longer names it", async () => {
    const made = await upload({ ...good, title: "Seed calendar" }, { bytes: pdf(), name: "calendar.pdf" });
    const id: string = made.json().id;
    const offer = await pod.pod.offers.create("offer", {
      name: "Tomato seeds",
      category: "food",
      quantity: 30,
      unit: "packets",
      area: { name: "Centro" },
    } as never);
    await client.get(`/app/memory/guides/offer/${offer.id}`);
    const attached = await client.post(`/app/memory/guides/offer/${offer.id}`, { guide: `upload:${id}` });
    expect(attached.status).toBe(303);
    const note = async () =>
      (await (
        await fetch(`${pod.url}/offers/${offer.id}/note`, { headers: { accept: "application/activity+json" } })
      ).json()) as { content: string };
    expect((await note()).content).toContain(`${pod.url}/memory/guides/${id}.pdf`);

    await client.get("/app/memory/uploads");
    expect((await client.post(`/app/memory/uploads/${id}/remove`, {})).status).toBe(303);
    expect(files()).not.toContain(`${id}.pdf`);
    expect(pod.pod.memory.guidesOfOffer(offer.id)).toEqual([]);
    expect((await note()).content).not.toContain("Seed calendar");
    expect((await fetch(`${pod.url}/memory/guides/${id}.pdf`)).status).toBe(404);
  });

  /** A member who is not a coordinator, signed in. */
  async function joined(username: string) {
    const coordinator = (await pod.pod.members.list()).find((m) => m.role === "coordinator")!;
    const { secret } = await pod.pod.members.invite(coordinator, "member");
    const member = new WebClient(pod.url);
    await member.get(`/app/join/${secret}`);
    const made = await member.post(`/app/join/${secret}`, {
      displayName: username,
      username,
      password: "another long password",
    });
    expect(made.status).toBe(303);
    return member;
  }

  it("refuses the exact same file again (409), linking the guide it repeats", async () => {
    const bytes = pdf(3000);
    const first = await upload({ ...good, title: "Compost" }, { bytes, name: "compost.pdf" });
    expect(first.status).toBe(201);
    const before = files();
    const again = await upload({ ...good, title: "Compost again" }, { bytes, name: "other-name.pdf" });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({
      status: 409,
      field: "file",
      existing: `/app/memory/uploads/${first.json().id}/file`,
    });
    expect(files()).toEqual(before);
    const page = await upload({ ...good, title: "Compost again" }, { bytes, name: "c.pdf" }, { accept: "text/html" });
    expect(page.status).toBe(409);
    expect(page.text).toContain(`href="/app/memory/uploads/${first.json().id}/file"`);
    await pod.pod.memory.uploads.remove(first.json().id);
  });

  it("refuses an upload that would take the pod's guides past 200 MB (507), naming the limit", async () => {
    // A row that says the guides already hold all but 100 bytes of the limit (no 200 MB written for a test).
    const filler = "01890000-0000-7000-8000-000000000001";
    sqliteOf(pod.pod)
      .db.insert(memoryUploads)
      .values({
        id: filler,
        title: "Filler",
        summary: "Filler",
        fileName: "filler.pdf",
        bytes: 200 * 1024 * 1024 - 100,
        sha256: "f".repeat(64),
        visibility: "internal",
        uploadedBy: "nobody",
        createdAt: new Date().toISOString(),
      })
      .run();
    const made = await upload({ ...good, title: "One too many" }, { bytes: pdf(700), name: "late.pdf" });
    expect(made.status).toBe(507);
    expect(made.json()).toMatchObject({ status: 507, field: "file" });
    expect(made.json().detail).toContain("200 MB");
    expect((await stored()).map((u) => u.title)).not.toContain("One too many");
    await pod.pod.memory.uploads.remove(filler);
    expect((await upload({ ...good, title: "Fits now" }, { bytes: pdf(700), name: "late.pdf" })).status).toBe(201);
  });

  it("only its uploader or a coordinator removes or changes an upload; only a coordinator makes one public", async () => {
    const beto = await joined("beto");
    const cato = await joined("cato");
    const internal = { ...good, title: "Beto's notes", visibility: "internal" };
    expect(
      (await upload({ ...good, title: "Beto public" }, { bytes: pdf(801), name: "b.pdf" }, { as: beto })).status,
    ).toBe(403);
    const made = await upload(internal, { bytes: pdf(800), name: "beto.pdf" }, { as: beto });
    expect(made.status).toBe(201);
    const id: string = made.json().id;
    expect((await beto.get("/app/memory/uploads")).html).not.toContain(`action="/app/memory/uploads/${id}/visibility"`);
    expect((await cato.get("/app/memory/uploads")).html).not.toContain(`action="/app/memory/uploads/${id}/remove"`);

    expect((await cato.post(`/app/memory/uploads/${id}/visibility`, { visibility: "public" })).status).toBe(403);
    expect((await beto.post(`/app/memory/uploads/${id}/visibility`, { visibility: "public" })).status).toBe(403);
    expect((await cato.post(`/app/memory/uploads/${id}/remove`, {})).status).toBe(403);
    expect((await pod.pod.memory.uploads.get(id))?.visibility).toBe("internal");
    expect(files()).toContain(`${id}.pdf`);

    await client.get("/app/memory/uploads");
    expect((await client.post(`/app/memory/uploads/${id}/visibility`, { visibility: "public" })).status).toBe(303);
    expect((await pod.pod.memory.uploads.get(id))?.visibility).toBe("public");
    await beto.get("/app/memory/uploads");
    expect((await beto.post(`/app/memory/uploads/${id}/visibility`, { visibility: "internal" })).status).toBe(303);
    expect((await beto.post(`/app/memory/uploads/${id}/remove`, {})).status).toBe(303);
    expect(files()).not.toContain(`${id}.pdf`);
  });

  it("takes at most 20 uploads from one member in 24 hours (429)", async () => {
    const dana = await joined("dana");
    const internal = { ...good, visibility: "internal" };
    for (let n = 0; n < 20; n++) {
      const made = await upload(
        { ...internal, title: `Page ${n}` },
        { bytes: pdf(900 + n), name: "p.pdf" },
        { as: dana },
      );
      expect(made.status, `upload ${n}`).toBe(201);
    }
    const refused = await upload({ ...internal, title: "Page 21" }, { bytes: pdf(950), name: "p.pdf" }, { as: dana });
    expect(refused.status).toBe(429);
    expect(refused.json()).toMatchObject({ status: 429, field: "file" });
    expect(refused.json().detail).toContain("20 uploads");
    // Another member is not held back by Dana's uploads.
    expect((await upload({ ...good, title: "Ana's" }, { bytes: pdf(951), name: "a.pdf" })).status).toBe(201);
  });
});

describe("memory: as the room starts, guide files no upload names are removed", () => {
  it("removes partial files and orphans from a crash, keeps every uploaded guide", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "memory-sweep-"));
    try {
      const first = await startInProcessPod({ env: { DATA_DIR: dataDir } });
      const ana = await setUpPod(first.url, `/app/setup/${await first.pod.members.freshSetupSecret()}`);
      expect(ana).toBeDefined();
      const coordinator = (await first.pod.members.list())[0]!;
      const kept = await first.pod.memory.uploads.add({
        title: "Kept",
        summary: "Stays.",
        visibility: "internal",
        fileName: "kept.pdf",
        bytes: pdf(1000),
        uploadedBy: coordinator.id,
      });
      await first.close();

      const dir = join(dataDir, "guides");
      const orphan = "01890000-0000-7000-8000-0000000000aa.pdf";
      writeFileSync(join(dir, ".01890000-0000-7000-8000-0000000000bb.partial"), pdf(500));
      writeFileSync(join(dir, orphan), pdf(500));
      mkdirSync(join(dir, "stray-folder"));
      expect(readdirSync(dir).sort()).toHaveLength(4);

      // The same pod again (its address is part of its identity); only its start matters here.
      const second = await startInProcessPod({ env: { DATA_DIR: dataDir, POD_URL: first.url } });
      expect(readdirSync(dir)).toEqual([`${kept.id}.pdf`]);
      expect((await second.pod.memory.uploads.get(kept.id))?.title).toBe("Kept");
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
