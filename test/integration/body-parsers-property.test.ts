import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { fromAddress, loopbackAddress } from "../support/loopback-client.ts";
import { operatorAppToken } from "../support/oauth-consent.ts";
import { TEST_ADMIN_TOKEN } from "../support/pod-process.ts";

/**
 * Every parser that turns network input into objects (JSON bodies, urlencoded and multipart forms with
 * Rails-style keys, the inbox's JSON, query strings), driven over real HTTP with hostile keys. The pod runs
 * in this process, so a key that reached Object.prototype would show here.
 */

const HOSTILE = ["__proto__", "constructor", "prototype"];
const name = fc.oneof(
  fc.constantFrom(
    ...HOSTILE,
    "toString",
    "valueOf",
    "hasOwnProperty",
    "oauthToken",
    "content-type",
    "client_name",
    "status",
    "scopes",
    "poll",
    "options",
    "grant_type",
    "",
  ),
  fc.string({ maxLength: 5 }),
);
const formKey = fc
  .tuple(name, fc.array(name, { maxLength: 4 }))
  .map(([head, rest]) => head + rest.map((s) => `[${s}]`).join(""));
const fields = fc.array(fc.tuple(formKey, fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 6 });

/** JSON text with keys chosen freely (duplicates and `__proto__` included), which no JS object literal can hold. */
type JsonTree = { entries: [string, JsonTree | string | number][] };
const jsonTree: fc.Arbitrary<JsonTree> = fc.letrec<{ tree: JsonTree }>((tie) => ({
  tree: fc.record({
    entries: fc.array(
      fc.tuple(
        fc.oneof(formKey, name),
        fc.oneof({ depthSize: "small" }, fc.string({ maxLength: 6 }), fc.integer(), tie("tree")),
      ),
      { maxLength: 4 },
    ),
  }),
})).tree;
const jsonValue = (value: JsonTree | string | number): string =>
  typeof value === "object" ? jsonText(value) : JSON.stringify(value);
const jsonText = (tree: JsonTree): string =>
  `{${tree.entries.map(([key, value]) => `${JSON.stringify(key)}:${jsonValue(value)}`).join(",")}}`;
/** Whether a key passing `test` is in the tree as JSON.parse keeps it: of duplicate keys, the last one's value. */
const anyKey = (tree: JsonTree, test: (key: string) => boolean): boolean => {
  const kept = new Map(tree.entries);
  return [...kept].some(([key, value]) => test(key) || (typeof value === "object" && anyKey(value, test)));
};

const segmentsOf = (key: string) => {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(key);
  return match ? [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)] : [key];
};
const hostileKey = (key: string) => segmentsOf(key).some((s) => HOSTILE.includes(s));

const snapshot = () =>
  Object.getOwnPropertyNames(Object.prototype).map(
    (n) => [n, Object.getOwnPropertyDescriptor(Object.prototype, n)] as const,
  );

/** Undoes what a broken parser did to Object.prototype, so fast-check can shrink to the request that did it. */
function restore(before: ReturnType<typeof snapshot>) {
  const known = new Set(before.map(([n]) => n));
  for (const n of Object.getOwnPropertyNames(Object.prototype))
    if (!known.has(n)) delete (Object.prototype as Record<string, unknown>)[n];
  for (const [n, descriptor] of before) Object.defineProperty(Object.prototype, n, descriptor!);
}

async function multipart(entries: [string, string][]): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const form = new FormData();
  for (const [key, value] of entries) form.append(key, value);
  const encoded = new Response(form);
  return {
    headers: { "content-type": encoded.headers.get("content-type")! },
    body: Buffer.from(await encoded.arrayBuffer()),
  };
}

