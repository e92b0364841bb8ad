import { Temporal } from "@js-temporal/polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFediversePerson, type FediversePerson } from "../support/fediverse-person.ts";
import { collectionItems, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { setUpPod, WebClient } from "../support/web-client.ts";

const ZONE = "Europe/Madrid";
const fastTimers = {
  NODE_OPTIONS: `--import ${new URL("../support/fast-timers.ts", import.meta.url).href}`,
  POD_TEST_TIMER_SCALE: "600",
};
const password = "a long enough password";
/** Everything here is private to the pod's members: none of it may leave through a public door or a log line. */
const PEOPLE = [
  { displayName: "Wenceslao Quibble", username: "wenceslao", contact: "wenceslao.q@example.org" },
  { displayName: "Philippa Zanzibar", username: "philippa", contact: "+34 600 111 222" },
  { displayName: "Ottoline Brackenbury", username: "ottoline", contact: "Signal: ottoline-b" },
  { displayName: "Eustace Marchbanks", username: "eustace", contact: "eustace@marchbanks.example" },
].map((p) => ({ ...p, boundaries: `No night shifts for ${p.username} after the surgery` }));
const PLACE = "Back room of the Marchbanks flat";

/**
 * The rotation room on a running pod: members with distinctive names, contacts and boundaries; a rota generated and
 * published, a seat swapped, a handoff planned, reminded and confirmed. Then everything the pod shows the world
 * (ActivityPub documents and collections, feeds, public pages) and its whole log: no member's name, username,
 * fediverse handle, contact or boundary in any of it. The role names and how often they rotate may be public.
 */
describe("rotation privacy", { timeout: 120_000 }, () => {
  let pod: PodProcess;
  let person: FediversePerson;
  const clients = new Map<string, WebClient>();

  beforeAll(async () => {
    [pod, person] = await Promise.all([
      startPod("rota-privacy", { POD_TIME_ZONE: ZONE, ...fastTimers }),
      startFediversePerson("wquibble"),
    ]);
    const [first, ...rest] = PEOPLE;
    const coordinator = await setUpPod(pod.url, pod.logs(), { ...first!, password });
    clients.set(first!.username, coordinator);
    for (const p of rest) {
      await coordinator.get("/app/members");
      const made = await coordinator.post("/app/invitations", { role: "member" });
      const link = /<code class="link">([^<]+)<\/code>/.exec(made.html)![1]!;
      const client = new WebClient(pod.url);
      await client.get(link);
      expect((await client.post(link, { displayName: p.displayName, username: p.username, password })).status).toBe(
        303,
      );
      clients.set(p.username, client);
    }
    for (const p of PEOPLE) {
      const client = clients.get(p.username)!;
      await client.get("/app/profile");
      await client.post("/app/profile", {
        contact: p.contact,
        skills: "driving",
        boundaries: p.boundaries,
        locale: "",
      });
      await client.get("/app/rota/mine");
      await client.post("/app/rota/mine/boundaries", { maxRisk: "high", unavailable: "" });
    }
    // The coordinator links a fediverse account: reminders go to it.
    await coordinator.get("/app/security");
    await coordinator.post("/app/security/handle", { handle: `@${person.handle}` });
    await coordinator.get("/app/security");
    await coordinator.post("/app/security/handle/verify", { code: await person.code(0) });
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
  }, 90_000);
  afterAll(async () => {
    await Promise.all([pod?.stop(), person?.close()]);
  });

  it("a rota is generated and published, a seat swapped, a handoff planned, reminded and confirmed", async () => {
    const ana = clients.get("wenceslao")!;
    for (const role of [
      { name: "Driver", period: "weekly", tenureLimit: "1" },
      { name: "Dispatcher", period: "monthly", tenureLimit: "2" },
    ]) {
      await ana.get("/app/rota/roles/new");
      const saved = await ana.post("/app/rota/roles/new", {
        ...role,
        seats: "1",
        skills: "",
        risk: "low",
        handbook: "",
      });
      expect(saved.status).toBe(303);
    }
    await ana.get("/app/rota");
    await ana.post("/app/rota/generate", { weeks: "4" });
    await ana.get("/app/rota");
    expect((await ana.post("/app/rota/publish", {})).status).toBe(303);

    // Someone gives a seat up and the first other member who may take it does.
    let taken = false;
    for (const [giver, client] of clients) {
      const seat = /action="\/app\/rota\/mine\/([\w-]+)\/give-up"/.exec((await client.get("/app/rota/mine")).html)?.[1];
      if (!seat) continue;
      await client.post(`/app/rota/mine/${seat}/give-up`, {});
      for (const [username, other] of clients) {
        if (username === giver || !(await other.get("/app/rota/mine")).html.includes(`/${seat}/take`)) continue;
        expect((await other.post(`/app/rota/mine/${seat}/take`, {})).status).toBe(303);
        taken = true;
        break;
      }
      break;
    }
    expect(taken).toBe(true);

    // The coordinator's handoff, planned for now: a reminder goes to her account; both confirm.
    const mine = await ana.get("/app/rota/mine");
    const id = /action="\/app\/rota\/handoffs\/([\w-]+)\/confirm"/.exec(mine.html)![1]!;
    const now = Temporal.Now.zonedDateTimeISO(ZONE).toPlainDateTime();
    const at = now.round({ smallestUnit: "minute", roundingMode: "floor" }).toString({ smallestUnit: "minute" });
    expect((await ana.post(`/app/rota/handoffs/${id}`, { at, place: PLACE })).status).toBe(303);
    await waitUntil(() => person.notes().some((n) => n.text.includes("handoff")));
    for (const client of clients.values()) {
      const page = await client.get("/app/rota/mine");
      if (page.html.includes(`/app/rota/handoffs/${id}/confirm`)) {
        expect((await client.post(`/app/rota/handoffs/${id}/confirm`, {})).status).toBe(303);
      }
    }
  });

  /** Every public document: ActivityPub (actor, collections and their items, charter), feeds, public pages. */
  async function everythingPublic(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const ap = async (url: string) => out.set(url, JSON.stringify(await pod.getActivityPub(url)));
    const actor = await pod.getActivityPub(pod.actorUrl);
    out.set(pod.actorUrl, JSON.stringify(actor));
    const collections = [actor.outbox, actor.followers, actor.following, actor.featured];
    for (const stream of Object.values(actor.streams ?? {})) collections.push(stream as string);
    for (const url of collections.filter((c): c is string => typeof c === "string")) {
      await ap(url);
      for (const item of await collectionItems(pod, url).catch(() => [])) {
        if (item.startsWith(pod.url)) await ap(item).catch(() => {});
      }
    }
    for (const url of [`${pod.url}/charter`, `${pod.url}/charter/note`]) await ap(url);
    const webfinger = `${pod.url}/.well-known/webfinger?resource=acct:pod@${new URL(pod.url).host}`;
    for (const path of [
      "/",
      "/charter",
      "/charter/history",
      "/offers",
      "/needs",
      "/practices",
      "/neighbors",
      "/about",
      "/view/offers.atom",
      "/view/needs.atom",
      "/nodeinfo/2.1",
    ]) {
      const response = await fetch(pod.url + path);
      out.set(path, await response.text());
    }
    out.set("webfinger", await (await fetch(webfinger)).text());
    return out;
  }

  it("no member's name, username, handle, contact, boundary or handoff place is public or logged", async () => {
    const everything = await everythingPublic();
    everything.set("log", pod.logs());
    // The log holds the rota's work (so it was looked at after it), and the secrets are real: members see them.
    expect(pod.logs()).toContain("rota reminders sent");
    expect((await clients.get("wenceslao")!.get("/app/members")).html).toContain(PEOPLE[1]!.displayName);
    expect([...everything.keys()].filter((k) => k.startsWith(pod.url)).length).toBeGreaterThan(6);
    const secrets = [
      ...PEOPLE.flatMap((p) => [p.displayName, p.contact, p.boundaries, `@${p.username}`, `/${p.username}`]),
      PLACE,
      person.handle,
      person.actorId,
    ];
    for (const [where, text] of everything) {
      for (const secret of secrets) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
    // What the pod chose to say: the roles it rotates and how often, on the charter page and in its Article.
    const line = "We rotate roles so no one becomes irreplaceable: Driver (weekly), Dispatcher (monthly).";
    expect(everything.get("/charter")).toContain(line);
    expect(JSON.parse(everything.get(`${pod.url}/charter`)!).content).toContain(`<p>${line}</p>`);
    // Mastodon shows people the charter's Note (pinned in featured): the line is there too.
    expect(JSON.parse(everything.get(`${pod.url}/charter/note`)!).content).toContain(`<p>${line}</p>`);
  });

  it("coordinators can keep the rota off the public charter", async () => {
    const ana = clients.get("wenceslao")!;
    await ana.get("/app/rota");
    expect((await ana.post("/app/rota/settings", { publicRoles: "0" })).status).toBe(303);
    expect(await (await fetch(`${pod.url}/charter`)).text()).not.toContain("We rotate roles");
    expect((await pod.getActivityPub(`${pod.url}/charter`)).content).not.toContain("We rotate roles");
    await ana.get("/app/rota");
    await ana.post("/app/rota/settings", { publicRoles: "1" });
    expect((await pod.getActivityPub(`${pod.url}/charter`)).content).toContain("Driver (weekly)");
  });
});
