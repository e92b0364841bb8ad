import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { squarePng } from "../../src/web/avatar.ts";
import { launchBrowser, newPhone, screenshots, scrollsSideways, seriousViolations } from "../support/browser.ts";
import { collectionItems, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

const bodyOf = (request: { body: Buffer }) => JSON.parse(request.body.toString("utf8"));

/** Settings, first-run confirmation, charter and categories authoring, in a real browser against a pod process. */
describe("web app: settings, setup confirmation, charter and categories", { timeout: 300_000 }, () => {
  let pod: PodProcess;
  let alice: RemoteActor;
  let browser: Browser;
  let page: Page;

  /** axe and 390 px in English and Spanish, and screenshots of both. */
  async function checkPage(name: string) {
    const path = new URL(page.url()).pathname;
    for (const lang of ["es", "en"] as const) {
      await page.goto(`${pod.url}${path}?lang=${lang}`);
      expect(await seriousViolations(page), `${name} (${lang}): accessibility`).toEqual([]);
      expect(await scrollsSideways(page), `${name} (${lang}): fits 390 px`).toBe(false);
      await screenshots(page, `settings-${name}-${lang}`);
    }
  }

  beforeAll(async () => {
    [pod, alice, browser] = await Promise.all([
      startPod("settings-app", { POD_TIME_ZONE: "Europe/Madrid", POD_LANGUAGES: "en" }),
      startRemoteActor("alice"),
      launchBrowser(),
    ]);
    page = await (await newPhone(browser)).newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([pod?.stop(), alice?.close()]);
  });

  it("the first-run setup confirms the pod's name, summary, time zone and languages", async () => {
    const link = /\/app\/setup\/[\w-]+/.exec(pod.logs())?.[0];
    expect(link).toBeDefined();
    await page.goto(pod.url + link);
    expect(await page.inputValue("#f-name")).toBe("Pod settings-app");
    expect(await page.inputValue("#f-timeZone")).toBe("Europe/Madrid");
    expect(await page.inputValue("#f-languages")).toBe("en");
    await checkPage("setup");

    await page.fill("#f-name", "Barrio Norte");
    await page.fill("#f-summary", "Ayuda mutua en el barrio norte.");
    await page.selectOption("#f-timeZone", "America/Mexico_City");
    await page.fill("#f-languages", "es, xx_bad");
    await page.fill("#f-displayName", "Ana");
    await page.fill("#f-username", "ana");
    await page.fill("#f-password", "a long enough password");
    await page.click("button[type=submit]");
    expect(await page.textContent("#f-languages-error")).toContain("language codes");
    await page.fill("#f-languages", "es, en");
    await page.fill("#f-password", "a long enough password");
    await page.click("button[type=submit]");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/app");

    const actor = await pod.getActivityPub(pod.actorUrl);
    expect(actor.name).toBe("Barrio Norte");
    expect(actor.summary).toBe("<p>Ayuda mutua en el barrio norte.</p>");
    await page.goto(`${pod.url}/app/settings`);
    expect(await page.inputValue("#f-timeZone")).toBe("America/Mexico_City");
    expect(await page.inputValue("#f-languages")).toBe("es, en");
    const instance = await (await fetch(`${pod.url}/api/v2/instance`)).json();
    expect(instance.languages).toEqual(["es", "en"]);
  });

  it("accepts a follower (setup for the Update check)", async () => {
    const follow = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${alice.actorId}/follows/1`,
      type: "Follow",
      actor: alice.actorId,
      object: pod.actorUrl,
    };
    const response = await postRaw(await signMastodonStyle(alice, `${pod.actorUrl}/inbox`, follow));
    expect(response.status).toBeLessThan(300);
    await waitUntil(() => alice.inbox.some((r) => bodyOf(r).type === "Accept"), 15_000);
  });

  it("a new name and avatar reach the actor document, NodeInfo and followers; the picture is served", async () => {
    await page.goto(`${pod.url}/app/settings`);
    await checkPage("settings");
    const before = alice.inbox.length;
    await page.fill("#f-name", "Barrio Norte Solidario");
    await page.check("input[name=approveFollowers][value=manual]");
    await page.click("form[action='/app/settings'] button[type=submit]");
    expect(await page.textContent(".notice.ok")).toContain("Settings saved");

    await page.setInputFiles("#f-avatar", {
      name: "not-a-picture.png",
      mimeType: "image/png",
      buffer: Buffer.from("<b>hi</b>"),
    });
    await page.click("form[action='/app/settings/avatar'] button[type=submit]");
    expect(await page.textContent("#f-avatar-error")).toContain("not a PNG");
    await screenshots(page, "settings-upload-error-en");

    const png = squarePng(48, [0xc6, 0x28, 0x28]);
    await page.setInputFiles("#f-avatar", { name: "avatar.png", mimeType: "image/png", buffer: png });
    await page.click("form[action='/app/settings/avatar'] button[type=submit]");
    expect(await page.textContent(".notice.ok")).toContain("Picture saved");
    expect(await page.getAttribute("img.pod-avatar", "src")).toMatch(/^\/media\/avatar-[0-9a-f]{16}\.png$/);
    await checkPage("settings-saved");

    const actor = await pod.getActivityPub(pod.actorUrl);
    expect(actor.name).toBe("Barrio Norte Solidario");
    expect(actor.manuallyApprovesFollowers).toBe(true);
    expect(actor.icon.url).toMatch(new RegExp(`^${pod.url}/media/avatar-[0-9a-f]{16}\\.png$`));
    expect(actor.icon.mediaType).toBe("image/png");
    const served = await fetch(actor.icon.url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toContain("immutable");
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);

    const nodeInfo = await (await fetch(`${pod.url}/nodeinfo/2.1`)).json();
    expect(nodeInfo.metadata.nodeName).toBe("Barrio Norte Solidario");

    // Followers hear of it: an Update of the actor carrying the new icon.
    await waitUntil(
      () =>
        alice.inbox
          .slice(before)
          .some((r) => bodyOf(r).type === "Update" && bodyOf(r).object?.icon?.url === actor.icon.url),
      20_000,
    );
    await page.goto(`${pod.url}/app/audit`);
    expect(await page.textContent("main")).toContain("settings.avatar");
  });

  it("adds a pod category and renames it", async () => {
    await page.goto(`${pod.url}/app/categories`);
    await checkPage("categories");
    await page.fill("#f-slug", "Bike Repair!");
    await page.fill("#f-label", "Bike repair");
    await page.click("form[action='/app/categories'] button[type=submit]");
    expect(await page.textContent("#f-slug-error")).toContain("lowercase");
    await page.fill("#f-slug", "bike-repair");
    await page.click("form[action='/app/categories'] button[type=submit]");
    expect(await page.textContent(".notice.ok")).toContain("Category added");
    await page.fill("#rename-bike-repair", "Bicycle repair");
    await page.click("form[action='/app/categories/bike-repair'] button[type=submit]");
    expect(await page.textContent(".notice.ok")).toContain("Category renamed");
    await checkPage("categories-own");
    const category = await (await fetch(`${pod.url}/categories/bike-repair`)).json();
    expect(category).toMatchObject({ slug: "bike-repair", label: "Bicycle repair", shared: false });
  });

  it("publishes a charter with a service now and a planned one with needs: public page and outbox", async () => {
    await page.goto(`${pod.url}/app/charter`);
    await checkPage("charter-empty");
    await page.fill("#f-s0-name", "Comedor comunitario");
    await page.selectOption("#f-s0-category", "meals");
    await page.fill("#f-s0-description", "Comida caliente para quien la necesite.");
    await page.fill("#f-s0-schedule", "Sábados 13:00–15:00");
    await page.fill("#f-s0-area", "Barrio Norte");
    await page.fill("#f-p0-name", "Taller de bicis");
    await page.selectOption("#f-p0-category", "bike-repair");
    await page.fill("#f-p0-target", "2027 first quarter");
    await page.fill("#f-p0-people", "3");
    await page.fill("#f-p0-skills", "mecánica, soldadura");
    await page.fill("#f-p0-materials", "llaves, bombas");
    await page.fill("#f-changeNote", "Primera carta");
    await page.click("form[action='/app/charter'] button[type=submit]");
    expect(await page.textContent("#f-p0-target-error")).toContain("2027-Q1");
    await screenshots(page, "settings-charter-error-en");
    await page.fill("#f-p0-target", "2027-Q1");
    await page.click("form[action='/app/charter'] button[type=submit]");
    expect(await page.textContent(".notice.ok")).toContain("Revision 1 published");
    expect(await page.textContent("main")).toContain("Taller de bicis");
    await checkPage("charter");

    const publicPage = await (await fetch(`${pod.url}/charter`)).text();
    expect(publicPage).toContain("Comedor comunitario");
    expect(publicPage).toContain("Taller de bicis");
    expect(publicPage).toContain("soldadura");
    const charter = await pod.getActivityPub(`${pod.url}/charter`);
    const planned = charter.attachment.find((a: { name?: string }) => a.name === "Taller de bicis");
    expect(planned, JSON.stringify(charter.attachment)).toBeDefined();
    const outbox = await collectionItems(pod, `${pod.actorUrl}/outbox`);
    // The outbox lists what people read: the charter's Note, which names what the planned service still needs.
    expect(
      outbox.some((id) => id.startsWith(`${pod.url}/charter/note#create-`)),
      outbox.join("\n"),
    ).toBe(true);
    const note = await pod.getActivityPub(`${pod.url}/charter/note`);
    expect(note.content).toContain("To start Taller de bicis we still need 3 people");
    // A person's server gets the readable Note (pods get the Article).
    await waitUntil(() => alice.inbox.some((r) => bodyOf(r).object?.id === `${pod.url}/charter/note`), 20_000);
  });

  it("records the monthly review and shows the next due date; a second revision keeps the history", async () => {
    await page.goto(`${pod.url}/app/charter`);
    await page.click("form[action='/app/charter/review'] button[type=submit]");
    expect(await page.textContent(".notice.ok")).toContain("Review recorded. Next review due");
    expect(await page.textContent("main")).toContain("Next monthly review due");

    await page.fill("#f-s1-name", "Reparación de bicis");
    await page.selectOption("#f-s1-category", "bike-repair");
    await page.fill("#f-s1-area", "Barrio Norte");
    await page.fill("#f-p0-name", "");
    await page.fill("#f-changeNote", "El taller ya funciona");
    await page.click("form[action='/app/charter'] button[type=submit]");
    expect(await page.textContent(".notice.ok")).toContain("Revision 2 published");
    expect(await page.textContent("#history + ol")).toContain("El taller ya funciona");
    const history = await (await fetch(`${pod.url}/charter/history`)).text();
    expect(history).toContain("Primera carta");
    expect(history).toContain("El taller ya funciona");
    const charter = await pod.getActivityPub(`${pod.url}/charter`);
    const names = charter.attachment.map((a: { name?: string }) => a.name);
    expect(names).toContain("Reparación de bicis");
    expect(names).not.toContain("Taller de bicis");
    await page.goto(`${pod.url}/app/audit`);
    const audit = await page.textContent("main");
    expect(audit).toContain("charter.review");
    expect(audit).toContain("category.add");
  });
});
