import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { checkPage, launchBrowser, signedInPage, pageAs } from "../support/browser.ts";
import { mastodonGet, operatorAppToken } from "../support/oauth-consent.ts";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";
import type { WebClient } from "../support/web-client.ts";

const AS = "https://www.w3.org/ns/activitystreams";

/**
 * Authoring in the web app against two real pods: editing an offer (the Update reaches a neighbor), writing a
 * practice with a preview, following a pod by handle and answering its follow request, re-sharing, adapting a
 * neighbor's practice, the responses and apps on the dashboard, and revoking an app.
 */
describe("web app: offers, practices, neighbors and apps", { timeout: 300_000 }, () => {
  /** Asks before accepting followers, so its coordinator answers the request in the app. */
  let north: PodProcess;
  let south: PodProcess;
  let reader: RemoteActor;
  let browser: Browser;
  let northPage: Page;
  let northEs: Page;
  let southPage: Page;
  let northClient: WebClient;
  let offerPath = "";

  /** A Spanish-speaking phone with the same coordinator's session. */
  const spanishPage = (pod: PodProcess, client: WebClient) => pageAs(browser, pod.url, client, "es-MX");

  /** Opens the page in both languages, checks both, and leaves the English one open. */
  async function checkBoth(path: string, name: string) {
    await northEs.goto(north.url + path);
    await checkPage(northEs, `${name}-es`);
    await northPage.goto(north.url + path);
    await checkPage(northPage, name);
  }

  beforeAll(async () => {
    [north, south, reader, browser] = await Promise.all([
      startPod("content-north", { POD_APPROVE_FOLLOWERS: "true", POD_TIME_ZONE: "America/Mexico_City" }),
      startPod("content-south"),
      startRemoteActor("reader", { name: "Reader" }),
      launchBrowser(),
    ]);
    const [n, s] = await Promise.all([signedInPage(browser, north), signedInPage(browser, south)]);
    northPage = n.page;
    southPage = s.page;
    northEs = await spanishPage(north, n.client);
    northClient = n.client;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([north?.stop(), south?.stop(), reader?.close()]);
  });

  it("a coordinator edits an offer with the area picker: the public page shows the change, coarse", async () => {
    await northPage.goto(`${north.url}/app/offers/new?kind=offer`);
    await northPage.fill("#f-name", "Fresh bread");
    await northPage.fill("#f-quantity", "12");
    await northPage.fill("#f-unit", "loaves");
    await northPage.fill("#f-area", "Centro");
    await northPage.fill("#f-point", "19.432608, -99.133209");
    await northPage.click("main button[type=submit]");
    await expect.poll(() => new URL(northPage.url()).pathname).toBe("/app/offers");
    await northPage.click("text=Fresh bread");
    offerPath = new URL(northPage.url()).pathname;
    const publicPath = offerPath.replace("/app/offers/offer/", "/offers/");

    await northPage.click("text=Edit");
    await checkBoth(`${offerPath}/edit`, "offer-edit");
    expect(await northPage.inputValue("#f-point")).toBe("19.43, -99.13");
    await northPage.fill("#f-point", "not a place");
    await northPage.click("main button[type=submit]");
    expect(await northPage.textContent("#f-point-error")).toContain("latitude and longitude");
    await checkPage(northPage, "offer-edit-error");
    await northPage.fill("#f-name", "Bread and rolls");
    await northPage.fill("#f-quantity", "20");
    await northPage.fill("#f-point", "");
    await northPage.click("main button[type=submit]");
    expect(await northPage.textContent("[role=status]")).toContain("Saved");
    expect(await northPage.textContent("main")).toContain("20 of 20 loaves left");
    await checkPage(northPage, "offer-saved");

    const page = await (await fetch(north.url + publicPath)).text();
    expect(page).toContain("Bread and rolls");
    const published = await north.getActivityPub(north.url + publicPath);
    expect(published.name).toBe("Bread and rolls");
    expect(published.updated).toBeDefined();
    // The known area kept its coarse point: two decimals, never the address-level one typed first.
    expect([published.location.latitude, published.location.longitude]).toEqual([19.43, -99.13]);
    expect(JSON.stringify(published)).not.toContain("19.4326");

    // A second offer picks the known area from the list and gets its coarse point.
    await northPage.goto(`${north.url}/app/offers/new?kind=need`);
    await northPage.fill("#f-name", "Blankets");
    await northPage.fill("#f-quantity", "4");
    await northPage.fill("#f-unit", "blankets");
    await northPage.selectOption("#f-place", "Centro");
    await northPage.click("main button[type=submit]");
    await expect.poll(() => new URL(northPage.url()).pathname).toBe("/app/offers");
    const needs = (await north.admin("GET", "/needs")).body.items;
    expect(needs[0]).toMatchObject({ name: "Blankets", areaName: "Centro", latitude: 19.43, longitude: -99.13 });
  });

  it("a coordinator writes a practice in Markdown, previews it without publishing, then publishes", async () => {
    await checkBoth("/app/practices", "practices");
    await northPage.goto(`${north.url}/app/practices/new`);
    await northPage.fill("#f-title", "Shared childcare rota");
    await northPage.fill("#f-summary", "Parents take turns, two at a time, so every parent gets a free evening.");
    await northPage.fill(
      "#f-body",
      "Two **adults** each evening.\n\n- sign up weekly\n- swap freely\n\n<script>x()</script>",
    );
    await northPage.fill("#f-tags", "childcare #rota");
    await northPage.click("button[value=preview]");
    expect(await northPage.innerHTML("#preview ~ .rendered")).toContain("<strong>adults</strong>");
    expect(await northPage.locator(".rendered li").count()).toBe(2);
    expect(await northPage.locator(".rendered script").count()).toBe(0);
    expect((await north.admin("GET", "/practices")).body.items).toHaveLength(0);
    await checkPage(northPage, "practice-preview");
    await northEs.goto(`${north.url}/app/practices/new`);
    await checkPage(northEs, "practice-new-es");

    await northPage.click("button[value=publish]");
    await expect.poll(() => new URL(northPage.url()).pathname).toBe("/app/practices");
    expect(await northPage.textContent("[role=status]")).toContain("Published");
    const [practice] = (await north.admin("GET", "/practices")).body.items;
    expect(practice).toMatchObject({ title: "Shared childcare rota", tags: ["childcare", "rota"] });
    const article = await north.getActivityPub(`${north.url}/practices/${practice.id}`);
    expect(article.content).toContain("<li>sign up weekly</li>");
    expect(article.content).not.toContain("<script");

    await northPage.click("text=Shared childcare rota");
    await checkPage(northPage, "practice-edit");
    await northPage.fill("#f-title", "Shared childcare rota (evenings)");
    await northPage.click("button[value=publish]");
    expect((await north.admin("GET", `/practices/${practice.id}`)).body.title).toBe("Shared childcare rota (evenings)");
  });

  it("south follows north by handle from the app; north approves the request; south sees north's offer", async () => {
    await southPage.goto(`${south.url}/app/neighbors`);
    await southPage.fill("#f-target", "@nobody@127.0.0.1:1");
    await southPage.click("section[aria-labelledby=follow] button[type=submit]");
    expect(await southPage.textContent("#f-target-error")).toContain("No pod answered");
    await southPage.fill("#f-target", north.handle);
    await southPage.click("section[aria-labelledby=follow] button[type=submit]");
    expect(await southPage.textContent("[role=status]")).toContain("Follow request sent");
    expect(await southPage.textContent("section[aria-labelledby=following]")).toContain("waiting for them to accept");
    await checkPage(southPage, "neighbors-pending");

    await waitUntil(async () => (await north.admin("GET", "/follow-requests")).body.items.length === 1);
    await checkBoth("/app/neighbors", "neighbors-request");
    expect(await northPage.textContent("section[aria-labelledby=requests]")).toContain("127.0.0.1");
    await northPage.click("section[aria-labelledby=requests] button:has-text('Approve')");
    expect(await northPage.textContent("[role=status]")).toContain("Approved");
    expect(await northPage.textContent("section[aria-labelledby=followers]")).toContain(
      `@pod@${new URL(south.url).host}`,
    );

    await waitUntil(async () => {
      await southPage.goto(`${south.url}/app/neighbors`);
      const text = await southPage.textContent("main");
      return text!.includes("Bread and rolls") && text!.includes("following");
    }, 30_000);
    await checkPage(southPage, "neighbors-following");
  });

  it("an edit on north reaches south as an Update; south re-shares it", async () => {
    await northPage.goto(`${north.url}${offerPath}/edit`);
    await northPage.fill("#f-name", "Bread, rolls and jam");
    await northPage.click("main button[type=submit]");
    expect(await northPage.textContent("[role=status]")).toContain("Saved");
    await waitUntil(async () => {
      await southPage.goto(`${south.url}/app/neighbors`);
      return (await southPage.textContent("section[aria-labelledby=offers]"))!.includes("Bread, rolls and jam");
    }, 30_000);

    await southPage.click("section[aria-labelledby=offers] li:has-text('Bread, rolls and jam') button");
    expect(await southPage.textContent("[role=status]")).toContain("Re-shared");
  });

  it("south adapts north's practice: a copy with a link to where it came from", async () => {
    await waitUntil(async () => {
      await southPage.goto(`${south.url}/app/practices`);
      return (await southPage.textContent("section[aria-labelledby=neighbors]"))!.includes("evenings");
    }, 30_000);
    await checkPage(southPage, "practices-neighbors");
    await southPage.click("section[aria-labelledby=neighbors] a:has-text('Adapt')");
    expect(await southPage.inputValue("#f-title")).toBe("Shared childcare rota (evenings)");
    // The neighbor's HTML comes back as Markdown: its bold and its list survive.
    expect(await southPage.inputValue("#f-body")).toContain("Two **adults** each evening.\n\n- sign up weekly\n- swap");
    const [origin] = (await north.admin("GET", "/practices")).body.items;
    expect(await southPage.textContent("main")).toContain(`${north.url}/practices/${origin.id}`);
    await checkPage(southPage, "practice-adapt");
    await southPage.fill("#f-title", "Childcare rota, south edition");
    await southPage.click("button[value=publish]");
    expect(await southPage.textContent("[role=status]")).toContain("Published");
    const [adapted] = (await south.admin("GET", "/practices")).body.items;
    expect(adapted.adaptedFrom).toBe(`${north.url}/practices/${origin.id}`);
    expect(await (await fetch(`${south.url}/practices/${adapted.id}`)).text()).toContain("Adapted from");

    // North withdraws its practice: gone from its public address.
    await northPage.goto(`${north.url}/app/practices/${origin.id}`);
    await northPage.click("section[aria-labelledby=withdraw] button");
    expect(await northPage.textContent("[role=status]")).toContain("Withdrawn");
    expect((await fetch(`${north.url}/practices/${origin.id}`)).status).toBe(410);
  });

  it("the dashboard lists a fediverse reply to an offer and the apps signed in; an app is revoked", async () => {
    const offerId = offerPath.split("/").at(-1)!;
    const noteIri = `${north.url}/offers/${offerId}/note`;
    const note = {
      id: `${reader.actorId}/statuses/1`,
      type: "Note",
      attributedTo: reader.actorId,
      inReplyTo: noteIri,
      content: "<p>Could I have two loaves for the shelter?</p>",
      to: [`${AS}#Public`],
      cc: [north.actorUrl],
      tag: [{ type: "Mention", href: north.actorUrl, name: "@pod" }],
      published: new Date().toISOString(),
    };
    const create = { "@context": AS, id: `${note.id}/activity`, type: "Create", actor: reader.actorId, object: note };
    const sent = await postRaw(await signMastodonStyle(reader, `${north.actorUrl}/inbox`, create));
    expect(sent.status).toBe(202);
    const token = await operatorAppToken(north.url);
    expect((await mastodonGet(north.url, token, "/api/v1/accounts/verify_credentials")).status).toBe(200);

    await waitUntil(async () => {
      await northPage.goto(`${north.url}/app`);
      return (await northPage.textContent("section[aria-labelledby=responses]"))!.includes("Bread, rolls and jam");
    });
    expect(await northPage.textContent("main")).toContain("Apps signed in: test app");
    await checkBoth("/app", "dashboard-content");
    await northPage.click("section[aria-labelledby=responses] a");
    expect(new URL(northPage.url()).pathname).toBe(offerPath);
    expect(await northPage.textContent("section[aria-labelledby=responses]")).toContain("two loaves for the shelter");

    await checkBoth("/app/tokens", "tokens-apps");
    const apps = await northPage.textContent("section[aria-labelledby=apps]");
    expect(apps).toContain("test app");
    expect(apps).toContain("read write follow");
    await northPage.click("section[aria-labelledby=apps] button");
    expect(await northPage.textContent("[role=status]")).toContain("Revoked");
    expect(await northPage.textContent("section[aria-labelledby=apps]")).toContain("No app is signed in");
    expect((await mastodonGet(north.url, token, "/api/v1/accounts/verify_credentials")).status).toBe(401);

    await northPage.goto(`${north.url}/app/audit`);
    const audit = await northPage.textContent("table");
    for (const action of ["offer.update", "practice.publish", "practice.withdraw", "follower.approve", "app.revoke"])
      expect(audit).toContain(action);
  });

  it("every new form refuses a post without its form token, and changes nothing", async () => {
    await northClient.get("/app/neighbors");
    const posts: [string, Record<string, string>][] = [
      [`${offerPath}/edit`, { name: "Forged", quantity: "1", unit: "x", area: "Elsewhere" }],
      ["/app/practices", { title: "Forged", summary: "Forged", action: "publish" }],
      ["/app/neighbors/follow", { target: south.handle }],
      ["/app/neighbors/requests/approve", { actor: south.actorUrl }],
      [`/app/apps/${"0".repeat(64)}/revoke`, {}],
    ];
    for (const [path, fields] of posts) {
      expect((await northClient.post(path, { ...fields, _csrf: null })).status, path).toBe(403);
    }
    const offer = await north.getActivityPub(north.url + offerPath.replace("/app/offers/offer/", "/offers/"));
    expect(offer.name).toBe("Bread, rolls and jam");
    expect((await north.admin("GET", "/practices")).body.items.map((p: { title: string }) => p.title)).not.toContain(
      "Forged",
    );

    // Pressed twice (or by two coordinators): the second press finds it answered and shows the page, no error.
    const again = await northClient.post("/app/neighbors/requests/approve", { actor: south.actorUrl });
    expect([again.status, again.location]).toEqual([303, "/app/neighbors"]);
  });

  it("south unfollows north: north's offers leave south's view", async () => {
    await southPage.goto(`${south.url}/app/neighbors`);
    await southPage.click("section[aria-labelledby=following] button");
    expect(await southPage.textContent("[role=status]")).toContain("Unfollowed");
    expect(await southPage.textContent("section[aria-labelledby=offers]")).not.toContain("Bread, rolls and jam");
    await waitUntil(async () => (await north.admin("GET", "/followers")).body.items.length === 0);
  });
});
