import { createOAuthAPIClient, createRestAPIClient, type mastodon } from "masto";
import generator from "megalodon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pkcePair, signInOnConsentPage } from "../support/oauth-consent.ts";
import { followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

const REDIRECT = "https://app.example/callback";

const operatorUsesMastodon =
  "the operator uses Mastodon apps (masto.js and megalodon) against a pod; posts federate to another pod";
describe(operatorUsesMastodon, () => {
  let a: PodProcess;
  let b: PodProcess;

  beforeAll(async () => {
    [a, b] = await Promise.all([startPod("a"), startPod("b")]);
    // B follows A, so A's posts written in an app reach B.
    await followAndWait(b, a);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  describe("masto.js", () => {
    let masto: mastodon.rest.Client;
    let offerStatus: mastodon.v1.Status;
    let offerId: string;

    it("registers an app and gets a token through the authorization-code flow with PKCE (S256)", async () => {
      const registered = await createRestAPIClient({ url: a.url }).v1.apps.create({
        clientName: "masto test",
        redirectUris: REDIRECT,
        scopes: "read write follow",
        website: "https://app.example",
      });
      expect(registered.clientId).toBeTruthy();
      expect(registered.clientSecret).toBeTruthy();
      const { verifier, challenge } = pkcePair();
      const consent = await signInOnConsentPage(a.url, {
        response_type: "code",
        client_id: registered.clientId!,
        redirect_uri: REDIRECT,
        scope: "read write follow",
        state: "xyz",
        code_challenge: challenge,
        code_challenge_method: "S256",
      });
      expect(consent.status).toBe(302);
      const back = new URL(consent.location!);
      expect(back.origin + back.pathname).toBe(REDIRECT);
      expect(back.searchParams.get("state")).toBe("xyz");
      const code = back.searchParams.get("code")!;
      const oauth = createOAuthAPIClient({ url: a.url });
      const token = await oauth.token.create({
        grantType: "authorization_code",
        clientId: registered.clientId!,
        clientSecret: registered.clientSecret!,
        redirectUri: REDIRECT,
        code,
        codeVerifier: verifier,
      } as Parameters<typeof oauth.token.create>[0]);
      expect(token.scope).toBe("read write follow");
      masto = createRestAPIClient({ url: a.url, accessToken: token.accessToken });
      // The code is single use.
      await expect(
        oauth.token.create({
          grantType: "authorization_code",
          clientId: registered.clientId!,
          clientSecret: registered.clientSecret!,
          redirectUri: REDIRECT,
          code,
          codeVerifier: verifier,
        } as Parameters<typeof oauth.token.create>[0]),
      ).rejects.toThrow();
    });

    it("verifies credentials: the pod is the account", async () => {
      const me = await masto.v1.accounts.verifyCredentials();
      expect(me.acct).toBe("pod");
      expect(me.displayName).toBe("Pod a");
      expect(me.group).toBe(true);
      expect(me.followersCount).toBe(1);
      const instance = await masto.v2.instance.fetch();
      expect(instance.domain).toBe(new URL(a.url).host);
    });

    it("resolves the second pod by handle, follows it, and reads its offer in the home timeline", async () => {
      const found = await masto.v2.search.list({ q: b.handle, resolve: true, type: "accounts" });
      expect(found.accounts).toHaveLength(1);
      const podB = found.accounts[0]!;
      // Published before the follow: it arrives with the latest posts read from B's outbox.
      const earlier = await b.admin("POST", "/needs", {
        name: "Ladders",
        category: "tools",
        quantity: 2,
        unit: "ladders",
        area: { name: "Riverside" },
      });
      expect(earlier.status).toBe(201);
      expect(podB.acct).toBe(b.handle.replace(/^@/, ""));
      expect(podB.url).toBe(`${b.url}/@pod`);
      const relationship = await masto.v1.accounts.$select(podB.id).follow();
      expect(relationship.following || relationship.requested).toBe(true);
      await waitUntil(
        async () => (await masto.v1.accounts.relationships.fetch({ id: [podB.id] }))[0]?.following === true,
      );

      const offer = await b.admin("POST", "/offers", {
        name: "Apples",
        category: "food",
        quantity: 20,
        unit: "kg",
        area: { name: "Riverside" },
        description: "Windfall apples, come by.",
      });
      expect(offer.status).toBe(201);
      offerId = offer.body.id;
      // The need comes from B's outbox, read after the follow; the offer is delivered live: either may land first.
      const earlierNote = `${b.url}/needs/${earlier.body.id}/note`;
      const both = (statuses: { uri: string }[]) =>
        statuses.some((s) => s.uri === `${b.url}/offers/${offerId}/note`) &&
        statuses.some((s) => s.uri === earlierNote);
      await waitUntil(async () => both(await masto.v1.timelines.home.list({ limit: 40 })), 20_000);
      const home = await masto.v1.timelines.home.list({ limit: 40 });
      offerStatus = home.find((s) => s.uri === `${b.url}/offers/${offerId}/note`)!;
      expect(offerStatus.account.id).toBe(podB.id);
      expect(offerStatus.content).toContain("Apples");
      expect(offerStatus.visibility).toBe("public");
      expect(home.some((s) => s.uri === earlierNote && s.content.includes("Ladders"))).toBe(true);
      // The pod's own following list, as the app's profile screen reads it.
      const me = await masto.v1.accounts.verifyCredentials();
      expect((await masto.v1.accounts.$select(me.id).following.list()).map((account) => account.id)).toEqual([podB.id]);
    });

    const followedPodsCharter =
      "the followed pod's charter and practice arrive as one status each (written from the charter's Article, the " +
      "practice's title and gist)";
    it(followedPodsCharter, async () => {
      const charter = await b.admin("PUT", "/charter", {
        changeNote: "First charter",
        services: [{ key: "food-runs", name: "Food runs", category: "food", area: "Riverside" }],
      });
      expect(charter.status).toBe(201);
      const practice = await b.admin("POST", "/practices", {
        title: "A food route that takes an hour",
        summary: "Group pickups by street.",
        body: "1. Sort by street\n2. Drive the loop",
      });
      expect(practice.status).toBe(201);
      const fromB = async () =>
        (await masto.v1.timelines.home.list({ limit: 40 })).filter(
          (s) => s.account.acct === b.handle.replace(/^@/, ""),
        );
      await waitUntil(
        async () =>
          (await fromB()).some((s) => s.content.includes("A food route")) &&
          (await fromB()).some((s) => s.content.includes("Food runs")),
        20_000,
      );
      const statuses = await fromB();
      expect(statuses.filter((s) => s.content.includes("Food runs"))).toHaveLength(1);
      // B sends pods the charter's Article only; A writes the one post its apps show from it, at the Note's id.
      expect(statuses.find((s) => s.content.includes("Food runs"))!.uri).toBe(`${b.url}/charter/note`);
      const practiceStatus = statuses.find((s) => s.content.includes("A food route"))!;
      expect(practiceStatus.content).toContain("Group pickups by street.");
      expect(practiceStatus.url).toBe(`${b.url}/practices/${practice.body.id}`);
    });

    it("posts a status: it is published as a Note from the pod and delivered to the follower pod", async () => {
      const status = await masto.v1.statuses.create({
        status: "Tool library opens Saturday https://example.org/tools",
        visibility: "public",
      });
      expect(status.uri).toMatch(new RegExp(`^${a.url}/notes/\\d+$`));
      expect(status.content).toContain('<a href="https://example.org/tools"');
      const note = await a.getActivityPub(status.uri);
      expect(note.type).toBe("Note");
      // Fedify compacts the Public collection to as:Public, which Mastodon reads as public too.
      expect([note.to].flat()).toContainEqual(
        expect.stringMatching(/^(as:Public|https:\/\/www\.w3\.org\/ns\/activitystreams#Public)$/),
      );
      await waitUntil(async () =>
        (await b.admin("GET", "/received?limit=100")).body.items.some(
          (r: { type: string; objectIri: string }) => r.type === "Create" && r.objectIri === status.uri,
        ),
      );
      // B keeps it as a post of a pod it follows: it shows on B's public timeline.
      const atB = createRestAPIClient({ url: b.url });
      await waitUntil(async () =>
        (await atB.v1.timelines.public.list({ limit: 40 })).some((s) => s.uri === status.uri),
      );
      const local = await masto.v1.timelines.public.list({ local: true });
      expect(local.map((s) => s.uri)).toContain(status.uri);
    });

    it("replies to the neighbor's offer: the reply threads at both pods and counts on the offer", async () => {
      const reply = await masto.v1.statuses.create({
        status: "We could use ten kilos for the soup kitchen",
        inReplyToId: offerStatus.id,
      });
      expect(reply.inReplyToId).toBe(offerStatus.id);
      expect(reply.inReplyToAccountId).toBe(offerStatus.account.id);
      const context = await masto.v1.statuses.$select(offerStatus.id).context.fetch();
      expect(context.descendants.map((s) => s.id)).toContain(reply.id);
      await waitUntil(async () => (await b.admin("GET", `/offers/${offerId}`)).body.responses?.length === 1);
      const atB = (await b.admin("GET", `/offers/${offerId}`)).body;
      expect(atB.responses[0].author).toBe(a.handle);
      expect(atB.responses[0].content).toContain("soup kitchen");
      const page = await (await fetch(`${b.url}/offers/${offerId}`)).text();
      expect(page).toContain("soup kitchen");
    });

    it("deletes its status: followers get a Delete and the note answers 410", async () => {
      const status = await masto.v1.statuses.create({ status: "A mistake", visibility: "public" });
      await masto.v1.statuses.$select(status.id).remove();
      expect((await fetch(status.uri, { headers: { accept: "application/activity+json" } })).status).toBe(410);
      await waitUntil(async () =>
        (await b.admin("GET", "/received?limit=200")).body.items.some(
          (r: { type: string; objectIri: string }) => r.type === "Delete" && r.objectIri === status.uri,
        ),
      );
      await expect(masto.v1.statuses.$select(status.id).fetch()).rejects.toThrow();
    });
  });

  describe("megalodon", () => {
    const registersGetsToken =
      "registers, gets a token (authorization code with client secret), reads the home timeline and posts";
    it(registersGetsToken, async () => {
      const client = generator("mastodon", a.url);
      const registered = await client.registerApp("megalodon test", {
        redirect_uris: REDIRECT,
        scopes: ["read", "write", "follow"],
      });
      const consent = await signInOnConsentPage(a.url, {
        response_type: "code",
        client_id: registered.client_id,
        redirect_uri: REDIRECT,
        scope: "read write follow",
      });
      const code = new URL(consent.location!).searchParams.get("code")!;
      const token = await client.fetchAccessToken(registered.client_id, registered.client_secret, code, REDIRECT);
      const api = generator("mastodon", a.url, token.access_token);
      const me = await api.verifyAccountCredentials();
      expect(me.data.acct).toBe("pod");
      const home = await api.getHomeTimeline({ limit: 40 });
      expect(home.data.some((s) => s.content.includes("Apples"))).toBe(true);
      const posted = await api.postStatus("Posted from megalodon", { visibility: "unlisted" });
      expect((posted.data as { visibility: string }).visibility).toBe("unlisted");
      const notifications = await api.getNotifications();
      expect(notifications.data.some((n) => n.type === "follow")).toBe(true);
    });
  });
});