describe("property: no network body or query parser lets an input key reach Object.prototype", () => {
  let pod: InProcessPod;
  let token: string;
  let sent = 0;
  const before = snapshot();

  /** Sends from a fresh loopback address each time, so the per-address sign-in limits never answer instead. */
  async function send(method: string, path: string, headers: Record<string, string>, body?: string | Buffer) {
    const answer = await fromAddress(loopbackAddress(7 + Math.floor(sent / 250), sent), `${pod.url}${path}`, {
      method,
      headers,
      body,
    });
    sent++;
    const after = snapshot();
    restore(before);
    expect(after).toEqual(before);
    expect(answer.status, `${method} ${path}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
    return answer;
  }

  beforeAll(async () => {
    pod = await startInProcessPod();
    token = await operatorAppToken(pod.url, "read write follow");
  });
  afterAll(async () => {
    await pod?.close();
  });

  const MASTODON_FORMS = ["/api/v1/apps", "/oauth/token", "/oauth/authorize", "/api/v1/statuses", "/api/v1/markers"];

  it("urlencoded and multipart forms on the Mastodon API: a hostile field name is a 400, nothing breaks", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...MASTODON_FORMS), fc.boolean(), fields, async (path, asMultipart, entries) => {
        const auth = { authorization: `Bearer ${token}` };
        const answer = asMultipart
          ? await (async () => {
              const { headers, body } = await multipart(entries);
              return send("POST", path, { ...headers, ...auth }, body);
            })()
          : await send(
              "POST",
              path,
              { "content-type": "application/x-www-form-urlencoded", ...auth },
              new URLSearchParams(entries).toString(),
            );
        if (entries.some(([key]) => hostileKey(key))) expect(answer.status, answer.text).toBe(400);
      }),
      { numRuns: 200 },
    );
  });

  it("JSON bodies on the Mastodon and admin APIs: __proto__ anywhere or a hostile field name is a 400", async () => {
    const routes = [
      ...MASTODON_FORMS.map((path) => ({ path, method: "POST", mastodon: true })),
      ...["/admin/api/offers", "/admin/api/practices", "/admin/api/follow-requests/approve"].map((path) => ({
        path,
        method: "POST",
        mastodon: false,
      })),
      { path: "/admin/api/charter", method: "PUT", mastodon: false },
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), jsonTree, async (route, tree) => {
        const answer = await send(
          route.method,
          route.path,
          { "content-type": "application/json", authorization: `Bearer ${route.mastodon ? token : TEST_ADMIN_TOKEN}` },
          jsonText(tree),
        );
        const protoAnywhere = anyKey(tree, (key) => key === "__proto__");
        const hostileField = route.mastodon && tree.entries.some(([key]) => hostileKey(key));
        if (protoAnywhere || hostileField) expect(answer.status, answer.text).toBe(400);
      }),
      { numRuns: 200 },
    );
  });

  it("the inbox (its own JSON reading, before and after Fedify) and query strings", async () => {
    await fc.assert(
      fc.asyncProperty(jsonTree, fc.boolean(), async (tree, shaped) => {
        // Half look like an activity (so they get past the first checks to the signature), half are anything.
        const activity: JsonTree["entries"] = [
          ["@context", "https://www.w3.org/ns/activitystreams"],
          ["id", "https://elsewhere.example/a/1"],
          ["type", "Create"],
          ["actor", "https://elsewhere.example/u"],
        ];
        await send(
          "POST",
          "/users/pod/inbox",
          { "content-type": "application/activity+json" },
          jsonText(shaped ? { entries: [...activity, ...tree.entries] } : tree),
        );
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "/api/v1/timelines/public",
          "/api/v1/markers",
          "/oauth/authorize",
          "/view/surplus",
          "/admin/api/offers",
        ),
        fields,
        async (path, entries) => {
          await send("GET", `${path}?${new URLSearchParams(entries)}`, {
            authorization: `Bearer ${path.startsWith("/admin") ? TEST_ADMIN_TOKEN : token}`,
          });
        },
      ),
      { numRuns: 60 },
    );
    const actor = await fetch(pod.actorUrl, { headers: { accept: "application/activity+json" } });
    expect([actor.status, (await actor.json()).id]).toEqual([200, pod.actorUrl]);
  });
});
