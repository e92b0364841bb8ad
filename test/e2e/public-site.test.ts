import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { checkPage, launchBrowser, newPhone, screenshots, signedInPage } from "../support/browser.ts";
import { collectionItems, followAndWait, startPod, type PodProcess } from "../support/pod-process.ts";
import type { WebClient } from "../support/web-client.ts";

/** What an attacker puts in every field a person can write: a script, an event handler, a javascript: link. */
const XSS =
  `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">` +
  `<a href="javascript:window.__pwned=1">x</a>`;
const XSS_MARKDOWN = `${XSS}\n\n[click](javascript:window.__pwned=1) <svg onload="window.__pwned=1">`;

/** The public site for neighbors without an account, in a real browser against real pod processes. */
describe("public site: neighbors ask and offer without an account", { timeout: 300_000 }, () => {
  let pod: PodProcess;
  let neighbor: PodProcess;
  let browser: Browser;
  let coordinator: Page;
  let client: WebClient;
  let offerId: string;
  let needId: string;
  let practiceId: string;
  let hostileOfferId: string;

  /** Requests the coordinators can see, counted on the app's list of every request. */
  async function storedRequests(): Promise<number> {
    const list = await client.get("/app/requests?status=all");
    expect(list.status).toBe(200);
    return (list.html.match(/id="request-/g) ?? []).length;
  }

  beforeAll(async () => {
    [pod, neighbor, browser] = await Promise.all([
      startPod("public-site", { POD_TIME_ZONE: "America/Mexico_City", POD_TRUST_PROXY: "127.0.0.1" }),
      startPod("public-neighbor", { POD_NAME: `<script>window.__pwned=1</script><b onclick="x()">Elm pod</b>` }),
      launchBrowser(),
    ]);
    ({ page: coordinator, client } = await signedInPage(browser, pod));
    const made = (response: { status: number; body: any }) => {
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body;
    };
    made(
      await pod.admin("PUT", "/charter", {
        changeNote: "First charter",
        services: [{ key: "food-runs", name: "Food runs", category: "food", area: "Riverside", schedule: "Sat 10–12" }],
        planned: [
          {
            key: "childcare",
            name: "Childcare swap",
            category: "childcare",
            target: "2027-Q1",
            needs: { people: 2, skills: ["first aid"] },
          },
        ],
      }),
    );
    offerId = made(
      await pod.admin("POST", "/offers", {
        name: "Fresh bread",
        category: "food",
        quantity: 12,
        unit: "loaves",
        availableUntil: "2099-01-01T00:00:00Z",
        area: { name: "Centro" },
      }),
    ).id;
    needId = made(
      await pod.admin("POST", "/needs", {
        name: "Ladders",
        category: "tools",
        quantity: 2,
        unit: "ladders",
        area: { name: "Centro" },
      }),
    ).id;
    practiceId = made(
      await pod.admin("POST", "/practices", {
        title: "A food route that takes an hour",
        summary: "Group pickups by street and drive one loop.",
        body: "1. Sort by street\n2. Drive the loop",
        tags: ["food", "routes"],
      }),
    ).id;
    await followAndWait(pod, neighbor);
    await followAndWait(neighbor, pod);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([pod?.stop(), neighbor?.stop()]);
  });

  it("a neighbor with no account asks for an offer and offers help on a need, and sees what happens next", async () => {
    const visitor = await (await newPhone(browser)).newPage();
    await visitor.goto(`${pod.url}/`);
    await checkPage(visitor, "public-home");
    expect(await visitor.textContent("nav")).toContain("Neighbors");
    await visitor.click(`a[href="/offers/${offerId}/ask"]`);
    expect(await visitor.textContent("h1")).toContain("Ask for: Fresh bread");
    await checkPage(visitor, "public-ask");
    await visitor.fill("#f-quantity", "lots");
    await visitor.click("main button[type=submit]");
    expect(await visitor.textContent("#f-contact-error")).toContain("Fill this in");
    expect(await visitor.textContent("#f-quantity-error")).toContain("Write a number");
    await checkPage(visitor, "public-ask-error");
    await visitor.fill("#f-name", "Neighbor Quintana");
    await visitor.fill("#f-contact", "555-0101");
    await visitor.fill("#f-quantity", "3");
    await visitor.fill("#f-message", "For the shelter on Elm St.");
    await visitor.click("main button[type=submit]");
    await expect.poll(() => new URL(visitor.url()).pathname).toBe("/requests/sent");
    expect(await visitor.textContent("[role=status]")).toContain("reached the pod's coordinators");
    expect(await visitor.textContent("main")).toContain("What happens next");
    await checkPage(visitor, "public-sent");

    await visitor.goto(`${pod.url}/needs/${needId}`);
    await checkPage(visitor, "public-need");
    await visitor.click(`a[href="/needs/${needId}/help"]`);
    await visitor.fill("#f-name", "Neighbor Okafor");
    await visitor.fill("#f-contact", "okafor@example.org");
    await visitor.fill("#f-quantity", "1");
    await visitor.click("main button[type=submit]");
    await expect.poll(() => new URL(visitor.url()).pathname).toBe("/requests/sent");

    // A planned service that still needs people has its own "I can help".
    await visitor.goto(`${pod.url}/charter`);
    await checkPage(visitor, "public-charter");
    expect(await visitor.locator('a[href="/charter/services/childcare/help"]').count()).toBe(1);
    expect(await visitor.locator('a[href="/charter/services/food-runs/help"]').count()).toBe(0);
  });

  const claimInOneClick =
    "a coordinator sees both requests in the app and records a claim from one in a click; no name goes public";
  it(claimInOneClick, async () => {
    await coordinator.goto(`${pod.url}/app`);
    expect(await coordinator.textContent("#requests-block ~ p")).toContain("2 new requests");
    await checkPage(coordinator, "app-dashboard-requests");
    await coordinator.click("text=2 new requests");
    const list = (await coordinator.textContent("main"))!;
    expect(list).toContain("Neighbor Quintana");
    expect(list).toContain("555-0101");
    expect(list).toContain("Neighbor Okafor");
    await checkPage(coordinator, "app-requests");
    await coordinator.click("li:has-text('Neighbor Quintana') button:has-text('Record a claim')");
    expect(await coordinator.textContent("[role=status]")).toContain("Claim recorded");
    await coordinator.click("li:has-text('Neighbor Okafor') button:has-text('Mark answered')");
    expect(await coordinator.textContent("[role=status]")).toContain("Marked answered");

    const offerPage = await (await fetch(`${pod.url}/offers/${offerId}`, { headers: { accept: "text/html" } })).text();
    expect(offerPage).toContain("9 of 12 loaves left");
    const audit = await client.get("/app/audit");
    expect(audit.html).toContain("request.claim");
    expect(audit.html).toContain("offer.claim");
    expect(audit.html).toContain("request.answered");
    // Each action in words, its code beside it.
    expect(audit.html).toContain("Took a neighbor's request");
    expect(audit.html).toContain("Marked a neighbor's request answered");

    const publicPages = ["/", "/offers", "/needs", `/offers/${offerId}`, `/needs/${needId}`, "/charter", "/about"];
    for (const path of publicPages) {
      const html = await (await fetch(pod.url + path, { headers: { accept: "text/html" } })).text();
      expect(html, path).not.toMatch(/Quintana|Okafor|555-0101/);
    }
    const asJson = [
      JSON.stringify(await pod.getActivityPub(`${pod.url}/offers/${offerId}`)),
      JSON.stringify(await pod.getActivityPub(`${pod.url}/offers/${offerId}/note`)),
      JSON.stringify(await pod.getActivityPub(`${pod.url}/needs/${needId}`)),
    ];
    for (const id of await collectionItems(pod, `${pod.actorUrl}/outbox`)) {
      if (id.startsWith(pod.url)) asJson.push(JSON.stringify(await pod.getActivityPub(id)));
    }
    expect(asJson.join("\n")).toContain("Fresh bread");
    expect(asJson.join("\n")).not.toMatch(/Quintana|Okafor|555-0101|shelter on Elm/);
    expect(pod.logs()).not.toMatch(/Quintana|Okafor|555-0101|shelter on Elm/);
  });

  it("a scripted flood is turned away by the honeypot and the rate limit, with nothing stored", async () => {
    const before = await storedRequests();
    const post = (address: string, fields: Record<string, string>) =>
      fetch(`${pod.url}/offers/${offerId}/ask`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-forwarded-for": address,
          accept: "text/html",
        },
        body: new URLSearchParams(fields),
        redirect: "manual",
      });
    const good = { name: "Bot", contact: "bot@example.org", quantity: "1", message: "hello" };

    const trapped: number[] = [];
    for (let i = 0; i < 20; i++)
      trapped.push((await post("198.51.100.1", { ...good, website: "spam.example" })).status);
    expect(new Set(trapped.slice(0, 5))).toEqual(new Set([400]));
    expect(new Set(trapped.slice(5))).toEqual(new Set([429]));
    expect(await storedRequests()).toBe(before);

    const flooded: number[] = [];
    for (let i = 0; i < 20; i++) flooded.push((await post("198.51.100.2", good)).status);
    expect(flooded.filter((s) => s === 303)).toHaveLength(5);
    expect(flooded.filter((s) => s === 429)).toHaveLength(15);
    const refused = await post("198.51.100.2", good);
    expect(refused.headers.get("retry-after")).toBe("600");
    expect(await refused.text()).toContain("Too many messages");
    expect(await storedRequests()).toBe(before + 5);

    const tooLong = await post("198.51.100.3", { ...good, message: "x".repeat(2001) });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain("too long");
    const tooBig = await post("198.51.100.4", { ...good, message: "x".repeat(9000) });
    expect(tooBig.status).toBe(413);
    expect(await storedRequests()).toBe(before + 5);
  });

  it("browsers get HTML error pages (400, 404, 410); API clients get problem+json", async () => {
    const browserGet = (path: string) => fetch(pod.url + path, { headers: { accept: "text/html,*/*;q=0.8" } });
    for (const [path, status] of [
      ["/no-such-page", 404],
      ["/offers/not-an-id", 400],
      [`/offers/${crypto.randomUUID()}`, 404],
    ] as const) {
      const page = await browserGet(path);
      expect(page.status, path).toBe(status);
      expect(page.headers.get("content-type"), path).toContain("text/html");
      expect(await page.text(), path).toContain('<nav aria-label="Main">');
      const api = await fetch(pod.url + path);
      expect(api.status, path).toBe(status);
      expect(api.headers.get("content-type"), path).toContain("application/problem+json");
    }
    const withdrawn = await pod.admin("POST", "/needs", {
      name: "Tarp",
      category: "tools",
      quantity: 1,
      unit: "tarp",
      area: { name: "Centro" },
    });
    await pod.admin("POST", `/needs/${withdrawn.body.id}/withdraw`);
    const gone = await browserGet(`/needs/${withdrawn.body.id}`);
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain("withdrawn by the pod");
    const tombstone = await fetch(`${pod.url}/needs/${withdrawn.body.id}`, {
      headers: { accept: "application/activity+json" },
    });
    expect(tombstone.status).toBe(410);
    expect((await tombstone.json()).type).toBe("Tombstone");

    const visitor = await (await newPhone(browser, "es-MX")).newPage();
    for (const [path, name] of [
      ["/no-such-page", "public-404"],
      [`/needs/${withdrawn.body.id}`, "public-410"],
    ]) {
      await visitor.goto(pod.url + path);
      await checkPage(visitor, `${name}-es`);
    }
    expect(await visitor.textContent("h1")).toBe("Ya no está");
  });

  const everyPage =
    "every public page passes axe in English and Spanish, fits 390 px, and shows times in the pod's zone";
  it(everyPage, async () => {
    const paths: [string, string][] = [
      ["/", "home"],
      ["/offers", "offers"],
      ["/needs", "needs"],
      ["/practices", "practices"],
      [`/practices/${practiceId}`, "practice"],
      ["/tags/food", "tag"],
      ["/charter", "charter"],
      ["/charter/history", "charter-history"],
      ["/neighbors", "neighbors"],
      ["/about", "about"],
      [`/offers/${offerId}`, "offer"],
      [`/needs/${needId}/help`, "help-form"],
      ["/charter/services/childcare/help", "service-help-form"],
      ["/requests/sent", "sent"],
    ];
    const page = await (await newPhone(browser)).newPage();
    for (const lang of ["en", "es"]) {
      for (const [path, name] of paths) {
        const response = await page.goto(`${pod.url}${path}${path.includes("?") ? "&" : "?"}lang=${lang}`);
        expect(response?.status(), path).toBe(200);
        expect(await page.getAttribute("html", "lang"), path).toBe(lang);
        // Screenshots of every page in English, and of the home in Spanish (the machine is shared: each costs time).
        await checkPage(page, `public-${name}-${lang}`, { screenshots: lang === "en" || path === "/" });
      }
    }
    // The language chosen stays (a cookie) until changed; the switch leads back to the same page.
    await page.goto(`${pod.url}/about`);
    expect(await page.textContent("h1")).toContain("Acerca de");
    await page.click("a[hreflang=en]");
    expect(await page.textContent("h1")).toContain("About");
    expect(new URL(page.url()).pathname).toBe("/about");
    // 2099-01-01T00:00Z is the evening before in Mexico City.
    await page.goto(`${pod.url}/offers/${offerId}`);
    expect(await page.textContent("main")).toContain("Dec 31, 2098");
    // The tag links of a practice lead to a page that lists it.
    await page.goto(`${pod.url}/practices/${practiceId}`);
    await page.click("a[rel=tag]:has-text('#routes')");
    expect(await page.textContent("main")).toContain("A food route that takes an hour");
    // Follower counts link to the neighbors, and the neighbors link to their own pages.
    await page.goto(`${pod.url}/`);
    await page.click("a[href='/neighbors#followers']");
    expect(await page.locator(`#followers + ul a[href^="${neighbor.url}/"]`).count()).toBe(1);
    expect(await page.locator(`#following + ul a[href^="${neighbor.url}/"]`).count()).toBe(1);
  });

  it("script tags, event handlers and javascript: links in every user-supplied field render inert", async () => {
    hostileOfferId = (
      await pod.admin("POST", "/offers", {
        name: XSS,
        description: XSS,
        conditions: XSS,
        category: "food",
        quantity: 1,
        unit: "<b onmouseover=alert(1)>u</b>",
        area: { name: XSS },
      })
    ).body.id;
    const hostileNeed = (
      await pod.admin("POST", "/needs", {
        name: XSS,
        description: XSS,
        category: "tools",
        quantity: 1,
        unit: "x",
        area: { name: XSS },
      })
    ).body.id;
    const practice = await pod.admin("POST", "/practices", {
      title: XSS,
      summary: XSS,
      body: XSS_MARKDOWN,
      problem: XSS,
      outcomes: XSS,
      tags: ["safe"],
    });
    expect(practice.status).toBe(201);
    const charter = await pod.admin("PUT", "/charter", {
      changeNote: XSS,
      services: [{ key: "food-runs", name: XSS, description: XSS, category: "food", area: XSS, schedule: XSS }],
      planned: [
        {
          key: "hostile",
          name: XSS,
          description: XSS,
          category: "childcare",
          target: "2027-Q1",
          needs: { people: 1, skills: [XSS.slice(0, 80)], materials: [XSS.slice(0, 80)] },
        },
      ],
    });
    expect(charter.status).toBe(201);
    const form = await fetch(`${pod.url}/offers/${hostileOfferId}/ask`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": "198.51.100.9" },
      body: new URLSearchParams({ name: XSS.slice(0, 120), contact: XSS.slice(0, 200), message: XSS, quantity: "1" }),
      redirect: "manual",
    });
    expect(form.status).toBe(303);

    const page = await (await newPhone(browser)).newPage();
    const dialogs: string[] = [];
    page.on("dialog", async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    const pages = [
      "/",
      "/offers",
      "/needs",
      `/offers/${hostileOfferId}`,
      `/offers/${hostileOfferId}/ask`,
      `/needs/${hostileNeed}`,
      `/practices/${practice.body.id}`,
      "/practices",
      "/tags/safe",
      "/charter",
      "/charter/history",
      "/charter/services/hostile/help",
      "/neighbors",
    ];
    const inert = async (label: string) => {
      const found = await page.evaluate(() => ({
        scripts: document.querySelectorAll("script").length,
        handlers: [...document.querySelectorAll("*")].flatMap((el) =>
          [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => `${el.tagName} ${a.name}`),
        ),
        links: [...document.querySelectorAll("[href],[src],[action]")]
          .map((el) => el.getAttribute("href") ?? el.getAttribute("src") ?? el.getAttribute("action") ?? "")
          .filter((href) => /^\s*javascript:/i.test(href)),
        pwned: (window as unknown as { __pwned?: number }).__pwned,
      }));
      expect(found, label).toEqual({ scripts: 0, handlers: [], links: [], pwned: undefined });
    };
    for (const path of pages) {
      await page.goto(pod.url + path);
      await inert(path);
    }
    expect(await page.textContent("main")).toContain("Elm pod");
    await screenshots(page, "public-neighbors-hostile");
    // The request's fields on the coordinators' page, too.
    await coordinator.goto(`${pod.url}/app/requests`);
    expect(await coordinator.textContent("main")).toContain("<script>");
    const handlers = await coordinator.evaluate(
      () => document.querySelectorAll("main script, main [onerror], main [onclick], main a[href^='javascript']").length,
    );
    expect(handlers).toBe(0);
    expect(dialogs).toEqual([]);
  });
});
