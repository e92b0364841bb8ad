import ICAL from "ical.js";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPage, launchBrowser, newPhone, signedInPage, pageAs } from "../support/browser.ts";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { postRaw, signMastodonStyle, startRemoteActor } from "../support/remote-actor.ts";
import { WebClient } from "../support/web-client.ts";

const PEOPLE = [
  { displayName: "Beatriz Quintana", username: "beatriz", skills: "driving", maxRisk: "high" },
  { displayName: "Casimiro Ybarra", username: "casimiro", skills: "driving", maxRisk: "medium" },
  { displayName: "Dolores Zubiri", username: "dolores", skills: "", maxRisk: "medium" },
  { displayName: "Eulalia Varga", username: "eulalia", skills: "cooking", maxRisk: "high" },
  { displayName: "Fermín Ostrowski", username: "fermin", skills: "", maxRisk: "low" },
];
const BOUNDARY = "No nighttime trips past the river";

/** The rotation room in a browser against a pod process: roles, a month's rota for six, swaps, the iCal feed. */
describe("web app: rota", { timeout: 300_000 }, () => {
  let pod: PodProcess;
  let browser: Browser;
  let coordinator: Page;
  let ana: WebClient;
  const clients = new Map<string, WebClient>();

  /** axe, 390 px and screenshots in Spanish and English. */
  async function checkBoth(page: Page, name: string) {
    const path = new URL(page.url()).pathname;
    for (const lang of ["es", "en"] as const) {
      await page.goto(`${pod.url}${path}?lang=${lang}`);
      await checkPage(page, `rota-${name}-${lang}`);
    }
  }
  const pageOf = (client: WebClient) => pageAs(browser, pod.url, client);

  beforeAll(async () => {
    [pod, browser] = await Promise.all([startPod("rota", { POD_TIME_ZONE: "Europe/Madrid" }), launchBrowser()]);
    ({ page: coordinator, client: ana } = await signedInPage(browser, pod));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await pod?.stop();
  });

  it("five members join through invitation links and state their boundaries", async () => {
    for (const person of PEOPLE) {
      await ana.get("/app/members");
      const made = await ana.post("/app/invitations", { role: "member" });
      const link = /<code class="link">([^<]+)<\/code>/.exec(made.html)?.[1];
      expect(link).toBeDefined();
      const client = new WebClient(pod.url);
      await client.get(link!);
      const joined = await client.post(link!, { ...person, password: "a long enough password" });
      expect(joined.status).toBe(303);
      await client.get("/app/profile");
      await client.post("/app/profile", { skills: person.skills, boundaries: BOUNDARY, locale: "" });
      await client.get("/app/rota/mine");
      const saved = await client.post("/app/rota/mine/boundaries", { maxRisk: person.maxRisk, unavailable: "" });
      expect(saved.status).toBe(303);
      clients.set(person.username, client);
    }
    await ana.get("/app/profile");
    await ana.post("/app/profile", { skills: "driving", boundaries: "", locale: "" });
    await ana.get("/app/rota/mine");
    await ana.post("/app/rota/mine/boundaries", { maxRisk: "high", unavailable: "" });
  });

  it("a coordinator defines two roles and generates a month's rota, with a reason for each seat", async () => {
    await coordinator.goto(`${pod.url}/app/rota`);
    expect(await coordinator.textContent("main")).toContain("No roles yet.");
    await checkBoth(coordinator, "empty");
    for (const role of [
      { name: "Driver", seats: "1", skills: "driving", risk: "medium", tenure: "1" },
      { name: "Dispatcher", seats: "1", skills: "", risk: "low", tenure: "2" },
    ]) {
      await coordinator.click("text=Add a role");
      if (role.name === "Dispatcher") await checkBoth(coordinator, "role-new");
      await coordinator.fill("#f-name", role.name);
      await coordinator.fill("#f-seats", role.seats);
      await coordinator.fill("#f-skills", role.skills);
      await coordinator.selectOption("#f-risk", role.risk);
      await coordinator.fill("#f-tenureLimit", role.tenure);
      await coordinator.fill("#f-handbook", `How to be the ${role.name}.`);
      await coordinator.click("main button[type=submit]");
      expect(await coordinator.textContent("main")).toContain("Role saved.");
    }
    await coordinator.click("#generate ~ form button");
    const proposed = await coordinator.locator("#proposed ~ ul > li").allTextContents();
    // Four weekly periods, each with a driver and a dispatcher; the two newcomers who accept the driver's risk
    // shadow a driver once each (a shadowed period is experience, so they are newcomers no more).
    expect(proposed).toHaveLength(10);
    expect(proposed.filter((seat) => seat.includes("shadow beside"))).toHaveLength(2);
    expect(proposed.filter((seat) => /W\d\d · Driver/.test(seat) && !seat.includes("shadow beside"))).toHaveLength(4);
    const main = (await coordinator.textContent("main"))!;
    expect(main).toContain("has the skills for Driver and has not held it yet.");
    expect(main).toMatch(/shadows .*: new to Driver \(to learn: driving\)/);
    // Fermín accepts only low risk: never a driver, not even a shadow.
    expect(proposed.filter((seat) => seat.includes("Driver") && seat.includes("Fermín shadows"))).toEqual([]);
    await checkBoth(coordinator, "proposed");

    // Picking Fermín for a driver seat breaks his risk limit: the page warns and changes nothing.
    const firstDriver = coordinator.locator("#proposed ~ ul > li", { hasText: "Driver" }).first();
    const holder = await firstDriver.locator("select").inputValue();
    await firstDriver.locator("select").selectOption({ label: "Fermín Ostrowski" });
    await firstDriver.locator("button").click();
    expect(await coordinator.textContent("[role=alert]")).toContain(
      "Fermín Ostrowski breaks a rule for this seat: above their risk limit.",
    );
    await checkPage(coordinator, "rota-warning-en");
    await coordinator.goto(`${pod.url}/app/rota?lang=es`);
    await firstDriver.locator("select").selectOption({ label: "Fermín Ostrowski" });
    await firstDriver.locator("button").click();
    expect(await coordinator.textContent("[role=alert]")).toContain("por encima de su límite de riesgo");
    await checkPage(coordinator, "rota-warning-es");
    await coordinator.goto(`${pod.url}/app/rota?lang=en`);
    expect(await firstDriver.locator("select").inputValue()).toBe(holder);

    await coordinator.click("#proposed ~ form button");
    expect(await coordinator.textContent("[role=status]")).toContain("Rota published.");
    expect(await coordinator.textContent("main")).toContain("Every published seat has a holder.");
  });

  let givenUp = "";
  let taker = "";
  it("a member sees their seats, gives one up, and another member takes it", async () => {
    const beatriz = await pageOf(clients.get("beatriz")!);
    await beatriz.goto(`${pod.url}/app/rota/mine`);
    const seats = beatriz.locator("#seats ~ ul > li");
    expect(await seats.count()).toBeGreaterThan(0);
    await checkBoth(beatriz, "mine");
    const first = seats.first();
    givenUp = (await first.locator("strong").textContent())!;
    await first.locator("button").click();
    expect(await beatriz.textContent("[role=status]")).toContain("Seat given up");

    await coordinator.goto(`${pod.url}/app`);
    expect(await coordinator.textContent("main")).toContain("1 rota seat without a holder.");
    await coordinator.goto(`${pod.url}/app/rota`);
    expect(await coordinator.textContent("#unfilled ~ ul")).toContain(givenUp);

    for (const [username, client] of clients) {
      if (username === "beatriz") continue;
      const mine = await client.get("/app/rota/mine");
      if (!mine.html.includes("Take this seat")) continue;
      const page = await pageOf(client);
      await page.goto(`${pod.url}/app/rota/mine`);
      await page.locator("#offers ~ ul > li", { hasText: givenUp }).locator("button").click();
      expect(await page.textContent("[role=status]")).toContain("The seat is yours.");
      expect(await page.textContent("#seats ~ ul")).toContain(givenUp);
      taker = username;
      break;
    }
    expect(taker).not.toBe("");
    await beatriz.goto(`${pod.url}/app/rota/mine`);
    expect(await beatriz.textContent("#seats ~ ul")).not.toContain(givenUp);
  });

  it("the taker's iCal feed lists their seats (an independent parser); a new address ends the old one", async () => {
    const client = clients.get(taker)!;
    const mine = await client.get("/app/rota/mine");
    const seatCount = (mine.html.match(/Give up this seat/g) ?? []).length;
    const made = await client.post("/app/rota/mine/feed", {});
    const url = /<code id="feed-url">([^<]+)<\/code>/.exec(made.html)?.[1];
    expect(url).toMatch(new RegExp(`^${pod.url}/app/rota/feed/`));
    const response = await fetch(url!);
    expect(response.headers.get("content-type")).toContain("text/calendar");
    const calendar = new ICAL.Component(ICAL.parse(await response.text()));
    const events = calendar.getAllSubcomponents("vevent").map((event) => new ICAL.Event(event));
    expect(events).toHaveLength(seatCount);
    const [period, role] = givenUp.split(" · ");
    const taken = events.find((event) => event.summary.startsWith(role!) && event.summary.includes(period!));
    expect(taken).toBeDefined();
    expect(taken!.startDate.isDate).toBe(true);
    expect(taken!.description).toBe(`How to be the ${role}.`);

    await client.get("/app/rota/mine");
    const again = await client.post("/app/rota/mine/feed", {});
    const fresh = /<code id="feed-url">([^<]+)<\/code>/.exec(again.html)?.[1];
    expect(fresh).not.toBe(url);
    expect((await fetch(url!)).status).toBe(404);
    expect((await fetch(fresh!)).status).toBe(200);
    // The secret is the whole protection: no log line may carry it (the refused old one is logged at info).
    for (const secret of [url!, fresh!].map((address) => address.split("/").pop()!)) {
      expect(pod.logs()).not.toContain(secret);
    }
  });

  it("two members accept one given-up seat at once: one takes it, the other is told", async () => {
    const dispatcherSeat = async (username: string) => {
      const mine = await clients.get(username)!.get("/app/rota/mine");
      return /action="\/app\/rota\/mine\/([\w-]+)\/give-up"/.exec(mine.html)?.[1];
    };
    // Whoever holds a seat gives it up; the members free that period race for it.
    let giver = "";
    let seatId: string | undefined;
    for (const username of clients.keys()) {
      seatId = await dispatcherSeat(username);
      if (seatId) {
        giver = username;
        break;
      }
    }
    const giverClient = clients.get(giver)!;
    await giverClient.get("/app/rota/mine");
    expect((await giverClient.post(`/app/rota/mine/${seatId}/give-up`, {})).status).toBe(303);
    const eligible: WebClient[] = [];
    for (const [username, client] of clients) {
      if (username !== giver && (await client.get("/app/rota/mine")).html.includes(`/app/rota/mine/${seatId}/take`))
        eligible.push(client);
    }
    expect(eligible.length).toBeGreaterThanOrEqual(2);
    const answers = await Promise.all(eligible.slice(0, 2).map((c) => c.post(`/app/rota/mine/${seatId}/take`, {})));
    expect(answers.map((a) => a.status).sort()).toEqual([303, 409]);
    expect(answers.find((a) => a.status === 409)!.html).toContain("Someone else took that seat first.");
  });

  it("a handoff where a role changes holder is planned and confirmed by both", async () => {
    const everyone = new Map([["ana", ana], ...clients]);
    const sides = new Map<string, string[]>();
    for (const [username, client] of everyone) {
      const { html } = await client.get("/app/rota/mine");
      for (const [, id] of html.matchAll(/action="\/app\/rota\/handoffs\/([\w-]+)\/confirm"/g)) {
        sides.set(id!, [...(sides.get(id!) ?? []), username]);
      }
    }
    const [id, pair] = [...sides].find(([, who]) => who.length === 2)!;
    const page = await pageOf(everyone.get(pair[0]!)!);
    await page.goto(`${pod.url}/app/rota/mine`);
    await page.fill(`#h-${id}-at`, "2026-12-06T18:30");
    await page.fill(`#h-${id}-place`, "Community kitchen");
    await page.click(`form[action="/app/rota/handoffs/${id}"] button`);
    const card = page.locator("#handoffs ~ ul > li", { has: page.locator(`#h-${id}-at`) });
    expect(await card.textContent()).toContain("Community kitchen");
    expect(await card.textContent()).toContain("Dec 6, 2026, 6:30 PM");
    await card.locator("text=It happened: confirm").click();
    expect(await card.textContent()).toContain("You confirmed; waiting for the other person.");
    await checkBoth(page, "mine-handoff");

    const other = everyone.get(pair[1]!)!;
    await other.get("/app/rota/mine");
    expect((await other.post(`/app/rota/handoffs/${id}/confirm`, {})).status).toBe(303);
    await page.goto(`${pod.url}/app/rota/mine`);
    expect(await card.textContent()).toContain("Both confirmed: handoff done.");
  });

  it("the public charter names the roles the pod rotates and how often, unless coordinators keep it off", async () => {
    const charter = await pod.admin("PUT", "/charter", {
      changeNote: "First charter.",
      services: [
        {
          key: "rides",
          name: "Rides to the clinic",
          description: "Volunteer drivers.",
          category: "transport",
          schedule: "Weekdays",
          area: "Riverside",
          languages: ["en"],
        },
      ],
      planned: [],
    });
    expect(charter.status).toBe(201);
    // A follower's server is told when the charter's line about roles changes.
    const alice = await startRemoteActor("alice");
    const bodyOf = (request: { body: Buffer }) => JSON.parse(request.body.toString("utf8"));
    const follow = { "@context": "https://www.w3.org/ns/activitystreams", type: "Follow", actor: alice.actorId };
    const followed = await postRaw(
      await signMastodonStyle(alice, `${pod.actorUrl}/inbox`, {
        ...follow,
        id: `${alice.actorId}/f/1`,
        object: pod.actorUrl,
      }),
    );
    expect(followed.status).toBeLessThan(300);
    await waitUntil(() => alice.inbox.some((r) => bodyOf(r).type === "Accept"), 15_000);
    // People's servers get the charter's Note (pods get the Article).
    const charterUpdates = () =>
      alice.inbox
        .map(bodyOf)
        .filter((a) => a.type === "Update" && a.object?.id === `${pod.url}/charter/note`)
        .map((a) => String(a.object.content));
    const visitor = await (await newPhone(browser)).newPage();
    await visitor.goto(`${pod.url}/charter?lang=es`);
    expect(await visitor.textContent("#rotation")).toBe(
      "Rotamos los roles para que nadie sea imprescindible: Driver (semanal), Dispatcher (semanal).",
    );
    await checkPage(visitor, "rota-charter-es");
    await visitor.goto(`${pod.url}/charter?lang=en`);
    expect(await visitor.textContent("#rotation")).toBe(
      "We rotate roles so no one becomes irreplaceable: Driver (weekly), Dispatcher (weekly).",
    );
    await checkPage(visitor, "rota-charter-en");

    await coordinator.goto(`${pod.url}/app/rota?lang=en`);
    await coordinator.uncheck("input[name=publicRoles][type=checkbox]");
    await coordinator.click("form[action='/app/rota/settings'] button");
    expect(await coordinator.textContent("[role=status]")).toContain("Choice saved.");
    expect(await coordinator.isChecked("input[name=publicRoles][type=checkbox]")).toBe(false);
    await visitor.goto(`${pod.url}/charter`);
    expect(await visitor.locator("#rotation").count()).toBe(0);
    expect((await pod.getActivityPub(`${pod.url}/charter`)).content).not.toContain("We rotate roles");
    await waitUntil(() => charterUpdates().length === 1, 15_000);
    expect(charterUpdates()[0]).not.toContain("We rotate roles");
    await coordinator.check("input[name=publicRoles][type=checkbox]");
    await coordinator.click("form[action='/app/rota/settings'] button");
    expect((await pod.getActivityPub(`${pod.url}/charter`)).content).toContain("Driver (weekly)");
    await waitUntil(() => charterUpdates().length === 2, 15_000);
    expect(charterUpdates()[1]).toContain("Driver (weekly)");
    // Saving the same choice again changes nothing followers see: no Update.
    await coordinator.click("form[action='/app/rota/settings'] button");
    expect(await coordinator.textContent("[role=status]")).toContain("Choice saved.");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(charterUpdates()).toHaveLength(2);
    await alice.close();
  });

  it("no member's name or boundary appears in the actor, the outbox, the public pages or the logs", async () => {
    const actor = await pod.getActivityPub(pod.actorUrl);
    const outbox = await pod.getActivityPub(actor.outbox);
    const first = typeof outbox.first === "string" ? await pod.getActivityPub(outbox.first) : outbox.first;
    const pages = await Promise.all(["/", "/charter", "/offers"].map(async (p) => (await fetch(pod.url + p)).text()));
    const everything = [JSON.stringify(actor), JSON.stringify(outbox), JSON.stringify(first), ...pages, pod.logs()];
    for (const person of PEOPLE) {
      for (const text of everything) {
        expect(text).not.toContain(person.displayName);
        expect(text).not.toContain(BOUNDARY);
      }
    }
  });
});
