/** A private case goes only to the mediator its opener was shown: when the turn moved meanwhile, the form comes back. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { careService } from "../../src/care/service.ts";
import { roomsOf } from "../../src/db/room-db.ts";
import { type InProcessPod, startInProcessPod } from "../support/in-process-pod.ts";
import { setUpPod, WebClient } from "../support/web-client.ts";

let pod: InProcessPod;
let ana: WebClient;
beforeAll(async () => {
  pod = await startInProcessPod();
  ana = await setUpPod(pod.url, `/app/setup/${await pod.pod.members.freshSetupSecret()}`);
});
afterAll(async () => {
  await pod?.close();
});

const care = () => careService(roomsOf(pod.pod.deps), pod.pod.deps.now, () => "UTC");

async function joined(username: string): Promise<WebClient> {
  const coordinator = (await pod.pod.members.list()).find((m) => m.role === "coordinator")!;
  const { secret } = await pod.pod.members.invite(coordinator, "member");
  const client = new WebClient(pod.url);
  await client.get(`/app/join/${secret}`);
  const form = { displayName: username, username, password: "another long password" };
  expect((await client.post(`/app/join/${secret}`, form)).status).toBe(303);
  return client;
}

it("refuses a case whose shown turn another case took meanwhile, and shows the form again with the next person", async () => {
  const [eva, fer, dol] = [await joined("eva"), await joined("fer"), await joined("dol")];
  await joined("bea");
  for (const volunteer of [eva, fer]) {
    await volunteer.get("/app/care");
    expect((await volunteer.post("/app/care/volunteer", { mediates: "1" })).status).toBe(303);
  }
  const ids = new Map((await pod.pod.members.list()).map((m) => [m.username, m.id]));
  const shownTo = async (client: WebClient) =>
    /name="turn" value="([^"]*)"/.exec((await client.get("/app/care/cases/new")).html)![1];
  const shown = await shownTo(dol);
  expect(shown).toBe(ids.get("eva"));
  // Meanwhile the coordinator opens a case at Eva's turn.
  await ana.get("/app/care/cases/new");
  const first = { what: "a first matter", involved: ids.get("bea")!, mediator: shown!, turn: shown! };
  expect((await ana.post("/app/care/cases", first)).status).toBe(303);
  const before = await care().casesFor({ id: ids.get("ana")!, coordinator: true });

  const refused = await dol.post("/app/care/cases", {
    what: "a private matter",
    involved: ids.get("bea")!,
    mediator: shown!,
    turn: shown!,
  });
  expect(refused.status).toBe(400);
  expect(refused.html).toContain("Another case took that turn");
  expect(/name="turn" value="([^"]*)"/.exec(refused.html)![1]).toBe(ids.get("fer"));
  expect(refused.html).toContain("a private matter"); // what they wrote is kept
  expect(await care().casesFor({ id: ids.get("ana")!, coordinator: true })).toEqual(before);
  // Sent again as shown now, it goes to Fer.
  const next = ids.get("fer")!;
  const sent = await dol.post("/app/care/cases", {
    what: "a private matter",
    involved: ids.get("bea")!,
    mediator: next,
    turn: next,
  });
  expect(sent.status).toBe(303);
  const opened = await care().casesFor({ id: ids.get("dol")!, coordinator: false });
  expect(opened.map((c) => [c.what, c.mediatorId])).toEqual([["a private matter", next]]);
});
