import { OTHER_PROCESSES_SEEN_WITHIN_MS } from "../../src/db/versions.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFarm, type Delivery, type Farm, type FarmHost } from "./follower-farm.ts";
import { startNeighborPod, type NeighborPod } from "./neighbor-pod.ts";
import { adminCall, TEST_ADMIN_TOKEN, waitUntil } from "./pod-process.ts";
import { startProxy, startRole, type RoleProcess, type RoundRobinProxy } from "./split-pod.ts";

const HOSTS = 100;
const ACTORS_PER_HOST = 10;
/** Every process's minute-long periods last 100 ms (the hourly resync 6 s): POD_TEST_TIMER_SCALE. */
const SWEEP_MS = 100;
const RESYNC_MS = 6_000;
const SWEEP_JOBS = ["expire-offers", "prune-received", "draft-sovereignty", "rota-reminders", "review-reminders"];

export interface LeaseRow {
  name: string;
  runs: number;
  lastRunAt: number;
}

export interface FollowerRow {
  actorIri: string;
  followIri: string;
  inbox: string;
  sharedInbox: string;
  at: string;
}

/** What the suite reads and writes in the pod's database behind the processes' backs, and what selects it. */
export interface SplitDatabase {
  /** Settings that point every process at the database (DATABASE_URL; none for the SQLite file in DATA_DIR). */
  env: Record<string, string>;
  leases(): Promise<LeaseRow[]>;
  /** Accepted followers written straight into the followers table, in one transaction. */
  addFollowers(rows: FollowerRow[]): Promise<void>;
  /** Queue messages whose lease runs past `at` (ms). */
  leasedAfter(at: number): Promise<number>;
  close(): Promise<void>;
}

/** Where the pod's data lives: a SQLite file in `dataDir`, or a PostgreSQL database. */
export type SplitBackend = (dataDir: string) => Promise<SplitDatabase>;

const admin = adminCall;

