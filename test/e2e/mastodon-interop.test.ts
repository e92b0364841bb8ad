import generator, { detector } from "megalodon";
import { createRestAPIClient, type mastodon } from "masto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInOnConsentPage } from "../support/oauth-consent.ts";
import { startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import { startRemoteActor, type RemoteActor } from "../support/remote-actor.ts";

const REDIRECT = "https://app.example/callback";

/** An app's access token, the way megalodon-based apps get one (authorization code with client secret). */
async function megalodonToken(podUrl: string): Promise<string> {
  const client = generator("mastodon", podUrl);
  const registered = await client.registerApp("interop test", {
    redirect_uris: REDIRECT,
    scopes: ["read", "write", "follow"],
  });
  const consent = await signInOnConsentPage(podUrl, {
    response_type: "code",
    client_id: registered.client_id,
    redirect_uri: REDIRECT,
    scope: "read write follow",
  });
  const code = new URL(consent.location!).searchParams.get("code")!;
  return (await client.fetchAccessToken(registered.client_id, registered.client_secret, code, REDIRECT)).access_token;
}

describe("Mastodon apps' view of a pod: server detection, search by name, NodeInfo counts", () => {
  let pod: PodProcess;
  let underscored: RemoteActor;
  let lookalike: RemoteActor;
  let token: string;
  let masto: mastodon.rest.Client;

  beforeAll(async () => {
    [pod, underscored, lookalike] = await Promise.all([
      startPod("interop"),
      startRemoteActor("tool_library", { name: "Tools on Elm" }),
      startRemoteActor("toolXlibrary", { name: "Tools on Oak" }),
    ]);
    token = await megalodonToken(pod.url);
    masto = createRestAPIClient({ url: pod.url, accessToken: token });
  });
  afterAll(async () => {
    await Promise.all([pod?.stop(), underscored?.close(), lookalike?.close()]);
  });

  const megalodonsDetectorRecognises =
    "megalodon's detector recognises the pod as a Mastodon-compatible server, and its client reads the home timeline";
  it(megalodonsDetectorRecognises, async () => {
    expect(await detector(pod.url)).toBe("mastodon");
    const offer = await pod.admin("POST", "/offers", {
      name: "Seed packets",
      category: "food",
      quantity: 40,
      unit: "packets",
      area: { name: "Riverside" },
    });
    expect(offer.status).toBe(201);
    const api = generator(await detector(pod.url), pod.url, token);
    const home = await api.getHomeTimeline({ limit: 40 });
    expect(home.data.map((s) => s.uri)).toContain(`${pod.url}/offers/${offer.body.id}/note`);
  });

  it("a local search finds a name with `_` in it as written, not names where `_` would be any character", async () => {
    // The pod learns both accounts by resolving their actor URLs, as an app's search with resolve does.
    for (const actor of [underscored, lookalike]) {
      const resolved = await masto.v2.search.list({ q: actor.actorId, resolve: true, type: "accounts" });
      expect(resolved.accounts.map((a) => a.username)).toEqual([actor.actorId.split("/").pop()]);
    }
    const found = await masto.v2.search.list({ q: "tool_lib", type: "accounts" });
    expect(found.accounts.map((a) => a.username)).toEqual(["tool_library"]);
    const both = await masto.v2.search.list({ q: "Tools on", type: "accounts" });
    expect(both.accounts.map((a) => a.username).sort()).toEqual(["toolXlibrary", "tool_library"]);
    expect((await masto.v2.search.list({ q: "100%", type: "accounts" })).accounts).toEqual([]);
  });

  it("NodeInfo counts the pod's published posts, and stops counting a deleted one", async () => {
    const nodeinfo = async () => {
      const links = await (await fetch(`${pod.url}/.well-known/nodeinfo`)).json();
      return (await fetch(links.links.at(-1).href)).json();
    };
    const before = (await nodeinfo()).usage.localPosts;
    expect(before).toBeGreaterThanOrEqual(1); // the offer's readable note, from the first test
    const status = await masto.v1.statuses.create({ status: "Swap shop on Saturday", visibility: "public" });
    await masto.v1.statuses.create({ status: "Only for you", visibility: "direct" });
    expect((await nodeinfo()).usage.localPosts).toBe(before + 1);
    await masto.v1.statuses.$select(status.id).remove();
    await waitUntil(async () => (await nodeinfo()).usage.localPosts === before);
    expect((await nodeinfo()).software.name).toBe("pods");
  });
});
