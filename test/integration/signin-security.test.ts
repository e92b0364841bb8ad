import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CODE_ATTEMPTS, CODE_TTL_MS } from "../../src/members/codes.ts";
import { CHALLENGE_TTL_MS } from "../../src/members/passkeys.ts";
import { startFediversePerson, type FediversePerson } from "../support/fediverse-person.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { exchangeCode, signInOnConsentPage, startAppAuthorization } from "../support/oauth-consent.ts";
import { SoftAuthenticator } from "../support/soft-authenticator.ts";
import { postJson, WebClient } from "../support/web-client.ts";

/**
 * Passkeys, sign-in codes sent as private messages, disabled members and the session consent page, over real HTTP
 * to a pod in this process (so the test can move its clock), with a test actor receiving the pod's messages.
 */
describe("sign-in security", { timeout: 60_000 }, () => {
  let pod: InProcessPod;
  let person: FediversePerson;
  let clock: number;
  let ana: WebClient;

  const password = "a long enough password";
  const advance = (ms: number) => {
    clock += ms;
  };

  async function join(role: "member" | "coordinator", username: string): Promise<WebClient> {
    await ana.get("/app/members");
    const made = await ana.post("/app/invitations", { role });
    const link = /<code class="link">([^<]+)<\/code>/.exec(made.html)![1]!;
    const client = new WebClient(pod.url);
    await client.get(link);
    const done = await client.post(link, { displayName: username, username, password });
    expect(done.status).toBe(303);
    return client;
  }

  async function linkHandle(client: WebClient) {
    await client.get("/app/security");
    const sent = await client.post("/app/security/handle", { handle: `@${person.handle}` });
    expect(sent.status, sent.html).toBe(303);
    const code = await person.code(person.inbox.length - 1);
    await client.get("/app/security");
    expect((await client.post("/app/security/handle/verify", { code })).location).toBe("/app/security?linked=1");
  }

  /** Asks for a sign-in code as a signed-out browser; returns the browser (holding its attempt cookie). */
  async function askForCode(who: string): Promise<{ client: WebClient; page: string; cookies: string[] }> {
    const client = new WebClient(pod.url);
    await client.get("/app/sign-in/code");
    const asked = await client.post("/app/sign-in/code", { who });
    return { client, page: asked.html, cookies: [...client.cookies.keys()].sort() };
  }

  beforeEach(async () => {
    clock = Date.parse("2026-11-29T10:00:00Z");
    [pod, person] = await Promise.all([
      startInProcessPod({ now: () => new Date(clock) }),
      startFediversePerson("ines"),
    ]);
    ana = new WebClient(pod.url);
    const setup = `/app/setup/${await pod.pod.members.freshSetupSecret()}`;
    await ana.get(setup);
    expect((await ana.post(setup, { displayName: "Ana", username: "ana", password })).status).toBe(303);
  });
  afterEach(async () => {
    await pod.close();
    await person.close();
  });

  it("a code is sent privately to the linked account only, and signs in once", async () => {
    await linkHandle(ana);
    const link = person.notes()[0]!.activity;
    expect(link.type).toBe("Create");
    expect([link.to].flat()).toEqual([person.actorId]);
    expect(link.cc ?? []).toEqual([]);
    expect(JSON.stringify(link)).not.toContain("#Public");
    const outbox = await (
      await fetch(`${pod.actorUrl}/outbox?page=true`, { headers: { accept: "application/activity+json" } })
    ).text();
    expect(outbox).not.toContain("/private/");

    const { client } = await askForCode(person.handle);
    const code = await person.code(1);
    const attempt = client.cookies.get("pod_attempt")!;
    const signedIn = await client.post("/app/sign-in/code/verify", { code });
    expect(signedIn.location).toBe("/app");
    expect(client.cookies.get("pod_session")).toBeDefined();
    expect((await client.get("/app")).status).toBe(200);

    // The same code again, from the browser that asked for it: refused.
    const replay = new WebClient(pod.url);
    replay.cookies.set("pod_attempt", attempt);
    await replay.get("/app/sign-in/code");
    const again = await replay.post("/app/sign-in/code/verify", { code });
    expect(again.status).toBe(401);
    expect(replay.cookies.get("pod_session")).toBeUndefined();
  });

  it("an expired code is refused", async () => {
    await linkHandle(ana);
    const { client } = await askForCode("ana");
    const code = await person.code(1);
    advance(CODE_TTL_MS + 1000);
    const late = await client.post("/app/sign-in/code/verify", { code });
    expect(late.status).toBe(401);
    expect(client.cookies.get("pod_session")).toBeUndefined();
  });

  it(`after ${CODE_ATTEMPTS} wrong codes even the right one is refused`, async () => {
    await linkHandle(ana);
    const { client } = await askForCode(person.handle);
    const code = await person.code(1);
    const wrong = code === "00000000" ? "11111111" : "00000000";
    for (let i = 0; i < CODE_ATTEMPTS; i++) {
      expect((await client.post("/app/sign-in/code/verify", { code: wrong })).status).toBe(401);
    }
    expect((await client.post("/app/sign-in/code/verify", { code })).status).toBe(401);
    expect(client.cookies.get("pod_session")).toBeUndefined();
  });

  it("asking for a code answers the same whether or not the account exists", async () => {
    await linkHandle(ana);
    const strip = (page: string) => page.replace(/name="_csrf" value="[^"]+"/g, "");
    const answers = await Promise.all(
      [person.handle, "nobody@example.invalid", "ana", "nobody", "ana@elsewhere.example"].map(askForCode),
    );
    for (const answer of answers.slice(1)) {
      expect(strip(answer.page)).toBe(strip(answers[0]!.page));
      expect(answer.cookies).toEqual(answers[0]!.cookies);
    }
    // Codes went only to the linked account asked by handle and by username.
    await person.code(2);
    expect(person.inbox).toHaveLength(3);
    const typed = await Promise.all(
      answers.map((answer) => answer.client.post("/app/sign-in/code/verify", { code: "12345678" })),
    );
    for (const answer of typed) expect([answer.status, strip(answer.html)]).toEqual([401, strip(typed[1]!.html)]);
  });

  it("a passkey challenge answers once, expires, and a counter that goes back is refused", async () => {
    // A replayed registration, once the passkey it made was removed, finds its challenge gone.
    const once = new SoftAuthenticator(pod.url);
    await ana.get("/app/security");
    const first = once.register((await postJson(ana, "/app/passkeys/options", {})).body);
    expect((await postJson(ana, "/app/passkeys", { label: "old key", response: first })).status).toBe(200);
    const removePath = /action="(\/app\/passkeys\/[^"]+\/remove)"/.exec((await ana.get("/app/security")).html)![1]!;
    await ana.post(removePath, {});
    expect((await ana.get("/app/security")).html).not.toContain("old key");
    expect((await postJson(ana, "/app/passkeys", { label: "old key", response: first })).status).toBe(400);

    // An authenticator that never counts: only the single-use challenge stops a replayed sign-in.
    const soft = new SoftAuthenticator(pod.url, { counts: false });
    const options = (await postJson(ana, "/app/passkeys/options", {})).body;
    expect(options.rp.id).toBe("127.0.0.1");
    const registration = soft.register(options);
    expect((await postJson(ana, "/app/passkeys", { label: "laptop", response: registration })).status).toBe(200);
    expect((await ana.get("/app/security")).html).toContain("laptop");

    const browser = new WebClient(pod.url);
    await browser.get("/app/sign-in");
    const signInOptions = (await postJson(browser, "/app/sign-in/passkey/options", {})).body;
    const attempt = browser.cookies.get("pod_attempt")!;
    const answer = soft.signIn(signInOptions);
    const signedIn = await postJson(browser, "/app/sign-in/passkey", { response: answer, next: "/app/security" });
    expect([signedIn.status, signedIn.body.redirect]).toEqual([200, "/app/security"]);
    expect((await browser.get("/app/security")).status).toBe(200);

    const replay = new WebClient(pod.url);
    replay.cookies.set("pod_attempt", attempt);
    await replay.get("/app/sign-in");
    expect((await postJson(replay, "/app/sign-in/passkey", { response: answer })).status).toBe(401);
    expect(replay.cookies.get("pod_session")).toBeUndefined();

    const slow = new WebClient(pod.url);
    await slow.get("/app/sign-in");
    const slowOptions = (await postJson(slow, "/app/sign-in/passkey/options", {})).body;
    advance(CHALLENGE_TTL_MS + 1000);
    expect((await postJson(slow, "/app/sign-in/passkey", { response: soft.signIn(slowOptions) })).status).toBe(401);

    // A counting authenticator whose counter goes back (a cloned key) is refused.
    const counting = new SoftAuthenticator(pod.url);
    const made = counting.register((await postJson(ana, "/app/passkeys/options", {})).body);
    expect((await postJson(ana, "/app/passkeys", { label: "counting", response: made })).status).toBe(200);
    const signInWith = async (key: SoftAuthenticator) => {
      const client = new WebClient(pod.url);
      await client.get("/app/sign-in");
      const asked = (await postJson(client, "/app/sign-in/passkey/options", {})).body;
      return (await postJson(client, "/app/sign-in/passkey", { response: key.signIn(asked) })).status;
    };
    counting.counter = 5;
    expect(await signInWith(counting)).toBe(200);
    counting.counter = 2;
    expect(await signInWith(counting)).toBe(401);

    const audit = (await ana.get("/app/audit")).html;
    expect(audit).toContain("passkey.add");
    expect(audit).toContain("passkey.sign-in");
    expect(audit).toContain("passkey.remove");
  });

  it("a disabled member is refused at once: sessions, passkeys, passwords, codes, tokens and apps", async () => {
    const bea = await join("coordinator", "bea");
    await linkHandle(bea);
    const soft = new SoftAuthenticator(pod.url);
    await bea.get("/app/security");
    const options = (await postJson(bea, "/app/passkeys/options", {})).body;
    expect((await postJson(bea, "/app/passkeys", { label: "phone", response: soft.register(options) })).status).toBe(
      200,
    );
    await bea.get("/app/tokens");
    const token = /<code class="link">([^<]+)<\/code>/.exec(
      (await bea.post("/app/tokens", { label: "script" })).html,
    )![1]!;
    const appToken = await sessionAppToken(bea);
    const api = (bearer: string, path: string) =>
      fetch(`${pod.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } }).then((r) => r.status);
    expect(await api(token, "/admin/api/status")).toBe(200);
    expect(await api(appToken, "/api/v1/accounts/verify_credentials")).toBe(200);

    const members = (await ana.get("/app/members")).html;
    const id = /action="\/app\/members\/([\w-]+)\/disable"/.exec(members)![1]!;
    await ana.post(`/app/members/${id}/disable`, {});
    expect((await bea.get("/app/security")).location).toContain("/app/sign-in");
    expect(await api(token, "/admin/api/status")).toBe(401);
    expect(await api(appToken, "/api/v1/accounts/verify_credentials")).toBe(401);
    const again = new WebClient(pod.url);
    await again.get("/app/sign-in");
    expect((await again.post("/app/sign-in", { username: "bea", password })).status).toBe(401);
    const passkeyOptions = (await postJson(again, "/app/sign-in/passkey/options", {})).body;
    expect((await postJson(again, "/app/sign-in/passkey", { response: soft.signIn(passkeyOptions) })).status).toBe(401);
    const inboxBefore = person.inbox.length;
    await askForCode("bea");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(person.inbox).toHaveLength(inboxBefore);
    expect((await ana.get("/app/audit")).html).toContain("member.disable");

    await ana.post(`/app/members/${id}/enable`, {});
    expect((await again.post("/app/sign-in", { username: "bea", password })).status).toBe(303);
    expect(await api(token, "/admin/api/status")).toBe(200);
  });

  /** A coordinator allows a Mastodon app with their session on the consent page; returns the app's token. */
  async function sessionAppToken(client: WebClient): Promise<string> {
    const app = await startAppAuthorization(pod.url, "phone app", "read write", { state: "xyz" });
    const { query } = app;
    const consent = await client.get(`/oauth/authorize?${query}`);
    expect(consent.location).toBe(`/app/authorize?${query}`);
    const page = await client.get(consent.location!);
    expect(page.html).toContain("phone app");
    const fields = Object.fromEntries(query);
    expect((await client.post("/app/authorize", { ...fields, decision: "approve", _csrf: null })).status).toBe(403);
    const allowed = await client.post("/app/authorize", { ...fields, decision: "approve" });
    const back = new URL(allowed.location!);
    expect(back.searchParams.get("state")).toBe("xyz");
    return exchangeCode(pod.url, app, back.searchParams.get("code")!);
  }

  it("the consent page: a signed-out browser is sent to sign in and back; the token path still works", async () => {
    const query = new URLSearchParams({ response_type: "code", client_id: "unknown", scope: "read write" });
    const visitor = new WebClient(pod.url);
    const signIn = await visitor.get(`/app/authorize?${query}`);
    expect(signIn.location).toBe(`/app/sign-in?next=${encodeURIComponent(`/app/authorize?${query}`)}`);
    const form = await visitor.get(signIn.location!);
    expect(form.html).toContain(`value="/app/authorize?${query.toString().replaceAll("&", "&amp;")}"`);
    const back = await visitor.post("/app/sign-in", { username: "ana", password, next: `/app/authorize?${query}` });
    expect(back.location).toBe(`/app/authorize?${query}`);
    expect((await visitor.get(back.location!)).status).toBe(400);
    const token = await sessionAppToken(ana);
    expect(token).toMatch(/^pods_/);
    expect((await ana.get("/app/tokens")).html).toContain("app: phone app");
    // Automation without a browser session still pastes an operator token.
    const registered = await (
      await fetch(`${pod.url}/api/v1/apps`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_name: "script", redirect_uris: "https://app.example/cb", scopes: "read" }),
      })
    ).json();
    const params = { response_type: "code", client_id: registered.client_id, redirect_uri: "https://app.example/cb" };
    const withToken = await signInOnConsentPage(pod.url, { ...params, scope: "read" });
    expect([withToken.status, new URL(withToken.location!).searchParams.has("code")]).toEqual([302, true]);
  });
});
