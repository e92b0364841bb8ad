import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN_TTL_MS } from "../../src/mastodon/oauth.ts";
import { roomsOf } from "../../src/db/room-db.ts";
import { SIGN_IN_LIMIT } from "../../src/mastodon/routes/oauth.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { pkcePair, signInOnConsentPage } from "../support/oauth-consent.ts";

const REDIRECT = "https://app.example/callback";

describe("the Mastodon API and OAuth refuse bad input the way apps expect (Mastodon's error shape, RFC 6749)", () => {
  let pod: InProcessPod;
  let clock = new Date();
  let app: { client_id: string; client_secret: string };

  const call = async (
    method: string,
    path: string,
    options: { token?: string; json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | URLSearchParams | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.form) body = new URLSearchParams(options.form);
    const response = await fetch(new URL(path, pod.url), { method, headers, body, redirect: "manual" });
    const text = await response.text();
    return {
      status: response.status,
      body: text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text,
      headers: response.headers,
    };
  };

  async function codeFor(scope: string, extra: Record<string, string> = {}) {
    const consent = await signInOnConsentPage(pod.url, {
      response_type: "code",
      client_id: app.client_id,
      redirect_uri: REDIRECT,
      scope,
      ...extra,
    });
    return new URL(consent.location!).searchParams.get("code")!;
  }

  async function tokenFor(scope: string): Promise<string> {
    const code = await codeFor(scope);
    const answer = await call("POST", "/oauth/token", {
      form: {
        grant_type: "authorization_code",
        client_id: app.client_id,
        client_secret: app.client_secret,
        code,
        redirect_uri: REDIRECT,
      },
    });
    return answer.body.access_token;
  }

  beforeAll(async () => {
    pod = await startInProcessPod({ now: () => clock });
    app = (
      await call("POST", "/api/v1/apps", {
        json: {
          client_name: "bad input",
          redirect_uris: [REDIRECT, "urn:ietf:wg:oauth:2.0:oob"],
          scopes: "read write follow",
        },
      })
    ).body;
  });
  afterAll(async () => {
    await pod?.close();
  });

  it("app registration: missing name or an unknown scope is 422 naming the field", async () => {
    const noName = await call("POST", "/api/v1/apps", { json: { redirect_uris: REDIRECT } });
    expect(noName.status).toBe(422);
    expect(noName.body.error).toMatch(/client_name/);
    const badScope = await call("POST", "/api/v1/apps", {
      json: { client_name: "x", redirect_uris: REDIRECT, scopes: "read admin:everything" },
    });
    expect(badScope.status).toBe(422);
    expect(badScope.body.error).toMatch(/scopes/);
    for (const redirect_uris of [
      "not a uri",
      "https://a.example/cb relative",
      ["https://a.example/cb", "javascript:alert(1)//"],
      "data:text/html,hi",
    ]) {
      const answer = await call("POST", "/api/v1/apps", { json: { client_name: "x", redirect_uris } });
      expect(answer.status, JSON.stringify(redirect_uris)).toBe(422);
      expect(answer.body.error).toMatch(/redirect_uris/);
    }
    const scriptSite = await call("POST", "/api/v1/apps", {
      json: { client_name: "x", redirect_uris: REDIRECT, website: "javascript://app.example/%0aalert(1)" },
    });
    expect(scriptSite.status).toBe(422);
    expect(scriptSite.body.error).toMatch(/website/);
    const appScheme = await call("POST", "/api/v1/apps", {
      json: { client_name: "x", redirect_uris: "org.joinmastodon.app://callback" },
    });
    expect(appScheme.status).toBe(200);
  });

  it("the consent page: unknown client, unregistered redirect, bad requests are pages, not redirects", async () => {
    // (and a wrong operator token stays on the page)
    expect(
      (await signInOnConsentPage(pod.url, { response_type: "code", client_id: "nope", redirect_uri: REDIRECT })).status,
    ).toBe(400);
    expect(
      (
        await signInOnConsentPage(pod.url, {
          response_type: "code",
          client_id: app.client_id,
          redirect_uri: "https://evil.example/cb",
        })
      ).status,
    ).toBe(400);
    const wrongToken = await signInOnConsentPage(
      pod.url,
      { response_type: "code", client_id: app.client_id, redirect_uri: REDIRECT, scope: "read" },
      { operatorToken: "guess" },
    );
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.location).toBeNull();
    // Errors in the request itself are shown on the page: registration is open, so an app's redirect
    // URI is not reached without the operator's action.
    for (const query of [
      "scope=push",
      "code_challenge=abc&code_challenge_method=plain",
      "code_challenge=short&code_challenge_method=S256",
    ]) {
      const answer = await call(
        "GET",
        `/oauth/authorize?response_type=code&client_id=${app.client_id}&redirect_uri=${encodeURIComponent(REDIRECT)}` +
          `&${query}`,
      );
      expect([answer.status, answer.headers.get("location")], query).toEqual([400, null]);
    }
    const token = await call(
      "GET",
      `/oauth/authorize?response_type=token&client_id=${app.client_id}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );
    expect([token.status, token.headers.get("location")]).toEqual([400, null]);
    const page = await call(
      "GET",
      `/oauth/authorize?response_type=code&client_id=${app.client_id}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("the operator's consent page speaks the browser's language (Spanish or English)", async () => {
    const query = `response_type=code&client_id=${app.client_id}&redirect_uri=${encodeURIComponent(REDIRECT)}`;
    const spanish = { "accept-language": "es-MX,es;q=0.9" };
    const consent = await call("GET", `/oauth/authorize?${query}&scope=read`, { headers: spanish });
    expect(consent.status).toBe(200);
    expect(consent.body).toContain('<html lang="es">');
    expect(consent.body).toContain("Token de operador");
    expect(consent.body).toContain("Entra con tu cuenta de miembro");
    const unknown = await call("GET", `/oauth/authorize?${query.replace(app.client_id, "nope")}`, { headers: spanish });
    expect([unknown.status, unknown.body.includes("Esta aplicación no está registrada")]).toEqual([400, true]);
    const english = await call("GET", `/oauth/authorize?${query}&scope=read`);
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain("Operator token");
  });

  it("Deny shows its result on the page unless the redirect URI is verified", async () => {
    // Verified: requested exactly, registered, and a loopback or reverse-domain app scheme URI (RFC 8252).
    const loopback = "http://127.0.0.1:8765/callback";
    const appScheme = "org.joinmastodon.app://callback";
    const redirect_uris = [loopback, appScheme, REDIRECT, "myapp://cb"];
    const nativeApp = { client_name: "native", redirect_uris, scopes: "read" };
    const registered = await call("POST", "/api/v1/apps", { json: nativeApp });
    const native = registered.body;
    const deny = (client_id: string, extra: Record<string, string>) => {
      const params = { response_type: "code", client_id, scope: "read", state: "s1", ...extra };
      return signInOnConsentPage(pod.url, params, { decision: "deny" });
    };
    const onPage = [
      [app.client_id, REDIRECT],
      [native.client_id, REDIRECT],
      [native.client_id, "myapp://cb"],
      [app.client_id, "urn:ietf:wg:oauth:2.0:oob"],
    ] as const;
    for (const [client, redirect] of onPage) {
      const denied = await deny(client, { redirect_uri: redirect });
      expect([denied.status, denied.location], redirect).toEqual([200, null]);
      expect(denied.page).toContain("Access denied");
    }
    for (const redirect of [loopback, appScheme]) {
      const denied = await deny(native.client_id, { redirect_uri: redirect });
      expect(denied.status, redirect).toBe(302);
      expect(denied.location!.startsWith(redirect), redirect).toBe(true);
      const params = Object.fromEntries(new URL(denied.location!).searchParams);
      expect(params).toMatchObject({ error: "access_denied", state: "s1" });
    }
    // A redirect_uri the request did not name (the app's only one, by default) is not verified.
    const json = { client_name: "single", redirect_uris: loopback, scopes: "read" };
    const single = (await call("POST", "/api/v1/apps", { json })).body;
    const defaulted = await deny(single.client_id, {});
    expect([defaulted.status, defaulted.location]).toEqual([200, null]);
  });

  it("the out-of-band redirect shows the code on a page", async () => {
    const consent = await signInOnConsentPage(pod.url, {
      response_type: "code",
      client_id: app.client_id,
      redirect_uri: "urn:ietf:wg:oauth:2.0:oob",
      scope: "read",
    });
    expect(consent.status).toBe(200);
    const code = /<code>([\w-]+)<\/code>/.exec(consent.page)![1]!;
    const answer = await call("POST", "/oauth/token", {
      json: {
        grant_type: "authorization_code",
        client_id: app.client_id,
        client_secret: app.client_secret,
        code,
        redirect_uri: "urn:ietf:wg:oauth:2.0:oob",
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe("read");
  });

  const tokenEndpointAnswers =
    "the token endpoint answers RFC 6749 errors: invalid_client, invalid_grant, unsupported_grant_type, " +
    "invalid_request";
  it(tokenEndpointAnswers, async () => {
    const code = await codeFor("read");
    const wrongSecret = await call("POST", "/oauth/token", {
      form: {
        grant_type: "authorization_code",
        client_id: app.client_id,
        client_secret: "wrong",
        code,
        redirect_uri: REDIRECT,
      },
    });
    expect([wrongSecret.status, wrongSecret.body.error]).toEqual([401, "invalid_client"]);
    const wrongRedirect = await call("POST", "/oauth/token", {
      form: {
        grant_type: "authorization_code",
        client_id: app.client_id,
        client_secret: app.client_secret,
        code: await codeFor("read"),
        redirect_uri: "https://app.example/other",
      },
    });
    expect([wrongRedirect.status, wrongRedirect.body.error]).toEqual([400, "invalid_grant"]);
    const unknownCode = await call("POST", "/oauth/token", {
      form: {
        grant_type: "authorization_code",
        client_id: app.client_id,
        client_secret: app.client_secret,
        code: "made-up",
        redirect_uri: REDIRECT,
      },
    });
    expect([unknownCode.status, unknownCode.body.error]).toEqual([400, "invalid_grant"]);
    const password = await call("POST", "/oauth/token", {
      form: {
        grant_type: "password",
        client_id: app.client_id,
        client_secret: app.client_secret,
        username: "pod",
        password: "x",
      },
    });
    expect([password.status, password.body.error]).toEqual([400, "unsupported_grant_type"]);
    const noGrant = await call("POST", "/oauth/token", {
      form: { client_id: app.client_id, client_secret: app.client_secret },
    });
    expect([noGrant.status, noGrant.body.error]).toEqual([400, "invalid_request"]);
    const noClient = await call("POST", "/oauth/token", { form: { grant_type: "client_credentials" } });
    expect([noClient.status, noClient.body.error]).toEqual([401, "invalid_client"]);
    const noRedirect = await call("POST", "/oauth/token", {
      form: {
        grant_type: "authorization_code",
        client_id: app.client_id,
        client_secret: app.client_secret,
        code: await codeFor("read"),
      },
    });
    expect([noRedirect.status, noRedirect.body.error]).toEqual([400, "invalid_request"]);
    const mangledBasic = await call("POST", "/oauth/token", {
      form: { grant_type: "client_credentials" },
      headers: { authorization: `Basic ${Buffer.from("%E0%A4%A:secret").toString("base64")}` },
    });
    expect([mangledBasic.status, mangledBasic.body.error]).toEqual([401, "invalid_client"]);
  });

  it("PKCE: a code made with a challenge needs the matching verifier; a public client needs no secret", async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor("read", { code_challenge: challenge, code_challenge_method: "S256" });
    const wrong = await call("POST", "/oauth/token", {
      form: {
        grant_type: "authorization_code",
        client_id: app.client_id,
        code,
        redirect_uri: REDIRECT,
        code_verifier: pkcePair().verifier,
      },
    });
    expect([wrong.status, wrong.body.error]).toEqual([400, "invalid_grant"]);
    // The failed attempt used the code up.
    const retry = await call("POST", "/oauth/token", {
      form: {
        grant_type: "authorization_code",
        client_id: app.client_id,
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
    });
    expect(retry.body.error).toBe("invalid_grant");
    const fresh = await codeFor("read", { code_challenge: challenge, code_challenge_method: "S256" });
    const ok = await call("POST", "/oauth/token", {
      form: {
        grant_type: "authorization_code",
        client_id: app.client_id,
        code: fresh,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
    });
    expect(ok.status).toBe(200);
  });

  const tokensNoneOr =
    "tokens: none or a bad one is 401, a missing scope 403, an app-only token on the pod's routes 422; revoked and " +
    "expired tokens are 401";
  it(tokensNoneOr, async () => {
    expect((await call("GET", "/api/v1/accounts/verify_credentials")).status).toBe(401);
    const bad = await call("GET", "/api/v1/instance", { token: "garbage" });
    expect([bad.status, bad.body.error]).toEqual([401, "The access token is invalid"]);
    const readOnly = await tokenFor("read");
    const forbidden = await call("POST", "/api/v1/statuses", { token: readOnly, json: { status: "hi" } });
    expect([forbidden.status, forbidden.body.error]).toEqual([403, "This action is outside the authorized scopes"]);
    const narrow = await tokenFor("read:statuses");
    expect((await call("GET", "/api/v1/timelines/home", { token: narrow })).status).toBe(200);
    expect((await call("GET", "/api/v1/notifications", { token: narrow })).status).toBe(403);

    const appOnly = await call("POST", "/oauth/token", {
      basic: undefined,
      form: {
        grant_type: "client_credentials",
        client_id: app.client_id,
        client_secret: app.client_secret,
        scope: "read",
      },
    } as never);
    expect(appOnly.status).toBe(200);
    expect((await call("GET", "/api/v1/apps/verify_credentials", { token: appOnly.body.access_token })).body.name).toBe(
      "bad input",
    );
    expect((await call("GET", "/api/v1/timelines/home", { token: appOnly.body.access_token })).status).toBe(422);
    const basic = Buffer.from(`${app.client_id}:${app.client_secret}`).toString("base64");
    const viaBasic = await call("POST", "/oauth/token", {
      form: { grant_type: "client_credentials", scope: "write:statuses" },
      headers: { authorization: `Basic ${basic}` },
    });
    expect(viaBasic.status).toBe(200);

    const doomed = await tokenFor("read");
    expect(
      (
        await call("POST", "/oauth/revoke", {
          form: { client_id: app.client_id, client_secret: app.client_secret, token: doomed },
        })
      ).status,
    ).toBe(200);
    expect((await call("GET", "/api/v1/accounts/verify_credentials", { token: doomed })).status).toBe(401);

    // A token without a read scope doesn't read the pod's followers-only posts.
    const writer = await tokenFor("write");
    const reader = await tokenFor("read write");
    const quiet = (
      await call("POST", "/api/v1/statuses", {
        token: writer,
        json: { status: "followers only", visibility: "private" },
      })
    ).body;
    expect((await call("GET", `/api/v1/statuses/${quiet.id}`, { token: writer })).status).toBe(404);
    expect((await call("GET", `/api/v1/statuses/${quiet.id}`, { token: reader })).status).toBe(200);
    expect((await call("GET", `/api/v1/statuses/${quiet.id}`)).status).toBe(404);

    const aging = await tokenFor("read");
    clock = new Date(clock.getTime() + TOKEN_TTL_MS + 1000);
    try {
      expect((await call("GET", "/api/v1/accounts/verify_credentials", { token: aging })).status).toBe(401);
    } finally {
      clock = new Date();
    }
  });

  const unknownIdsAre =
    "unknown ids are 404 (never 500); limit is clamped; bad paging ids and blank posts are refused by name";
  it(unknownIdsAre, async () => {
    const token = await tokenFor("read write follow");
    for (const path of [
      "/api/v1/statuses/123",
      "/api/v1/accounts/999",
      "/api/v1/statuses/abc/context",
      "/api/v1/notifications/5",
      "/api/v1/nothing/here",
    ]) {
      const answer = await call("GET", path, { token });
      expect(answer.status, path).toBe(404);
      expect(typeof answer.body.error).toBe("string");
    }
    expect((await call("POST", "/api/v1/accounts/999/follow", { token })).status).toBe(404);
    expect((await call("DELETE", "/api/v1/statuses/42", { token })).status).toBe(404);
    for (let i = 0; i < 3; i++) await call("POST", "/api/v1/statuses", { token, json: { status: `post ${i}` } });
    expect((await call("GET", "/api/v1/timelines/home?limit=0", { token })).body).toHaveLength(1);
    const all = (await call("GET", "/api/v1/timelines/home?limit=100000", { token })).body;
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all.length).toBeLessThanOrEqual(40);
    const badMax = await call("GET", "/api/v1/timelines/home?max_id=abc", { token });
    expect(badMax.status).toBe(400);
    expect(badMax.body.error).toMatch(/max_id/);
    const blank = await call("POST", "/api/v1/statuses", { token, json: { status: "   " } });
    expect([blank.status, blank.body.error]).toEqual([422, "Validation failed: status: Text can't be blank"]);
    const badVisibility = await call("POST", "/api/v1/statuses", {
      token,
      json: { status: "x", visibility: "everyone" },
    });
    expect(badVisibility.status).toBe(422);
    expect(badVisibility.body.error).toMatch(/visibility/);
    const media = await call("POST", "/api/v1/statuses", { token, json: { status: "x", media_ids: ["1"] } });
    expect(media.status).toBe(422);
  });

  it("paging: max_id, since_id and min_id walk the timeline; the Link header names next and prev", async () => {
    const token = await tokenFor("read write");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await call("POST", "/api/v1/statuses", { token, json: { status: `page ${i}` } })).body.id);
    const first = await call("GET", "/api/v1/timelines/home?limit=2", { token });
    expect(first.body.map((s: { id: string }) => s.id)).toEqual([ids[4], ids[3]]);
    const link = first.headers.get("link")!;
    expect(link).toContain(`max_id=${ids[3]}`);
    expect(link).toContain('rel="next"');
    expect(link).toContain(`min_id=${ids[4]}`);
    const next = await call("GET", `/api/v1/timelines/home?limit=2&max_id=${ids[3]}`, { token });
    expect(next.body.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    const forward = await call("GET", `/api/v1/timelines/home?limit=2&min_id=${ids[1]}`, { token });
    expect(forward.body.map((s: { id: string }) => s.id)).toEqual([ids[3], ids[2]]);
    const since = await call("GET", `/api/v1/timelines/home?limit=2&since_id=${ids[1]}`, { token });
    expect(since.body.map((s: { id: string }) => s.id)).toEqual([ids[4], ids[3]]);
  });

  it("what apps call at start answers valid, empty results", async () => {
    const token = await tokenFor("read write follow");
    for (const path of [
      "/api/v1/filters",
      "/api/v2/filters",
      "/api/v1/lists",
      "/api/v1/announcements",
      "/api/v1/custom_emojis",
      "/api/v1/trends",
      "/api/v2/suggestions",
    ]) {
      const answer = await call("GET", path, { token });
      expect(answer.status, path).toBe(200);
      expect(answer.body, path).toEqual([]);
    }
    expect((await call("GET", "/api/v1/preferences", { token })).body["posting:default:visibility"]).toBe("public");
    // Markers: where the operator stopped reading, shared between apps.
    expect((await call("GET", "/api/v1/markers?timeline[]=home&timeline[]=notifications", { token })).body).toEqual({});
    const saved = await call("POST", "/api/v1/markers", {
      token,
      json: { home: { last_read_id: "117000000000000001" } },
    });
    expect(saved.body.home).toMatchObject({ last_read_id: "117000000000000001", version: 1 });
    await call("POST", "/api/v1/markers", { token, json: { home: { last_read_id: "117000000000000002" } } });
    const read = (await call("GET", "/api/v1/markers?timeline[]=home", { token })).body;
    expect(read.home).toMatchObject({ last_read_id: "117000000000000002", version: 2 });
    expect((await call("POST", "/api/v1/markers", { token, json: {} })).status).toBe(422);
    // The same as a form, the way several apps send it.
    const asForm = await call("POST", "/api/v1/markers", {
      token,
      form: { "notifications[last_read_id]": "117000000000000005" },
    });
    expect(asForm.body.notifications).toMatchObject({ last_read_id: "117000000000000005", version: 1 });
    const metadata = (await call("GET", "/.well-known/oauth-authorization-server")).body;
    expect(metadata.code_challenge_methods_supported).toEqual(["S256"]);
    expect(metadata.token_endpoint).toBe(`${pod.url}/oauth/token`);
  });
});

describe("sign-in endpoints slow down a guessing loop", () => {
  it("guessing operator tokens on the consent page is answered 429 after the per-address limit", async () => {
    const pod = await startInProcessPod();
    try {
      const app = await (
        await fetch(`${pod.url}/api/v1/apps`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ client_name: "x", redirect_uris: REDIRECT }),
        })
      ).json();
      const statuses: number[] = [];
      for (let i = 0; i < SIGN_IN_LIMIT.max + 2; i++) {
        const form = new URLSearchParams({
          response_type: "code",
          client_id: app.client_id,
          redirect_uri: REDIRECT,
          operator_token: `guess-${i}`,
          decision: "approve",
        });
        statuses.push(
          (await fetch(`${pod.url}/oauth/authorize`, { method: "POST", body: form, redirect: "manual" })).status,
        );
      }
      expect(statuses.slice(0, SIGN_IN_LIMIT.max).every((status) => status === 401)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
    } finally {
      await pod.close();
    }
  });
});

describe("taking access away from apps", () => {
  const rotatingOperatorToken =
    "rotating the operator token ends the access of apps signed in with it; the operator can list and remove apps";
  it(rotatingOperatorToken, async () => {
    const pod = await startInProcessPod();
    try {
      const { createToken, rotateToken } = await import("../../src/operators/service.ts");
      const operatorToken = await createToken(roomsOf(pod.pod.deps), "an operator");
      const register = async (name: string) =>
        (await (
          await fetch(`${pod.url}/api/v1/apps`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ client_name: name, redirect_uris: REDIRECT, scopes: "read" }),
          })
        ).json()) as {
          id: string;
          client_id: string;
          client_secret: string;
        };
      const signIn = async (app: { client_id: string; client_secret: string }, token: string) => {
        const consent = await signInOnConsentPage(
          pod.url,
          { response_type: "code", client_id: app.client_id, redirect_uri: REDIRECT, scope: "read" },
          { operatorToken: token },
        );
        const code = new URL(consent.location!).searchParams.get("code")!;
        const answer = await fetch(`${pod.url}/oauth/token`, {
          method: "POST",
          body: new URLSearchParams({
            grant_type: "authorization_code",
            client_id: app.client_id,
            client_secret: app.client_secret,
            code,
            redirect_uri: REDIRECT,
          }),
        });
        return ((await answer.json()) as { access_token: string }).access_token;
      };
      const works = async (token: string) =>
        (
          await fetch(`${pod.url}/api/v1/accounts/verify_credentials`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).status === 200;
      const admin = (method: string, path: string, token: string) =>
        fetch(`${pod.url}/admin/api${path}`, { method, headers: { authorization: `Bearer ${token}` } });

      const elk = await register("Elk");
      const elkToken = await signIn(elk, operatorToken);
      expect(await works(elkToken)).toBe(true);
      const newOperatorToken = await rotateToken(roomsOf(pod.pod.deps));
      expect(await works(elkToken)).toBe(false);

      const tusky = await register("Tusky");
      const tuskyToken = await signIn(tusky, newOperatorToken);
      expect(await works(tuskyToken)).toBe(true);
      const apps = (await (await admin("GET", "/apps", newOperatorToken)).json()) as {
        items: { id: string; name: string; tokens: number }[];
      };
      expect(apps.items.map((a) => [a.name, a.tokens])).toEqual([
        ["Elk", 0],
        ["Tusky", 1],
      ]);
      expect((await admin("DELETE", `/apps/${tusky.id}`, newOperatorToken)).status).toBe(204);
      expect(await works(tuskyToken)).toBe(false);
      expect((await admin("DELETE", `/apps/${tusky.id}`, newOperatorToken)).status).toBe(404);
    } finally {
      await pod.close();
    }
  });
});
