import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import {
  checkPage,
  launchBrowser,
  newPhone,
  screenshots,
  scrollsSideways,
  seriousViolations,
  signedInPage,
} from "../support/browser.ts";
import { mastodonGet, operatorAppToken } from "../support/oauth-consent.ts";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { postRaw, signMastodonStyle, startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";
import { WebClient } from "../support/web-client.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;

/**
 * Moderation against a real pod process: hiding a reply, reports (Flag) both ways, blocking a server (carol's,
 * on its own loopback address) and an account (dave's), from the web app and from the Mastodon API.
 */
describe("moderation: hide, block, report", { timeout: 240_000 }, () => {
  let pod: PodProcess;
  let carol: RemoteActor;
  let dave: RemoteActor;
  let browser: Browser;
  let page: Page;
  let client: WebClient;
  let token: string;
  let offerPage: string;
  let noteIri: string;

  beforeAll(async () => {
    [pod, carol, dave, browser] = await Promise.all([
      startPod("moderation"),
      startRemoteActor("carol", { host: "127.0.0.2" }),
      startRemoteActor("dave"),
      launchBrowser(),
    ]);
    ({ page, client } = await signedInPage(browser, pod));
    token = await operatorAppToken(pod.url);
    const offer = await pod.admin("POST", "/offers", {
      name: "Pears",
      category: "food",
      quantity: 10,
      unit: "kg",
      area: { name: "Riverside" },
    });
    offerPage = `${pod.url}/offers/${offer.body.id}`;
    noteIri = `${offerPage}/note`;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([pod?.stop(), carol?.close(), dave?.close()]);
  });

  const send = async (actor: RemoteActor, activity: Record<string, unknown>) =>
    (await postRaw(await signMastodonStyle(actor, `${pod.actorUrl}/inbox`, { "@context": AS, ...activity }))).status;
  const reply = (actor: RemoteActor, id: string, content: string) => ({
    id: `${actor.actorId}/statuses/${id}/activity`,
    type: "Create",
    actor: actor.actorId,
    to: [PUBLIC],
    object: {
      id: `${actor.actorId}/statuses/${id}`,
      type: "Note",
      attributedTo: actor.actorId,
      inReplyTo: noteIri,
      content: `<p>${content}</p>`,
      to: [PUBLIC],
      cc: [pod.actorUrl],
      published: new Date().toISOString(),
    },
  });
  const publicOfferPage = async () => (await fetch(offerPage, { headers: { accept: "text/html" } })).text();

  it("a coordinator hides a reply: gone from the offer's page and its count, and shown again", async () => {
    expect(await send(carol, reply(carol, "1", "Count me in for two kilos"))).toBe(202);
    await waitUntil(async () => (await publicOfferPage()).includes("Count me in"), 20_000);
    expect(await publicOfferPage()).toContain("Responses (1)");

    await page.goto(`${pod.url}/app/moderation`);
    expect(await page.textContent("#responses + ul")).toContain("Count me in");
    await checkPage(page, "moderation");
    await page.click("#responses + ul >> text=Hide");
    expect(await page.textContent("[role=status]")).toContain("The reply is hidden");
    const hidden = await publicOfferPage();
    expect(hidden).not.toContain("Count me in");
    expect(hidden).not.toContain("Responses (");
    // Nor through the Mastodon API, for anyone but the pod's own apps.
    const action = await page.getAttribute("#responses + ul form", "action");
    const statusId = /responses\/(\d+)\//.exec(action ?? "")?.[1];
    expect((await fetch(`${pod.url}/api/v1/statuses/${statusId}`)).status).toBe(404);
    const offerStatus = (await mastodonGet(pod.url, token, "/api/v1/timelines/home?limit=40")).body.find(
      (status: { uri: string }) => status.uri === noteIri,
    );
    const thread = await (await fetch(`${pod.url}/api/v1/statuses/${offerStatus.id}/context`)).json();
    expect(JSON.stringify(thread.descendants)).not.toContain("Count me in");
    const counted = await pod.admin("GET", "/offers");
    expect((counted.body.items ?? counted.body)[0].responseCount).toBe(0);

    await page.click("#responses + ul >> text=Show again");
    expect(await publicOfferPage()).toContain("Count me in");
  });

  it("a Flag from another server is listed for the coordinators, once", async () => {
    const flag = {
      id: `${carol.origin}/flags/1`,
      type: "Flag",
      actor: carol.actorId,
      object: [pod.actorUrl, noteIri],
      content: "Spam <b>links</b> in this offer",
    };
    expect(await send(carol, flag)).toBe(202);
    expect(await send(carol, flag)).toBe(202);
    await page.goto(`${pod.url}/app/moderation`);
    await waitUntil(async () => {
      await page.reload();
      return ((await page.textContent("#reports + ul")) ?? "").includes("Spam links in this offer");
    }, 20_000);
    expect(((await page.textContent("#reports + ul")) ?? "").match(/Spam links/g)).toHaveLength(1);
    await page.click("#reports + ul >> text=Mark as dealt with");
    expect(await page.textContent("[role=status]")).toContain("Marked as dealt with");
  });

  it("blocking a server forgets it, refuses its deliveries and follows, and the Mastodon API lists it", async () => {
    expect(
      await send(carol, {
        id: `${carol.origin}/follows/1`,
        type: "Follow",
        actor: carol.actorId,
        object: pod.actorUrl,
      }),
    ).toBe(202);
    await waitUntil(
      async () => JSON.stringify((await pod.admin("GET", "/followers")).body).includes(carol.actorId),
      20_000,
    );

    await page.goto(`${pod.url}/app/moderation`);
    await page.fill("#f-domain", "not a domain!");
    await page.click("#domains button[type=submit], section[aria-labelledby=domains] button[type=submit]");
    expect(await page.textContent("#f-domain-error")).toContain("Write a domain name");
    await checkPage(page, "moderation-error");
    await page.fill("#f-domain", "HTTP://127.0.0.2/anything");
    await page.fill("#f-domainReason", "Spam");
    await page.click("section[aria-labelledby=domains] button[type=submit]");
    expect(await page.textContent("[role=status]")).toContain("The server is blocked");
    expect(await page.textContent("#domains ~ ul")).toContain("127.0.0.2");

    expect(await publicOfferPage()).not.toContain("Count me in");
    expect(JSON.stringify((await pod.admin("GET", "/followers")).body)).not.toContain(carol.actorId);
    expect(await send(carol, reply(carol, "2", "Still here"))).toBe(403);
    expect(await publicOfferPage()).not.toContain("Still here");
    const blocks = await mastodonGet(pod.url, token, "/api/v1/domain_blocks");
    expect(blocks.body).toEqual(["127.0.0.2"]);

    // Unblocked: new deliveries are accepted again (what was forgotten stays forgotten).
    await page.click("section[aria-labelledby=domains] .cards >> text=Unblock");
    expect(await page.textContent("[role=status]")).toContain("Unblocked");
    expect(await send(carol, reply(carol, "3", "Back again"))).toBe(202);
  });

  it("an account blocked through the Mastodon API is refused alone; unblocked it is heard again", async () => {
    expect(await send(dave, reply(dave, "1", "Dave here"))).toBe(202);
    const acct = `dave@${new URL(dave.actorId).host}`;
    let found = { id: "" };
    await waitUntil(async () => {
      const lookup = await mastodonGet(pod.url, token, `/api/v1/accounts/lookup?acct=${acct}`);
      found = lookup.body;
      return lookup.status === 200;
    }, 20_000);
    const blocked = await fetch(`${pod.url}/api/v1/accounts/${found.id}/block`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await blocked.json()).blocking).toBe(true);
    expect((await mastodonGet(pod.url, token, "/api/v1/blocks")).body.map((a: { acct: string }) => a.acct)).toEqual([
      acct,
    ]);
    expect(await publicOfferPage()).not.toContain("Dave here");
    expect(await send(dave, reply(dave, "2", "Dave again"))).toBe(403);
    // Another account on the same server is not affected by an account block.
    await page.goto(`${pod.url}/app/moderation`);
    expect(await page.textContent("section[aria-labelledby=accounts] .cards")).toContain(acct);
    await page.click("section[aria-labelledby=accounts] .cards >> text=Unblock");
    expect(await send(dave, reply(dave, "3", "Dave heard"))).toBe(202);
  });

  it("a report about an account reaches its server as a Flag signed by the pod", async () => {
    await page.goto(`${pod.url}/app/moderation`);
    await page.fill("#f-target", dave.actorId);
    await page.fill("#f-posts", `${dave.actorId}/statuses/3\nhttps://elsewhere.example/not-daves`);
    await page.fill("#f-comment", "Harassing a neighbor");
    await page.click("section[aria-labelledby=report] button[type=submit]");
    expect(await page.textContent("[role=status]")).toContain("The report is on its way");
    const flagOf = () =>
      dave.inbox.map((request) => JSON.parse(request.body.toString("utf8"))).find((a) => a.type === "Flag");
    await waitUntil(() => flagOf() !== undefined, 30_000);
    const flag = flagOf();
    expect(flag.actor).toBe(pod.actorUrl);
    expect(flag.object).toEqual([dave.actorId, `${dave.actorId}/statuses/3`]);
    expect(flag.content).toBe("Harassing a neighbor");
    const signed = dave.inbox.find((request) => request.body.toString("utf8").includes('"Flag"'))!;
    expect(String(signed.headers.signature ?? signed.headers["signature-input"])).toContain(pod.actorUrl);

    await page.goto(`${pod.url}/app/audit`);
    const log = await page.textContent("table");
    for (const action of ["moderation.response.hide", "moderation.domain.block", "moderation.report.send"]) {
      expect(log).toContain(action);
    }
  });

  it("the page in Spanish, and a member who is not a coordinator is refused it", async () => {
    const spanish = await (await newPhone(browser, "es-MX")).newPage();
    await spanish.context().addCookies(await page.context().cookies());
    await spanish.goto(`${pod.url}/app/moderation`);
    expect(await spanish.textContent("h1")).toContain("Moderación");
    expect(await seriousViolations(spanish)).toEqual([]);
    expect(await scrollsSideways(spanish)).toBe(false);
    await screenshots(spanish, "moderation-es");

    await client.get("/app/members");
    const invited = await client.post("/app/invitations", { role: "member" });
    const link = /\/app\/join\/[\w-]+/.exec(invited.html)?.[0];
    expect(link).toBeDefined();
    const member = new WebClient(pod.url);
    await member.get(link!);
    expect(
      (await member.post(link!, { displayName: "Beto", username: "beto", password: "another long password" })).status,
    ).toBe(303);
    expect((await member.get("/app/moderation")).status).toBe(403);
    expect((await member.post("/app/moderation/domains", { domain: "example.org" })).status).toBe(403);
    // A coordinator's form posted without its CSRF token is refused too.
    expect((await client.post("/app/moderation/domains", { domain: "example.org", _csrf: null })).status).toBe(403);
    expect((await mastodonGet(pod.url, token, "/api/v1/domain_blocks")).body).toEqual([]);
  });
});
