import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "../../src/members/model.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { WebClient } from "../support/web-client.ts";

/** A role's handbook can be a workflow of the pod's memory: chosen on the role's form, linked at each handoff. */
describe("a role's handbook in the pod's memory", () => {
  let pod: InProcessPod;
  let coordinator: WebClient;
  const members: Member[] = [];
  const password = "a long enough password";

  beforeAll(async () => {
    pod = await startInProcessPod({ env: { POD_TIME_ZONE: "Europe/Madrid" } });
    const m = pod.pod.members;
    members.push(await m.accept((await m.freshSetupSecret())!, { displayName: "Ana", username: "ana", password }));
    const { secret } = await m.invite(members[0]!, "member");
    members.push(await m.accept(secret, { displayName: "Bo", username: "bo", password }));
    coordinator = new WebClient(pod.url);
    await coordinator.get("/app/sign-in");
    expect((await coordinator.post("/app/sign-in", { username: "ana", password })).status).toBe(303);
  }, 60_000);
  afterAll(async () => {
    await pod?.close();
  });

  it("the role form offers the pod's workflows, refuses one that is not, and the handoff links the chosen one", async () => {
    const workflow = await pod.pod.memory.create({
      kind: "workflow",
      title: "Driving the van",
      summary: "Keys, fuel card, the route.",
      body: "1. Take the keys from the box.",
    });
    const form = await coordinator.get("/app/rota/roles/new");
    expect(form.html).toContain(`<option value="${workflow.id}">Driving the van</option>`);
    const fields = {
      name: "Driver",
      seats: "1",
      skills: "",
      risk: "low",
      tenureLimit: "1",
      period: "weekly",
      handbook: "",
    };
    const refused = await coordinator.post("/app/rota/roles/new", { ...fields, handbookWorkflowId: "not-a-workflow" });
    expect(refused.status).toBe(400);
    expect(await pod.pod.rotation.roles()).toHaveLength(0);
    const saved = await coordinator.post("/app/rota/roles/new", { ...fields, handbookWorkflowId: workflow.id });
    expect(saved.status).toBe(303);
    const [role] = await pod.pod.rotation.roles();
    expect(role).toMatchObject({ name: "Driver", handbookWorkflowId: workflow.id });
    expect((await coordinator.get(`/app/rota/roles/${role!.id}`)).html).toContain(
      `<option value="${workflow.id}" selected>Driving the van</option>`,
    );

    // Two members, a tenure of one period: the role changes hands every week, so there are handoffs.
    for (const m of members)
      await pod.pod.rotation.setBoundaries(m.id, { maxRisk: "high", declines: "", unavailable: "" });
    await pod.pod.rotation.generate(
      members.map((m) => ({ id: m.id, name: m.displayName, skills: "" })),
      3,
    );
    await pod.pod.rotation.publish();
    expect((await pod.pod.rotation.handoffsOf(members[0]!.id)).length).toBeGreaterThan(0);
    const mine = await coordinator.get("/app/rota/mine");
    expect(mine.html).toContain(`<a href="/app/memory/${workflow.id}">Handbook: Driving the van</a>`);
  });
});
