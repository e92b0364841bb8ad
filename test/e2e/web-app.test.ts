import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { checkPage, launchBrowser, newPhone } from "../support/browser.ts";
import { collectionItems, startPod, type PodProcess } from "../support/pod-process.ts";
import { sendFollow, startRemoteActor } from "../support/remote-actor.ts";

/** The members' web app in a real browser against a real pod process. */
describe("web app: first run, invitations, publishing an offer", { timeout: 240_000 }, () => {
  let pod: PodProcess;
  let browser: Browser;
  let coordinator: Page;
  const password = "correct horse battery staple";

  beforeAll(async () => {
    [pod, browser] = await Promise.all([startPod("webapp", { POD_TIME_ZONE: "America/Mexico_City" }), launchBrowser()]);
    coordinator = await (await newPhone(browser)).newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await pod?.stop();
  });

  it("the setup link printed at start makes the first coordinator, once", async () => {
    const link = /\/app\/setup\/[\w-]+/.exec(pod.logs())?.[0];
    expect(link).toBeDefined();
    await coordinator.goto(`${pod.url}/app`);
    await expect.poll(() => coordinator.url()).toContain("/app/sign-in");
    expect(await coordinator.textContent("main")).toContain("setup link");

    await coordinator.goto(pod.url + link);
    await checkPage(coordinator, "setup");
    await coordinator.fill("#f-displayName", "Ana");
    await coordinator.fill("#f-username", "ana");
    await coordinator.fill("#f-password", "short");
    await coordinator.click("button[type=submit]");
    expect(await coordinator.textContent("#f-password-error")).toContain("at least 10");
    await checkPage(coordinator, "setup-error");
    await coordinator.fill("#f-password", password);
    await coordinator.click("button[type=submit]");
    await expect.poll(() => new URL(coordinator.url()).pathname).toBe("/app");
    expect(await coordinator.textContent("main")).toContain("Hello, Ana.");
    await checkPage(coordinator, "dashboard");

    const again = await fetch(pod.url + link);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("This pod is already set up");
  });

  it("a coordinator invites a member, who joins once and is refused coordinator pages", async () => {
    await coordinator.goto(`${pod.url}/app/members`);
    await coordinator.click("text=Make an invitation link");
    const link = (await coordinator.textContent("code.link"))!;
    expect(link).toMatch(new RegExp(`^${pod.url}/app/join/[\\w-]+$`));
    await checkPage(coordinator, "members");

    const member = await (await newPhone(browser, "es-MX")).newPage();
    await member.goto(link);
    expect(await member.textContent("h1")).toContain("Únete");
    await checkPage(member, "join-es");
    await member.fill("#f-displayName", "Beto");
    await member.fill("#f-username", "beto");
    await member.fill("#f-password", "otra contraseña larga");
    await member.click("button[type=submit]");
    await expect.poll(() => new URL(member.url()).pathname).toBe("/app");
    expect(await member.textContent("main")).toContain("Hola, Beto.");
    await checkPage(member, "dashboard-member-es");

    const refused = await member.goto(`${pod.url}/app/members`);
    expect(refused?.status()).toBe(403);
    expect(await member.textContent("main")).toContain("Solo las coordinadoras");

    await member.goto(`${pod.url}/app/profile`);
    await member.fill("#f-boundaries", "No conduzco de noche.");
    await member.click("text=Guardar");
    expect(await member.textContent("[role=status]")).toContain("Guardado");
    await checkPage(member, "profile-es");

    const reused = await fetch(link);
    expect(reused.status).toBe(410);
  });

  it("a coordinator publishes an offer from a phone and it reaches the public page and the outbox", async () => {
    await coordinator.goto(`${pod.url}/app/offers/new?kind=offer`);
    await checkPage(coordinator, "offer-new");
    await coordinator.fill("#f-name", "Fresh bread");
    await coordinator.fill("#f-quantity", "twelve");
    await coordinator.fill("#f-unit", "loaves");
    await coordinator.fill("#f-area", "Centro");
    await coordinator.click("main button[type=submit]");
    expect(await coordinator.textContent("#f-quantity-error")).toContain("Write a number");
    await coordinator.fill("#f-quantity", "12");
    await coordinator.fill("#f-availableUntil", "2099-01-31T18:00");
    await coordinator.click("main button[type=submit]");
    await expect.poll(() => new URL(coordinator.url()).pathname).toBe("/app/offers");
    const firstNotice = await coordinator.textContent("[role=status]");
    expect(firstNotice).toContain("Published on the pod's public pages. Nobody follows the pod yet");
    expect(firstNotice).toContain(`@pod@${new URL(pod.url).host}`);
    expect(firstNotice).toContain("what it publishes. See the public page");
    await checkPage(coordinator, "offers");

    await coordinator.click("text=See the public page");
    expect(await coordinator.textContent("body")).toContain("Fresh bread");
    const offers = await pod.admin("GET", "/offers");
    const offer = offers.body.items?.[0] ?? offers.body[0];
    expect(offer.name).toBe("Fresh bread");
    // 18:00 in Mexico City is midnight UTC the next day.
    expect(offer.availableUntil).toBe("2099-02-01T00:00:00.000Z");
    const items = await collectionItems(pod, `${pod.actorUrl}/outbox`);
    expect(items.some((item) => item.includes(offer.id))).toBe(true);

    // A claim is recorded from the offer's page: followers see what is left, never who took it.
    await coordinator.goto(`${pod.url}/app/offers`);
    await coordinator.click("text=Fresh bread");
    await coordinator.fill("#f-neighbor", "Household Rivera");
    await coordinator.fill("#f-quantity", "5");
    await coordinator.click("section[aria-labelledby=record] button[type=submit]");
    expect(await coordinator.textContent("[role=status]")).toContain("Claim recorded");
    expect(await coordinator.textContent("main")).toContain("7 of 12 loaves left");
    await checkPage(coordinator, "offer-claimed");
    const published = await pod.getActivityPub(`${pod.url}/offers/${offer.id}`);
    expect(JSON.stringify(published)).not.toContain("Rivera");

    await coordinator.click("section[aria-labelledby=withdraw] button[type=submit]");
    expect(await coordinator.textContent("[role=status]")).toContain("Withdrawn");
    expect((await fetch(`${pod.url}/offers/${offer.id}`)).status).toBe(410);

    // Once someone follows the pod, a new offer's notice says it reaches them.
    const reader = await startRemoteActor("reader");
    try {
      expect((await sendFollow(reader, pod.actorUrl, `${pod.url}/inbox`)).status).toBeLessThan(300);
      await expect.poll(async () => (await pod.admin("GET", "/status")).body.followers, { timeout: 20_000 }).toBe(1);
      await coordinator.goto(`${pod.url}/app/offers/new?kind=offer`);
      await coordinator.fill("#f-name", "Soup");
      await coordinator.fill("#f-quantity", "4");
      await coordinator.fill("#f-unit", "bowls");
      await coordinator.fill("#f-area", "Centro");
      await coordinator.click("main button[type=submit]");
      await expect.poll(() => new URL(coordinator.url()).pathname).toBe("/app/offers");
      expect(await coordinator.textContent("[role=status]")).toContain(
        "Published. Followers and neighbor pods receive it now. See the public page",
      );
    } finally {
      await reader.close();
    }
  });

  it("the header keeps a few links on a phone; All pages lists every page, grouped, and each one opens", async () => {
    await coordinator.goto(`${pod.url}/app`);
    const header = await coordinator.$$eval("header nav a", (links) => links.map((a) => a.getAttribute("href")));
    expect(header.slice(0, -1)).toEqual(["/app", "/app/offers", "/app/requests", "/app/rota/mine", "/app/menu", "/"]);
    expect(header.at(-1)).toContain("lang=es");
    await coordinator.click("header >> text=All pages");
    await expect.poll(() => new URL(coordinator.url()).pathname).toBe("/app/menu");
    const pages = await coordinator.$$eval("main a", (links) => links.map((a) => a.getAttribute("href")!));
    expect(pages).toEqual(expect.arrayContaining(["/app/members", "/app/settings", "/app/audit", "/app/security"]));
    for (const path of pages) {
      const response = await coordinator.request.get(`${pod.url}${path}`);
      expect(response.status(), path).toBe(200);
    }
    await checkPage(coordinator, "menu");
    await coordinator.goto(`${pod.url}/app/menu?lang=es`);
    expect(await coordinator.textContent("main")).toContain("Personas y roles");
    await checkPage(coordinator, "menu-es", { screenshots: false });
    await coordinator.goto(`${pod.url}/app/menu?lang=en`);
  });

  it("the audit log shows who did what; sign-out ends the session", async () => {
    await coordinator.goto(`${pod.url}/app/audit`);
    const log = await coordinator.textContent("table");
    expect(log).toContain("pod.setup");
    expect(log).toContain("member.invite");
    expect(log).toContain("member.join");
    expect(log).toContain("offer.publish");
    expect(log).toContain("offer.claim");
    expect(log).toContain("offer.withdraw");
    await checkPage(coordinator, "audit");
    await coordinator.click("header >> text=Sign out");
    await expect.poll(() => new URL(coordinator.url()).pathname).toBe("/app/sign-in");
    await checkPage(coordinator, "sign-in");
    const after = await coordinator.goto(`${pod.url}/app/members`);
    expect(new URL(after!.url()).pathname).toBe("/app/sign-in");
  });
});
