import jsQRModule from "jsqr";
import type { Browser, Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPage, launchBrowser, newPhone, signedInPage } from "../support/browser.ts";
import { collectionItems, followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import type { WebClient } from "../support/web-client.ts";

// jsqr is CommonJS with a `default` export: under nodenext the default import is the module object.
const jsQR = (jsQRModule as unknown as { default: typeof jsQRModule.default }).default;

/** Words that only an internal entry carries: they must never leave the pod. */
const SECRET = "Zebraquokka";

/** The pod's memory in the app, on the public site and across pods: two real pod processes, one browser. */
describe("memory: decisions, workflows and lessons", { timeout: 240_000 }, () => {
  let origin: PodProcess;
  let follower: PodProcess;
  let browser: Browser;
  let page: Page;
  let pageEs: Page;
  let client: WebClient;
  let followerPage: Page;

  async function both(path: string, name: string) {
    await pageEs.goto(origin.url + path);
    await checkPage(pageEs, `${name}-es`);
    await page.goto(origin.url + path);
    await checkPage(page, name);
  }

  /** Writes an entry through the app's form; returns the entry's app path. */
  async function write(kind: string, values: Record<string, string>, visibility = "internal") {
    await page.goto(`${origin.url}/app/memory/new?kind=${kind}`);
    for (const [field, value] of Object.entries(values)) await page.fill(`#f-${field}`, value);
    await page.check(`#vis-${visibility}`);
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/app\/memory\/[0-9a-f-]{36}$/);
    return new URL(page.url()).pathname;
  }

  const followerView = async () => (await fetch(`${follower.url}/confederation/memory`)).text();

  beforeAll(async () => {
    [origin, follower, browser] = await Promise.all([
      startPod("memory-origin", { POD_NAME: "Riverside", POD_TIME_ZONE: "America/Mexico_City" }),
      startPod("memory-follower", { POD_NAME: "Hillside" }),
      launchBrowser(),
    ]);
    const signedIn = await signedInPage(browser, origin);
    page = signedIn.page;
    client = signedIn.client;
    const context = await newPhone(browser, "es-MX");
    await context.addCookies(
      [...client.cookies].map(([name, value]) => ({
        name,
        value,
        url: origin.url,
        httpOnly: true,
        sameSite: "Lax" as const,
      })),
    );
    pageEs = await context.newPage();
    followerPage = (await signedInPage(browser, follower)).page;
    await followAndWait(follower, origin);
    await followAndWait(origin, follower);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([origin?.stop(), follower?.stop()]);
  });

  it("a decision made internal, then public, reaches the following pod's view; withdrawn, it is gone there", async () => {
    const path = await write("decision", {
      title: "Close the pantry on Sundays",
      summary: "Volunteers rest one day a week.",
      body: "Three volunteers burned out in March.",
      decidedBy: "The assembly",
      alternatives: "Rotate Sundays between teams.",
      reviewOn: "2020-01-15",
    });
    await checkPage(page, "memory-decision");
    // Internal: nothing published, nothing in the neighbor's view.
    expect((await origin.admin("GET", path.replace("/app", ""))).body.publicationId).toBeNull();

    await page.getByRole("button", { name: "Make it public" }).click();
    await expect.poll(() => page.getByRole("link", { name: "Its public page" }).count()).toBe(1);
    const publicPath = (await page.getByRole("link", { name: "Its public page" }).getAttribute("href"))!;
    await waitUntil(async () => (await followerView()).includes("Close the pantry on Sundays"), 30_000);
    await pageEs.goto(`${follower.url}/confederation/memory`);
    await checkPage(pageEs, "memory-view-es");
    await page.goto(`${follower.url}/confederation/memory`);
    await checkPage(page, "memory-view");
    expect(await page.textContent("main")).toContain("Riverside");

    // People's servers read one Note: kind and title in bold, the gist, a link; no name, no summary.
    const note = await origin.getActivityPub(`${origin.url}${publicPath}/note`);
    expect(note.type).toBe("Note");
    expect(note.name).toBeUndefined();
    expect(note.summary).toBeUndefined();
    expect(note.content).toContain("<strong>Decision: Close the pantry on Sundays</strong>");
    expect(note.content).toContain("Volunteers rest one day a week.");
    const article = await origin.getActivityPub(`${origin.url}${publicPath}`);
    expect(article.type).toBe("Article");
    expect(JSON.stringify(article.attachment)).toContain("decision");

    // The coordinator sees the review that is due, on the dashboard and the memory page.
    await page.goto(`${origin.url}/app`);
    expect(await page.textContent("main")).toContain("Decisions due for review: 1");
    await both("/app/memory", "memory-list");
    expect(await page.textContent("main")).toContain("Decisions due for review");

    // Public site: list, page, feeds, search.
    await both("/memory", "memory-public");
    await both(publicPath, "memory-public-entry");
    expect(await page.textContent("main")).toContain("The assembly");
    const atom = await (await fetch(`${origin.url}/memory.atom`)).text();
    expect(atom).toContain("Close the pantry on Sundays");
    const json = await (await fetch(`${origin.url}/memory.json`)).json();
    expect(json.version).toBe("https://jsonfeed.org/version/1.1");
    expect(json.items[0].title).toBe("Decision: Close the pantry on Sundays");

    await page.goto(`${origin.url}${path}`);
    await page.getByRole("button", { name: "Withdraw", exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/app/memory");
    expect((await fetch(`${origin.url}${publicPath}`)).status).toBe(410);
    expect((await fetch(`${origin.url}${publicPath}/note`)).status).toBe(410);
    await waitUntil(async () => !(await followerView()).includes("Close the pantry on Sundays"), 30_000);
  });

  it("a workflow edited twice keeps its revisions and shows both diffs", async () => {
    await both("/app/memory/new?kind=workflow", "memory-new-workflow");
    const path = await write(
      "workflow",
      { title: "Packing food boxes", summary: "How we pack a box.", body: "- Rice\n- Beans" },
      "public",
    );
    for (const [body, note] of [
      ["- Rice\n- Beans\n- Oil", "Add oil"],
      ["- Rice\n- Lentils\n- Oil", "Lentils instead of beans"],
    ]) {
      await page.goto(`${origin.url}${path}`);
      await page.fill("#f-body", body!);
      await page.fill("#f-changeNote", note!);
      await page.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe("/app/memory");
    }
    await both(path, "memory-workflow");
    expect(await page.textContent("main")).toContain("Lentils instead of beans");
    await page.click("text=changes from 1 to 2");
    await checkPage(page, "memory-diff");
    expect(await page.locator(".memory-diff ins").allTextContents()).toEqual(["Added: + - Oil"]);
    await page.goto(`${origin.url}${path}/diff?from=2&to=3`);
    expect(await page.locator(".memory-diff del").allTextContents()).toEqual(["Removed: - - Beans"]);
    expect(await page.locator(".memory-diff ins").allTextContents()).toEqual(["Added: + - Lentils"]);
  });

  it("an offer carries the workflow as a guide: on its page, in its Note, on a hand-out whose QR decodes", async () => {
    const made = await origin.admin("POST", "/offers", {
      name: "Food boxes",
      category: "food",
      quantity: 10,
      unit: "boxes",
      area: { name: "Centro" },
    });
    expect(made.status).toBe(201);
    const guidesPath = `/app/memory/guides/offer/${made.body.id}`;
    await both("/app/memory/guides", "memory-guides-list");
    await page.goto(`${origin.url}${guidesPath}`);
    await page.selectOption("#guide", { label: "Workflow: Packing food boxes" });
    await page.getByRole("button", { name: "Add this guide" }).click();
    await expect.poll(() => page.getByRole("link", { name: "Packing food boxes" }).count()).toBe(1);
    const guideUrl = (await page.getByRole("link", { name: "Packing food boxes" }).getAttribute("href"))!;
    expect(guideUrl).toMatch(new RegExp(`^${origin.url}/memory/[0-9a-f-]{36}$`));
    await both(guidesPath, "memory-guides");

    await page.goto(`${origin.url}/offers/${made.body.id}`);
    expect(await page.getByRole("link", { name: "Packing food boxes" }).getAttribute("href")).toBe(guideUrl);
    const note = await origin.getActivityPub(`${origin.url}/offers/${made.body.id}/note`);
    expect(note.content).toContain(`<a href="${guideUrl}">Packing food boxes</a>`);

    await both(`${guidesPath}/handout`, "memory-handout");
    const shot = PNG.sync.read(await page.locator(".qr").first().screenshot());
    const decoded = jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height);
    expect(decoded?.data).toBe(guideUrl);
  });

  it("a charter service carries the workflow as a guide: beside the service on its page, in its Note", async () => {
    const charter = await origin.admin("PUT", "/charter", {
      changeNote: "First charter",
      services: [{ key: "food-boxes", name: "Weekly food boxes", category: "food", area: "Centro" }],
    });
    expect(charter.status, JSON.stringify(charter.body)).toBe(201);
    const servicePath = "/app/memory/guides/service/food-boxes";
    await page.goto(`${origin.url}${servicePath}`);
    await page.selectOption("#guide", { label: "Workflow: Packing food boxes" });
    await page.getByRole("button", { name: "Add this guide" }).click();
    await expect.poll(() => page.getByRole("link", { name: "Packing food boxes" }).count()).toBe(1);
    const guideUrl = (await page.getByRole("link", { name: "Packing food boxes" }).getAttribute("href"))!;
    await both(servicePath, "memory-guides-service");
    expect(await page.textContent("main")).toContain("Charter service");

    await both("/charter", "memory-charter-guides");
    const service = page.locator("#service-food-boxes");
    expect(await service.getByRole("link", { name: "Packing food boxes" }).getAttribute("href")).toBe(guideUrl);
    const note = await origin.getActivityPub(`${origin.url}/charter/note`);
    expect(note.content).toContain(`<a href="${guideUrl}">Packing food boxes</a>`);
    const article = await origin.getActivityPub(`${origin.url}/charter`);
    expect(article.content).toContain(`<a href="${guideUrl}">Packing food boxes</a>`);
  });

  it("an uploaded PDF goes with an offer: the hand-out's QR code decodes to its address, serving the PDF", async () => {
    const bytes = Buffer.from(`%PDF-1.4\n% Seed saving guide\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n`);
    await both("/app/memory/uploads", "memory-uploads");
    await page.fill("#f-title", "Saving seeds");
    await page.fill("#f-summary", "Dry them well, keep them cool and dark.");
    await page.setInputFiles("#f-file", { name: "seeds.pdf", mimeType: "application/pdf", buffer: bytes });
    await page.check("#upload-vis-public");
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    await expect.poll(() => page.textContent("main")).toContain("Saved.");

    const made = await origin.admin("POST", "/offers", {
      name: "Seedlings",
      category: "food",
      quantity: 20,
      unit: "trays",
      area: { name: "Centro" },
    });
    const guidesPath = `/app/memory/guides/offer/${made.body.id}`;
    await page.goto(`${origin.url}${guidesPath}`);
    await page.selectOption("#guide", { label: "Uploaded guide: Saving seeds" });
    await page.getByRole("button", { name: "Add this guide" }).click();
    await expect.poll(() => page.getByRole("link", { name: "Saving seeds" }).count()).toBe(1);
    const pdfUrl = (await page.getByRole("link", { name: "Saving seeds" }).getAttribute("href"))!;
    expect(pdfUrl).toMatch(new RegExp(`^${origin.url}/memory/guides/[0-9a-f-]{36}\\.pdf$`));

    await both(`${guidesPath}/handout`, "memory-handout-pdf");
    const shot = PNG.sync.read(await page.locator(".qr").first().screenshot());
    const decoded = jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height);
    expect(decoded?.data).toBe(pdfUrl);
    const served = await fetch(decoded!.data);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("application/pdf");
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
    const note = await origin.getActivityPub(`${origin.url}/offers/${made.body.id}/note`);
    expect(note.content).toContain(`<a href="${pdfUrl}">Saving seeds</a>`);
  });

  it("a neighbor adapts the public workflow; the origin's view lists the adaptation", async () => {
    await waitUntil(async () => (await followerView()).includes("Packing food boxes"), 30_000);
    await followerPage.goto(`${follower.url}/app/memory`);
    await followerPage.getByRole("link", { name: "Adapt this workflow" }).click();
    expect(await followerPage.inputValue("#f-title")).toBe("Packing food boxes");
    expect(await followerPage.inputValue("#f-body")).toContain("Lentils");
    // A form that fails validation keeps the link to where the workflow came from.
    await followerPage.fill("#f-title", "");
    await followerPage.evaluate(() => document.querySelector("#f-title")?.removeAttribute("required"));
    await followerPage.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => followerPage.locator("#f-title-error").count()).toBe(1);
    expect(await followerPage.textContent("main")).toContain("Packing food boxes");
    expect(await followerPage.locator('input[name="adaptedFrom"]').count()).toBe(1);
    await followerPage.fill("#f-title", "Packing food boxes");
    await followerPage.check("#vis-public");
    await followerPage.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => new URL(followerPage.url()).pathname).toMatch(/^\/app\/memory\/[0-9a-f-]{36}$/);
    const originView = async () => (await fetch(`${origin.url}/confederation/memory`)).text();
    await waitUntil(async () => (await originView()).includes("Adapted by 1"), 30_000);
  });

  it("the confederal view of decisions and workflows has Atom and JSON Feed, linked from its page", async () => {
    await page.goto(`${follower.url}/confederation/memory`);
    const atomLink = page.locator("main").getByRole("link", { name: "Atom feed" });
    expect(await atomLink.getAttribute("href")).toBe("/view/memory.atom");
    const atom = await fetch(`${follower.url}/view/memory.atom`);
    expect(atom.headers.get("content-type")).toContain("application/atom+xml");
    expect(await atom.text()).toContain("Packing food boxes");
    const json = await (await fetch(`${follower.url}/view/memory.json`)).json();
    expect(json.version).toBe("https://jsonfeed.org/version/1.1");
    expect(json.items.map((item: { title: string }) => item.title)).toContain("Packing food boxes");
  });

  it("a lesson promoted to a practice keeps the link", async () => {
    // A members-only lesson cannot become a practice (a practice is published at once).
    await write("lesson", { title: "Members only lesson", summary: "Stays in the pod." });
    expect(await page.getByRole("button", { name: "Promote to a practice" }).count()).toBe(0);
    expect(await page.textContent("main")).toContain("Make this lesson public first");
    const path = await write(
      "lesson",
      {
        title: "Cold chain at the market",
        summary: "Ice boxes kept the milk fresh.",
        body: "The milk spoiled twice.",
        learned: "Heat is the enemy.",
        changed: "We bring ice boxes.",
      },
      "public",
    );
    await page.getByRole("button", { name: "Promote to a practice" }).click();
    const practiceLink = page.getByRole("link", { name: "Open the practice" });
    await expect.poll(() => practiceLink.count()).toBe(1);
    await checkPage(page, "memory-lesson");
    const practicePath = (await practiceLink.getAttribute("href"))!;
    const practice = await origin.admin("GET", practicePath);
    expect(practice.body.title).toBe("Cold chain at the market");
    expect((await origin.admin("GET", path.replace("/app", ""))).body.practiceId).toBe(practice.body.id);
    // And back: the practice's page in the app links the lesson it came from.
    await page.goto(`${origin.url}/app${practicePath}`);
    expect(await page.getByRole("link", { name: "Cold chain at the market" }).getAttribute("href")).toBe(path);
    // The public practice page links the public lesson.
    const lesson = await origin.admin("GET", path.replace("/app", ""));
    await both(practicePath, "memory-practice-from-lesson");
    expect(await page.getByRole("link", { name: "Cold chain at the market" }).getAttribute("href")).toBe(
      `${origin.url}/memory/${lesson.body.publicationId}`,
    );
  });

  it("search: members find internal entries; the public search and every public document never show them", async () => {
    await write("decision", { title: `Key holders ${SECRET}`, summary: `Only ${SECRET} coordinators hold keys.` });
    await page.goto(`${origin.url}/app/memory/search?q=${SECRET.toLowerCase()}`);
    await checkPage(page, "memory-search");
    expect(await page.textContent("main")).toContain(`Key holders ${SECRET}`);
    await both(`/memory/search?q=${SECRET}`, "memory-public-search");
    expect(await page.textContent("main")).not.toContain(SECRET);
    await page.goto(`${origin.url}/memory/search?q=packing`);
    expect(await page.textContent("main")).toContain("Packing food boxes");

    const actor = await origin.getActivityPub(origin.actorUrl);
    const documents = [
      JSON.stringify(actor),
      JSON.stringify(await collectionItems(origin, `${origin.actorUrl}/memory`)),
      JSON.stringify(await collectionItems(origin, actor.outbox)),
      await (await fetch(`${origin.url}/memory`)).text(),
      await (await fetch(`${origin.url}/memory.atom`)).text(),
      await (await fetch(`${origin.url}/memory.json`)).text(),
      await (await fetch(`${origin.url}/`)).text(),
      await followerView(),
    ];
    for (const document of documents) expect(document).not.toContain(SECRET);
    expect(documents[1]).toContain("/memory/");
  });
});
