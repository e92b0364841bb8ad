import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPod, type PodProcess } from "../support/pod-process.ts";
import { setUpPod, WebClient } from "../support/web-client.ts";

/** The web app's defences, over real HTTP against a real pod process. */
describe("web app security", { timeout: 120_000 }, () => {
  let pod: PodProcess;
  let coordinator: WebClient;
  const memberPassword = "member password long";

  async function invite(role: "member" | "coordinator") {
    await coordinator.get("/app/members");
    const made = await coordinator.post("/app/invitations", { role });
    return /<code class="link">([^<]+)<\/code>/.exec(made.html)![1]!;
  }

  async function join(link: string, username: string) {
    const client = new WebClient(pod.url);
    await client.get(link);
    const joined = await client.post(link, { displayName: username, username, password: memberPassword });
    expect(joined.status).toBe(303);
    return client;
  }

  beforeAll(async () => {
    pod = await startPod("websec");
    coordinator = await setUpPod(pod.url, pod.logs());
  }, 90_000);
  afterAll(() => pod?.stop());

  it("refuses a form posted without its CSRF token, or with another session's token, and changes nothing", async () => {
    const member = await join(await invite("member"), "carla");
    await member.get("/app/profile");
    const noToken = await member.post("/app/profile", { _csrf: null, displayName: "Hijacked" });
    expect(noToken.status).toBe(403);
    expect(noToken.html).toContain("came from another site");
    await coordinator.get("/app/profile");
    const othersToken = await member.post("/app/profile", {
      _csrf: coordinator.lastToken,
      displayName: "Hijacked",
    });
    expect(othersToken.status).toBe(403);
    const page = await member.get("/app/profile");
    expect(page.html).not.toContain("Hijacked");
    // A cross-site request cannot even invite: the coordinator's session without the page's token is refused.
    expect((await coordinator.post("/app/invitations", { _csrf: null, role: "coordinator" })).status).toBe(403);
  });

  it("never promotes a session id planted before sign-in (fixation)", async () => {
    await join(await invite("member"), "dario");
    const victim = new WebClient(pod.url);
    victim.cookies.set("pod_session", "planted-by-attacker");
    await victim.get("/app/sign-in");
    const signedIn = await victim.post("/app/sign-in", { username: "dario", password: memberPassword });
    expect(signedIn.status).toBe(303);
    expect(victim.cookies.get("pod_session")).toBeDefined();
    expect(victim.cookies.get("pod_session")).not.toBe("planted-by-attacker");
    const attacker = new WebClient(pod.url);
    attacker.cookies.set("pod_session", "planted-by-attacker");
    expect((await attacker.get("/app")).location).toContain("/app/sign-in");
  });

  it("a member is refused coordinator pages and actions", async () => {
    const member = await join(await invite("member"), "elena");
    expect((await member.get("/app/members")).status).toBe(403);
    expect((await member.get("/app/audit")).status).toBe(403);
    expect((await member.get("/app/offers/new")).status).toBe(403);
    await member.get("/app/profile");
    expect((await member.post("/app/invitations", { role: "coordinator" })).status).toBe(403);
    expect(
      (
        await member.post("/app/offers", {
          kind: "offer",
          name: "x",
          category: "food",
          quantity: "1",
          unit: "kg",
          area: "a",
        })
      ).status,
    ).toBe(403);
    expect((await pod.admin("GET", "/offers")).body.items ?? []).toHaveLength(0);
  });

  it("an invitation link works once; a revoked one not at all", async () => {
    const link = await invite("member");
    await join(link, "fabia");
    const again = new WebClient(pod.url);
    expect((await again.get(link)).status).toBe(410);
    await again.get("/app/sign-in");
    const reuse = await again.post(link, { displayName: "Second", username: "second", password: memberPassword });
    expect(reuse.status).toBe(400);
    expect(reuse.html).toContain("already used");

    const revoked = await invite("coordinator");
    const members = await coordinator.get("/app/members");
    const revokePath = /action="(\/app\/invitations\/[\w-]+\/revoke)"/.exec(members.html)![1]!;
    expect((await coordinator.post(revokePath, {})).status).toBe(303);
    expect((await new WebClient(pod.url).get(revoked)).status).toBe(410);
  });

  it("sign-out everywhere ends every session of that member; a reset link sets a new password", async () => {
    const member = await join(await invite("member"), "gala");
    await member.get("/app/profile");
    expect((await member.post("/app/sign-out-everywhere", {})).status).toBe(303);
    expect((await member.get("/app")).location).toContain("/app/sign-in");

    await coordinator.get("/app/members");
    const card = (await coordinator.get("/app/members")).html.split("<li>").find((item) => item.includes("(gala)"));
    const id = /action="\/app\/members\/([\w-]+)\/reset-link"/.exec(card ?? "")?.[1];
    expect(id, card).toBeDefined();
    const made = await coordinator.post(`/app/members/${id}/reset-link`, {});
    const link = /<code class="link">([^<]+)<\/code>/.exec(made.html)![1]!;
    expect(link).toContain("/app/reset/");
    const reset = new WebClient(pod.url);
    expect((await reset.get(link)).html).toContain("gala");
    const done = await reset.post(link, { password: "a brand new password" });
    expect(done.status).toBe(303);
    const oldPassword = new WebClient(pod.url);
    await oldPassword.get("/app/sign-in");
    expect((await oldPassword.post("/app/sign-in", { username: "gala", password: memberPassword })).status).toBe(401);
  });

  const coordinatorsOwnApi =
    "a coordinator's own API token works for the admin API until revoked, or until they stop coordinating";
  it(coordinatorsOwnApi, async () => {
    const status = (token: string) =>
      fetch(`${pod.url}/admin/api/status`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    await coordinator.get("/app/tokens");
    const made = await coordinator.post("/app/tokens", { label: "my script" });
    const token = /<code class="link">([^<]+)<\/code>/.exec(made.html)![1]!;
    expect(await status(token)).toBe(200);
    const revokePath = /action="(\/app\/tokens\/[\w-]+\/revoke)"/.exec(made.html)![1]!;
    expect((await coordinator.post(revokePath, {})).status).toBe(303);
    expect(await status(token)).toBe(401);

    const second = await join(await invite("coordinator"), "ines");
    await second.get("/app/tokens");
    const hers = /<code class="link">([^<]+)<\/code>/.exec(
      (await second.post("/app/tokens", { label: "phone" })).html,
    )![1]!;
    expect(await status(hers)).toBe(200);
    const card = (await coordinator.get("/app/members")).html.split("<li>").find((item) => item.includes("(ines)"))!;
    const rolePath = /action="(\/app\/members\/[\w-]+\/role)"/.exec(card)![1]!;
    expect((await coordinator.post(rolePath, { role: "member" })).status).toBe(303);
    expect(await status(hers)).toBe(401);
  });

  it("never writes an invitation's secret to the log", async () => {
    const link = await invite("member");
    await join(link, "hugo");
    const secret = link.split("/").pop()!;
    expect(pod.logs()).toContain("/app/join/[secret]");
    expect(pod.logs()).not.toContain(secret);
  });

  it("never writes a password or its hash to the log or a page", async () => {
    const pages = await Promise.all(
      ["/app", "/app/members", "/app/audit", "/app/profile"].map((p) => coordinator.get(p)),
    );
    for (const text of [pod.logs(), ...pages.map((p) => p.html)]) {
      expect(text).not.toContain("$argon2");
      expect(text).not.toContain(memberPassword);
      expect(text).not.toContain("a long enough password");
    }
  });
  // Last: it uses up this address's allowance of wrong passwords.
  const slowsDownPassword =
    "slows down password guessing: after 10 tries a minute from one address, even the right password waits";
  it(slowsDownPassword, async () => {
    const guesser = new WebClient(pod.url);
    await guesser.get("/app/sign-in");
    // Earlier tests here made one wrong try from this address already; the limit is 10 a minute.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      statuses.push((await guesser.post("/app/sign-in", { username: "ana", password: `guess ${attempt}` })).status);
    }
    expect(statuses.filter((status) => status === 401)).toHaveLength(9);
    expect(statuses.slice(9)).toEqual([429, 429]);
    const limited = await guesser.post("/app/sign-in", { username: "ana", password: "a long enough password" });
    expect(limited.status).toBe(429);
    expect(limited.html).toContain("Too many attempts");
    expect(guesser.cookies.get("pod_session")).toBeUndefined();
  });
});