async function getActivityPub(url: string) {
  const response = await fetch(url, { headers: { accept: "application/activity+json" } });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

/**
 * One pod as two web processes and two workers behind a round-robin proxy, on one database: ingest through
 * both web processes, fan-out to 1,000 followers on 100 hosts through both workers with one killed
 * (SIGKILL) mid fan-out, the periodic jobs once per period, graceful stops.
 */
export function splitPodSuite(title: string, openDatabase: SplitBackend) {
  describe(title, () => {
    let proxy: RoundRobinProxy;
    let dataDir: string;
    let webs: RoleProcess[] = [];
    let workers: RoleProcess[] = [];
    let farm: Farm;
    let neighbor: NeighborPod;
    let db: SplitDatabase;
    let actorUrl: string;

    const leases = async () => new Map((await db.leases()).map((r) => [r.name, r]));

    beforeAll(async () => {
      proxy = await startProxy();
      dataDir = mkdtempSync(join(tmpdir(), "pod-split-"));
      db = await openDatabase(dataDir);
      const env = {
        ...db.env,
        POD_URL: proxy.url,
        DATA_DIR: dataDir,
        POD_HANDLE: "pod",
        POD_NAME: "Pod split",
        POD_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        POD_ALLOW_PRIVATE_ADDRESS: "true",
        POD_QUEUE_LEASE_SECONDS: "4",
        POD_TEST_TIMER_SCALE: "600",
        LOG_LEVEL: "warn",
      };
      const started = Date.now();
      // All four start at once on a new data directory: they race to make the pod (migrations, keys).
      const [farmStarted, ...processes] = await Promise.all([
        startFarm({ hosts: HOSTS, actorsPerHost: ACTORS_PER_HOST }),
        startRole("web", env),
        startRole("web", env),
        startRole("worker", env),
        startRole("worker", env),
      ]);
      farm = farmStarted;
      webs = [processes[0]!, processes[1]!];
      workers = [processes[2]!, processes[3]!];
      const keys = await Promise.all(webs.map(async (web) => (await getActivityPub(`${web.url}/users/pod`)).publicKey));
      expect(keys[1]).toEqual(keys[0]);
      console.log(`${title}: 2 web processes, 2 workers and the farm started in ${(Date.now() - started) / 1000} s`);
      proxy.backends.push(...webs.map((web) => web.url));
      neighbor = await startNeighborPod("neighbor", { streams: ["offers", "needs"] });
      actorUrl = `${proxy.url}/users/pod`;
    }, 120_000);

    afterAll(async () => {
      await Promise.all([...webs, ...workers].map((process) => process.kill()));
      await db?.close();
      await Promise.all([proxy?.close(), farm?.close(), neighbor?.close()]);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it("/health and /ready answer on each web process, and on each worker's health port", async () => {
      for (const web of webs) {
        expect((await fetch(`${web.url}/health`)).status).toBe(200);
        const ready = await fetch(`${web.url}/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toEqual({ status: "ready", database: "up", migrations: "up" });
      }
      for (const worker of workers) {
        expect((await fetch(`${worker.url}/health`)).status).toBe(200);
        const ready = await fetch(`${worker.url}/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toEqual({
          status: "ready",
          database: "up",
          migrations: "up",
          queue: "up",
          events: "up",
        });
      }
    });

    it("a charter changed through web process 1 shows in the actor document read from web process 2", async () => {
      const fields = async (web: RoleProcess) =>
        JSON.stringify((await getActivityPub(`${web.url}/users/pod`)).attachment ?? []);
      // Web process 2 builds (and keeps) its actor document before the change.
      expect(await fields(webs[1]!)).not.toContain("Food runs");
      const charter = await admin(webs[0]!.url, "PUT", "/charter", {
        changeNote: "First charter",
        services: [{ key: "food-runs", name: "Food runs", category: "food", area: "Riverside" }],
      });
      expect(charter.status).toBe(201);
      expect(await fields(webs[0]!)).toContain("Food runs");
      // Another process's change is seen within OTHER_PROCESSES_SEEN_WITHIN_MS.
      await new Promise((resolve) => setTimeout(resolve, OTHER_PROCESSES_SEEN_WITHIN_MS + 10));
      expect(await fields(webs[1]!)).toContain("Food runs");
    });

    it("a neighbor's offers delivered to either web process land in the view", async () => {
      const follow = await admin(webs[1]!.url, "POST", "/following", { target: neighbor.actorId });
      expect(follow.status).toBe(202);
      // The Follow is delivered by a worker.
      const sent = () =>
        neighbor.inbox.map((r) => JSON.parse(r.body.toString("utf8"))).find((a) => a.type === "Follow");
      await waitUntil(() => sent() !== undefined, 30_000);
      expect((await neighbor.deliver(`${actorUrl}/inbox`, neighbor.activity("Accept", sent()))).status).toBe(202);
      const offers = [neighbor.offer("n1", { name: "Jam" }), neighbor.offer("n2", { name: "Bread" })];
      for (const offer of offers) neighbor.publish(offer);
      neighbor.servePagedStream("offers", [offers]);
      neighbor.servePagedStream("needs", [[]]);
      // Signed for the pod's address, so through the proxy, which hands one Create to each web process in turn.
      const handled = () => webs.map((web) => proxy.handled.get(web.url) ?? 0);
      const before = handled();
      for (const offer of offers) {
        expect((await neighbor.deliver(`${actorUrl}/inbox`, neighbor.activity("Create", offer))).status).toBe(202);
      }
      expect(handled().map((count, index) => count - before[index]!)).toEqual([1, 1]);
      const surplus = async (web: RoleProcess) =>
        (await (await fetch(`${web.url}/view/surplus?limit=200`)).json()).items
          .map((i: { iri: string }) => i.iri)
          .sort();
      await waitUntil(async () => (await surplus(webs[0]!)).length === 2, 20_000);
      expect(await surplus(webs[1]!)).toEqual(offers.map((o) => o.id).sort());
    }, 60_000);

    it("fan-out to 1,000 followers on 100 hosts through both workers, one of them killed mid fan-out", {
      timeout: 150_000,
    }, async () => {
      const actor = await getActivityPub(actorUrl);
      for (const key of [actor.publicKey].flat()) farm.trust(key.id, key.publicKeyPem);
      const followed = Date.now();
      // One actor on every fifth host follows for real, signed, through the proxy (both web processes verify and
      // record them, the workers deliver the Accepts); the others are written as accepted followers, as the
      // fan-out is what this test is about (test/e2e/fan-out.test.ts takes 1,000 real follows).
      const real = farm.hosts.filter((_, index) => index % 5 === 0).map((host) => host.actors[0]!);
      await inBatches(real, 10, async (follower) => {
        const follow = {
          "@context": "https://www.w3.org/ns/activitystreams",
          id: `${follower.id}/follows/1`,
          type: "Follow",
          actor: follower.id,
          object: actorUrl,
        };
        const response = await farm.post(follower, `${proxy.url}/inbox`, follow);
        if (!response.ok) throw new Error(`Follow from ${follower.id} answered ${response.status}`);
      });
      const accepted = () => farm.hosts.flatMap((host) => host.deliveries).filter((d) => d.type === "Accept").length;
      await waitUntil(() => accepted() >= real.length, 60_000, 250);
      const at = new Date().toISOString();
      await db.addFollowers(
        farm.hosts.flatMap((host) =>
          host.actors
            .filter((actor) => !real.includes(actor))
            .map((actor) => ({
              actorIri: actor.id,
              followIri: `${actor.id}/follows/1`,
              inbox: actor.inbox,
              sharedInbox: `${host.origin}/inbox`,
              at,
            })),
        ),
      );
      const followers = (await getActivityPub(`${actorUrl}/followers`)).totalItems as number;
      expect(followers).toBe(HOSTS * ACTORS_PER_HOST);
      const setupSeconds = (Date.now() - followed) / 1000;
      for (const web of webs) expect(proxy.handled.get(web.url)).toBeGreaterThan(real.length / 3);

      const hosts: FarmHost[] = farm.hosts;
      const targets = hosts.flatMap((host) =>
        host.sharedInbox ? [`${host.origin}/inbox`] : host.actors.map((a) => a.inbox),
      );
      const publications = () => hosts.flatMap((host) => host.deliveries).filter((d) => d.type !== "Accept");
      const offer = (name: string) => ({
        name,
        category: "food",
        quantity: 5,
        unit: "kg",
        area: { name: "Riverside" },
      });

      const earlier = new Set(await collectionItems(`${actorUrl}/outbox`));
      // One offer published on a web process: how long until the followers have it (a worker delivers it).
      const published = Date.now();
      expect((await admin(webs[0]!.url, "POST", "/offers", offer("Apples"))).status).toBe(201);
      await waitUntil(() => new Set(publications().map((d) => d.inbox)).size === targets.length, 60_000, 20);
      const firstAt = Math.min(...publications().map((d) => d.receivedAt));
      const lastAt = Math.max(...publications().map((d) => d.receivedAt));

      // Two more, one through each web process; a worker is killed as soon as their deliveries start.
      const before = publications().length;
      expect((await admin(webs[0]!.url, "POST", "/offers", offer("Pears"))).status).toBe(201);
      expect((await admin(webs[1]!.url, "POST", "/offers", offer("Plums"))).status).toBe(201);
      await waitUntil(() => publications().length > before, 30_000, 5);
      await workers[1]!.kill();
      const killedAt = Date.now();
      const killedAfter = publications().length - before;
      // Messages leased at the kill (by either worker): the dead one's wait for their lease to run out.
      const leasedAtKill = await db.leasedAfter(killedAt);

      const expected = (await collectionItems(`${actorUrl}/outbox`)).filter((id) => !earlier.has(id)).sort();
      expect(expected).toHaveLength(3);
      const byTarget = () => {
        const map = new Map<string, Delivery[]>(targets.map((target) => [target, []]));
        for (const delivery of publications()) map.get(delivery.inbox)?.push(delivery);
        return map;
      };
      const missing = () => [...byTarget()].filter(([, got]) => new Set(got.map((d) => d.activityId)).size < 3);
      await waitUntil(() => missing().length === 0, 90_000, 250).catch((error) => {
        throw new Error(`${String(error)}; ${missing().length} targets incomplete\n${workers[0]!.logs().slice(-3000)}`);
      });
      const recoveredMs = Date.now() - killedAt;
      let duplicates = 0;
      for (const [target, got] of byTarget()) {
        expect([...new Set(got.map((d) => d.activityId))].sort(), target).toEqual(expected);
        duplicates += got.length - 3;
      }
      expect(farm.hosts.flatMap((host) => host.refused)).toEqual([]);
      console.log(
        `${title}, fan-out: ${real.length} follows through 2 web processes accepted, 1,000 followers in ` +
          `${setupSeconds.toFixed(1)} s; ` +
          `an offer published on web process 1 reached the first of ${targets.length} inboxes in ` +
          `${firstAt - published} ms, the last in ${lastAt - published} ms; worker 2 killed after ${killedAfter} ` +
          `deliveries of the next two (${leasedAtKill} messages leased then), all delivered ${recoveredMs} ms after; ` +
          `every inbox got all 3 activities, ${duplicates} duplicate deliveries`,
      );
    });

    it("each periodic job ran once per period across the workers, and still runs after one was killed", async () => {
      const first = await leases();
      const waitMs = RESYNC_MS + 2_000;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      const second = await leases();
      for (const name of [...SWEEP_JOBS, "resync"]) {
        const period = name === "resync" ? RESYNC_MS : SWEEP_MS;
        const a = first.get(name);
        const b = second.get(name);
        expect(a, name).toBeDefined();
        expect(b!.runs, name).toBeGreaterThan(a!.runs);
        // At most one run per period: runs between the samples never exceed the periods their starts span.
        const periods = Math.floor(b!.lastRunAt / period) - Math.floor(a!.lastRunAt / period);
        expect(b!.runs - a!.runs, name).toBeLessThanOrEqual(periods);
      }
    }, 30_000);

    it("SIGTERM stops each role gracefully", async () => {
      const codes = await Promise.all([...webs, workers[0]!].map((process) => process.stop()));
      expect(codes).toEqual([0, 0, 0]);
    }, 30_000);
  });
}

/** Every item of a paged ActivityPub collection (bounded). */
async function collectionItems(collectionUrl: string): Promise<string[]> {
  const collection = await getActivityPub(collectionUrl);
  const items: string[] = [];
  const idOf = (item: string | { id: string }) => (typeof item === "string" ? item : item.id);
  let next: string | undefined = typeof collection.first === "string" ? collection.first : collection.first?.id;
  for (const item of collection.orderedItems ?? []) items.push(idOf(item));
  for (let pages = 0; next && pages < 20; pages++) {
    const page = await getActivityPub(next);
    for (const item of page.orderedItems ?? []) items.push(idOf(item));
    next = page.next;
  }
  return items;
}
