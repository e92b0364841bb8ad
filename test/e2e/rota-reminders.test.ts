import { Temporal } from "@js-temporal/polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFediversePerson, type FediversePerson } from "../support/fediverse-person.ts";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { setUpPod, WebClient } from "../support/web-client.ts";

const ZONE = "Europe/Madrid";
/** Minute-long intervals run 600 times faster: the pod's sweep (and its reminder check) every 100 ms. */
const fastTimers = {
  NODE_OPTIONS: `--import ${new URL("../support/fast-timers.ts", import.meta.url).href}`,
  POD_TEST_TIMER_SCALE: "600",
};
const password = "a long enough password";

/**
 * A running pod reminds both holders of a handoff at its time, by a private note to each one's verified fediverse
 * account (test actors on 127.0.0.1), once: the pod's own periodic check sends it, not a test call.
 */
describe("rota reminders from a running pod", { timeout: 120_000 }, () => {
  let pod: PodProcess;
  let rosa: FediversePerson;
  let tomas: FediversePerson;
  let ana: WebClient;
  let bea: WebClient;

  beforeAll(async () => {
    [pod, rosa, tomas] = await Promise.all([
      startPod("rota-reminders", { POD_TIME_ZONE: ZONE, ...fastTimers }),
      startFediversePerson("rosa"),
      startFediversePerson("tomas"),
    ]);
    ana = await setUpPod(pod.url, pod.logs(), { displayName: "Anastasia Pellegrino", username: "ana", password });
    await ana.get("/app/members");
    const made = await ana.post("/app/invitations", { role: "member" });
    const link = /<code class="link">([^<]+)<\/code>/.exec(made.html)![1]!;
    bea = new WebClient(pod.url);
    await bea.get(link);
    await bea.post(link, { displayName: "Bernardina Okonkwo", username: "bea", password });
  }, 90_000);
  afterAll(async () => {
    await Promise.all([pod?.stop(), rosa?.close(), tomas?.close()]);
  });

  /** Handoff notes only: whether a seat's day-before note is due depends on today's weekday. */
  const handoffNotes = (person: FediversePerson) => person.notes().filter((n) => n.text.includes("handoff"));

  it("My seats asks for a linked account; once linked, it names where reminders go", async () => {
    expect((await ana.get("/app/rota/mine")).html).toContain("Link a fediverse account to get reminders");
    for (const [client, person] of [
      [ana, rosa],
      [bea, tomas],
    ] as const) {
      await client.get("/app/security");
      expect((await client.post("/app/security/handle", { handle: `@${person.handle}` })).status).toBe(303);
      await client.get("/app/security");
      const verified = await client.post("/app/security/handle/verify", { code: await person.code(0) });
      expect(verified.status).toBe(303);
      expect((await client.get("/app/rota/mine")).html).toContain(`Reminders go to @${person.handle}`);
    }
  });

  it("at a handoff's time both holders get one private note, even across a restart", async () => {
    for (const client of [ana, bea]) {
      await client.get("/app/profile");
      await client.post("/app/profile", { skills: "driving", boundaries: "", locale: "" });
      await client.get("/app/rota/mine");
      await client.post("/app/rota/mine/boundaries", { maxRisk: "high", unavailable: "" });
    }
    await ana.get("/app/rota/roles/new");
    const role = { name: "Driver", seats: "1", skills: "driving", risk: "low", tenureLimit: "1", period: "weekly" };
    expect((await ana.post("/app/rota/roles/new", { ...role, handbook: "Keys in the box." })).status).toBe(303);
    await ana.get("/app/rota");
    expect((await ana.post("/app/rota/generate", { weeks: "2" })).status).toBe(303);
    await ana.get("/app/rota");
    expect((await ana.post("/app/rota/publish", {})).status).toBe(303);

    const mine = await bea.get("/app/rota/mine");
    const id = /action="\/app\/rota\/handoffs\/([\w-]+)\/confirm"/.exec(mine.html)![1]!;
    // Now, to the minute, in the pod's time zone: due at once, and for the next hour.
    const now = Temporal.Now.zonedDateTimeISO(ZONE).toPlainDateTime();
    const at = now.round({ smallestUnit: "minute", roundingMode: "floor" }).toString({ smallestUnit: "minute" });
    expect((await bea.post(`/app/rota/handoffs/${id}`, { at, place: "Community kitchen" })).status).toBe(303);

    await waitUntil(() => handoffNotes(rosa).length > 0 && handoffNotes(tomas).length > 0);
    for (const [person, other] of [
      [rosa, "Bernardina Okonkwo"],
      [tomas, "Anastasia Pellegrino"],
    ] as const) {
      const [{ activity, text }] = handoffNotes(person) as [{ activity: any; text: string }];
      expect(activity.type).toBe("Create");
      expect(activity.to).toBe(person.actorId);
      expect(activity.object.to).toBe(person.actorId);
      expect(activity.cc ?? activity.object.cc).toBeUndefined();
      expect(JSON.stringify(activity)).not.toContain("#Public");
      expect(text).toContain(`the Driver handoff with ${other} is now`);
      expect(text).toContain(`(${ZONE})`);
      expect(text).toContain(`${pod.url}/app/rota/mine`);
    }
    // The check runs every 100 ms here: twenty more runs, then a restart (which runs it at once), send nothing new.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await pod.restart();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(handoffNotes(rosa)).toHaveLength(1);
    expect(handoffNotes(tomas)).toHaveLength(1);
    for (const person of [rosa, tomas]) {
      expect(person.notes().filter((n) => n.text.includes("you hold")).length).toBeLessThanOrEqual(1);
    }
  });
});
