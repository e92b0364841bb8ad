import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Temporal } from "@js-temporal/polyfill";
import Database from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { periodOf } from "../../src/rotation/periods.ts";
import { checkPage, launchBrowser, signedInPage, pageAs } from "../support/browser.ts";
import { type PodProcess, startPod } from "../support/pod-process.ts";
import { WebClient } from "../support/web-client.ts";

const ZONE = "Europe/Madrid";
const PEOPLE = [
  { displayName: "Beatriz Quintana", username: "beatriz" },
  { displayName: "Dolores Zubiri", username: "dolores" },
  { displayName: "Eulalia Varga", username: "eulalia" },
  { displayName: "Fermín Ostrowski", username: "fermin" },
];
// Distinctive strings: none may leave the pod.
const ASK = "Could we have a circle after the eviction on Calle Olmo";
const CASE = "Shouting match about the walk-in freezer rota";
const STEP = "Talked it through over tea at Eulalia's";
const THEME = "Grief after the floods";

/** The care room in a browser against one pod: load signals, circles, an anonymous ask, a private case. */
describe("web app: care", { timeout: 300_000 }, () => {
  let pod: PodProcess;
  let browser: Browser;
  let coordinator: Page;
  let ana: WebClient;
  const clients = new Map<string, WebClient>();
  const ids = new Map<string, string>();

  async function checkBoth(page: Page, name: string) {
    const url = new URL(page.url());
    for (const lang of ["es", "en"] as const) {
      await page.goto(`${pod.url}${url.pathname}?lang=${lang}`);
      await checkPage(page, `care-${name}-${lang}`);
    }
  }
  const pageOf = (client: WebClient) => pageAs(browser, pod.url, client);
  const database = () => new Database(join(pod.dataDir, "pod.sqlite"), { timeout: 10_000 });

  beforeAll(async () => {
    [pod, browser] = await Promise.all([startPod("care", { POD_TIME_ZONE: ZONE }), launchBrowser()]);
    ({ page: coordinator, client: ana } = await signedInPage(browser, pod));
    for (const person of PEOPLE) {
      await ana.get("/app/members");
      const made = await ana.post("/app/invitations", { role: "member" });
      const link = /<code class="link">([^<]+)<\/code>/.exec(made.html)![1]!;
      const client = new WebClient(pod.url);
      await client.get(link);
      expect((await client.post(link, { ...person, password: "a long enough password" })).status).toBe(303);
      clients.set(person.username, client);
    }
    const db = database();
    for (const row of db.prepare("select id, username from members").all() as { id: string; username: string }[]) {
      ids.set(row.username, row.id);
    }
    db.close();
    const charter = await pod.admin("PUT", "/charter", {
      changeNote: "First charter",
      services: [{ key: "food-runs", name: "Food runs", category: "food", area: "Riverside" }],
      planned: [],
    });
    expect(charter.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await pod?.stop();
  });

  it("a coordinator sees load signals for a member with many seats; the member sees their own", async () => {
    // Weeks of history cannot be lived through in a test: eight past weeks of published seats go into the pod's
    // database, the way the rotation room keeps them (this week included).
    const today = Temporal.Now.zonedDateTimeISO(ZONE).toPlainDate();
    const db = database();
    const role = randomUUID();
    db.prepare(
      "insert into rota_roles (id, name, seats, skills, risk, tenure_limit, period, handbook, created_at) " +
        "values (?, 'Driver', 1, '', 'low', 9, 'weekly', '', ?)",
    ).run(role, new Date().toISOString());
    for (let back = 0; back < 8; back++) {
      db.prepare(
        "insert into rota_seats (id, period, role_id, member_id, shadow, status) values (?, ?, ?, ?, 0, 'published')",
      ).run(randomUUID(), periodOf(today.subtract({ weeks: back }), "weekly"), role, ids.get("beatriz"));
    }
    db.close();

    await coordinator.goto(`${pod.url}/app/care/team`);
    const card = coordinator.locator("#team-load ~ ul > li", { hasText: "Beatriz Quintana" });
    const text = await card.textContent();
    expect(text).toContain("8 seats held in the last 8 weeks.");
    expect(text).toContain("8 periods in a row in the same role, up to now.");
    expect(text).toContain("8 weeks in a row with a seat, up to now.");
    expect(text).toContain(
      "Suggest rest and a circle to Beatriz Quintana: many seats lately; no week off for a while; " +
        "the same role for many periods.",
    );
    expect(await coordinator.textContent("#team-load ~ p:not(.hint)")).toContain("1 member could use a rest.");
    expect(await coordinator.textContent("#quiet")).toBe(
      "No seats lately: Ana, Dolores Zubiri, Eulalia Varga, Fermín Ostrowski.",
    );

    const beatriz = await pageOf(clients.get("beatriz")!);
    await beatriz.goto(`${pod.url}/app/care`);
    expect(await beatriz.textContent("#load ~ ul")).toContain("8 seats held in the last 8 weeks.");
    expect(await beatriz.textContent("main")).toContain("You have been carrying a lot.");
    // The member's page is about them alone.
    expect(await beatriz.textContent("main")).not.toContain("Fermín");
    await checkBoth(beatriz, "mine");
    // Members never reach the coordinators' page.
    expect((await clients.get("fermin")!.get("/app/care/team")).status).toBe(403);
  });

  const circleSetUp =
    "a coordinator sets up a weekly circle; facilitators take turns; attendance is a count; the charter shows it";
  it(circleSetUp, async () => {
    for (const username of ["eulalia", "fermin"]) {
      const client = clients.get(username)!;
      await client.get("/app/care");
      const saved = await client.post("/app/care/volunteer", { facilitates: "1", mediates: "1" });
      expect(saved.status).toBe(303);
    }
    const today = Temporal.Now.zonedDateTimeISO(ZONE).toPlainDate();
    await coordinator.goto(`${pod.url}/app/care/team`);
    await coordinator.selectOption("#f-kind", "decompression");
    await coordinator.selectOption("#f-frequency", "weekly");
    await coordinator.selectOption("#f-weekday", "TU");
    await coordinator.fill("#f-time", "19:00");
    await coordinator.fill("#f-from", today.subtract({ weeks: 3 }).toString());
    await coordinator.fill("#f-theme", THEME);
    await coordinator.fill("#f-place", "The community kitchen");
    await coordinator.click("form[action='/app/care/circles'] button[type=submit]");
    expect(await coordinator.textContent("[role=status]")).toContain("Circle created.");
    expect(await coordinator.textContent("#team-circles ~ ul")).toContain(
      `Decompression circle · every Tuesday at 19:00 · theme: ${THEME}`,
    );
    expect(await coordinator.textContent("main")).toContain("No minutes are taken, by design");
    // Three past Tuesdays wait for their count; the next circle's facilitator is explained in one line.
    const waiting = coordinator.locator("#attendance ~ ul > li");
    expect(await waiting.count()).toBeGreaterThanOrEqual(2);
    expect(await waiting.first().textContent()).toContain("7:00 PM");
    await waiting.first().locator("input[name=attendance]").fill("7");
    await waiting.first().locator("button").click();
    expect(await coordinator.textContent("[role=status]")).toContain("Count saved.");
    const next = (await coordinator.locator("#team-circles ~ h3 + ul > li").first().textContent())!;
    expect(next).toMatch(/(Eulalia Varga|Fermín Ostrowski) facilitates: /);
    await checkBoth(coordinator, "team-circles");

    const dolores = await pageOf(clients.get("dolores")!);
    await dolores.goto(`${pod.url}/app/care`);
    expect(await dolores.textContent("#circles ~ ul")).toContain(THEME);
    expect(await dolores.textContent("#circles ~ ul")).toContain("Where: The community kitchen");

    const charter = await (await fetch(`${pod.url}/charter?lang=en`)).text();
    expect(charter).toMatch(/<p id="circles-held">Circles held: [^<]*: 1\.<\/p>/);
    expect(charter).not.toContain(THEME);
  });

  it("a member asks anonymously for a circle; the coordinator sees the words without a name", async () => {
    const dolores = await pageOf(clients.get("dolores")!);
    await dolores.goto(`${pod.url}/app/care?lang=en`);
    await dolores.fill("#f-text", ASK);
    await dolores.click("form[action='/app/care/ask'] button");
    expect(await dolores.textContent("[role=status]")).toContain("Your request was passed on, without your name.");

    await coordinator.goto(`${pod.url}/app/care/team`);
    const request = (await coordinator.locator("#requests ~ ul > li").first().textContent())!;
    expect(request).toContain(ASK);
    expect(request).toMatch(/Week of /);
    for (const person of PEOPLE) expect(request).not.toContain(person.displayName);

    // The stored row has nothing that links it to Dolores: not her id, not her session, not an address.
    const db = database();
    const rows = db.prepare("select * from care_circle_requests").all() as Record<string, unknown>[];
    const sessions = db
      .prepare("select id_hash as id from member_sessions where member_id = ?")
      .all(ids.get("dolores")) as {
      id: string;
    }[];
    const audit = JSON.stringify(
      db.prepare("select * from audit_log where at > ?").all(new Date(Date.now() - 600_000).toISOString()),
    );
    db.close();
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).sort()).toEqual(["answered", "id", "text", "week"]);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(ids.get("dolores"));
    for (const s of sessions) expect(stored).not.toContain(s.id);
    expect(clients.get("dolores")!.cookies.get("pod_session")).toBeTruthy();
    expect(stored).not.toContain(clients.get("dolores")!.cookies.get("pod_session"));
    expect(stored).not.toContain("127.0.0.1");
    expect(audit).not.toContain(ASK);
    expect(audit).not.toContain("care.ask");
    // No log line for the ask at all (not even the request line with its time and address).
    expect(pod.logs()).toContain("/app/care/volunteer"); // other requests are logged: the check can fail
    expect(pod.logs()).not.toContain("/app/care/ask");

    // A member can ask three times a day; the fourth is refused, still without recording who.
    const client = clients.get("dolores")!;
    await client.get("/app/care");
    expect((await client.post("/app/care/ask", { text: "second" })).status).toBe(303);
    expect((await client.post("/app/care/ask", { text: "third" })).status).toBe(303);
    const refused = await client.post("/app/care/ask", { text: "fourth" });
    expect(refused.status).toBe(429);
    expect(refused.html).toContain("Too many requests for now.");
  });

  let caseUrl = "";
  it("a case is seen by its people and its mediator, and is not found by an uninvolved member", async () => {
    const dolores = await pageOf(clients.get("dolores")!);
    await dolores.goto(`${pod.url}/app/care/cases/new`);
    // Eulalia volunteered to mediate first: it is her turn.
    expect(await dolores.textContent("#f-mediator-hint")).toContain("Eulalia Varga would mediate: volunteered on");
    expect(await dolores.locator("#f-mediator").inputValue()).toBe(ids.get("eulalia"));
    await checkBoth(dolores, "case-new");
    await dolores.fill("#f-what", CASE);
    await dolores.locator("label.choice", { hasText: "Beatriz Quintana" }).locator("input").check();
    await dolores.click("form[action='/app/care/cases'] button[type=submit]");
    caseUrl = new URL(dolores.url()).pathname;
    expect(caseUrl).toMatch(/^\/app\/care\/cases\/[\w-]+$/);
    expect(await dolores.textContent("main")).toContain(CASE);
    expect(await dolores.textContent("main")).toContain("Involved: Beatriz Quintana, Dolores Zubiri");
    expect(await dolores.textContent("main")).toContain("Mediator: Eulalia Varga");

    const eulalia = await pageOf(clients.get("eulalia")!);
    await eulalia.goto(`${pod.url}${caseUrl}`);
    expect(await eulalia.textContent("main")).toContain(CASE);
    await eulalia.fill("#f-text", STEP);
    await eulalia.click(`form[action='${caseUrl}/steps'] button`);
    expect(await eulalia.textContent("#steps ~ ol")).toContain(STEP);
    await eulalia.selectOption("#f-outcome", "resolved");
    await eulalia.check("input[name=withoutAuthorities]");
    await eulalia.click(`form[action='${caseUrl}/outcome'] button`);
    expect(await eulalia.textContent("main")).toContain(
      "Resolved within the pod · resolved without outside authorities",
    );
    await checkBoth(eulalia, "case");

    // Fermín is not part of it: the case does not exist for him, not even in his list.
    const fermin = clients.get("fermin")!;
    const hidden = await fermin.get(caseUrl);
    expect(hidden.status).toBe(404);
    expect(hidden.html).not.toContain(CASE);
    const unknown = await fermin.get(`/app/care/cases/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    // The same page as for a case that never existed (only the language link, back to the same address, differs).
    const bare = (html: string) => html.replace(/name="_csrf" value="[^"]+"/, "").replace(/cases\/[\w-]+\?lang/, "");
    expect(bare(hidden.html)).toBe(bare(unknown.html));
    expect((await fermin.get("/app/care")).html).not.toContain(caseUrl);
    await fermin.get("/app/care");
    expect((await fermin.post(`${caseUrl}/steps`, { day: "2026-11-29", text: "nosy" })).status).toBe(404);
    // A coordinator sees every case.
    await coordinator.goto(`${pod.url}${caseUrl}`);
    expect(await coordinator.textContent("main")).toContain(STEP);
    // Only volunteers who are not involved can be named mediator.
    const choices = await coordinator.locator("#f-mediator option").allTextContents();
    expect(choices).toEqual(["No mediator yet", "Eulalia Varga", "Fermín Ostrowski"]);
    await coordinator.selectOption("#f-mediator", { label: "Fermín Ostrowski" });
    await coordinator.click(`form[action='${caseUrl}/mediator'] button`);
    expect(await coordinator.textContent("[role=status]")).toContain("Mediator changed.");
    await checkPage(coordinator, "care-case-coordinator-en");
    expect((await fermin.get(caseUrl)).status).toBe(200);
  });

  const nothingLeaves =
    "no name, case, step, theme or request leaves the pod: actor, outbox, charter Article, public pages, logs";
  it(nothingLeaves, async () => {
    const actor = await pod.getActivityPub(pod.actorUrl);
    const outbox = await pod.getActivityPub(actor.outbox);
    const first = typeof outbox.first === "string" ? await pod.getActivityPub(outbox.first) : outbox.first;
    const article = await pod.getActivityPub(`${pod.url}/charter`);
    const pages = await Promise.all(
      ["/", "/charter", "/charter?lang=es", "/offers", "/charter/history"].map(async (p) =>
        (await fetch(pod.url + p)).text(),
      ),
    );
    const everything = [actor, outbox, first, article].map((d) => JSON.stringify(d)).concat(pages, pod.logs());
    expect(pages[1]).toContain('id="circles-held"');
    for (const text of everything) {
      for (const secret of [ASK, CASE, STEP, THEME, ...PEOPLE.map((p) => p.displayName)]) {
        expect(text).not.toContain(secret);
      }
    }
  });
});
