/** A coordinator demoted while their request is in flight gets 403, not the coordinators' members page. */
import { afterAll, beforeAll, expect, it } from "vitest";
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

it("answers 403 and shows no member when the acting coordinator is demoted after their request was let in", async () => {
  const members = pod.pod.members;
  const [first] = await members.list();
  const { secret } = await members.invite(first!, "coordinator");
  const bea = new WebClient(pod.url);
  await bea.get(`/app/join/${secret}`);
  const form = { displayName: "Bea Quiet", username: "beaquiet", password: "another long password" };
  expect((await bea.post(`/app/join/${secret}`, form)).status).toBe(303);
  const beaRow = (await members.list()).find((m) => m.username === "beaquiet")!;
  await bea.get("/app/members");

  // Ana demotes Bea at the moment Bea's invitation is being made (as another process would).
  const invite = members.invite;
  members.invite = async (by, role) => {
    await members.setRole(first!, beaRow.id, "member");
    return invite(by, role);
  };
  try {
    const answer = await bea.post("/app/invitations", { role: "member" });
    expect(answer.status).toBe(403);
    expect(answer.html).not.toContain(first!.username);
    expect(answer.html).not.toContain("/app/join/");
  } finally {
    members.invite = invite;
  }
  expect(await members.openInvitations()).toEqual([]);
  await ana.get("/app/members");
});
