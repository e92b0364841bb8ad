import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  parseRequestSignature,
  verifyDigestHeader,
  verifyDraftSignature,
} from "@misskey-dev/node-http-message-signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionItems, followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import {
  MASTODON_SIGNED_HEADERS,
  postRaw,
  signMastodonStyle,
  startRemoteActor,
  type RemoteActor,
} from "../support/remote-actor.ts";
import { setUpPod, type WebClient } from "../support/web-client.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "bin/pod.mjs");
const AS = "https://www.w3.org/ns/activitystreams";
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n% a guide to saving seeds\n"), Buffer.alloc(300_000, 42)]);

/** Runs the pod's CLI as its own process (bounded in time); returns its exit status and output. */
function cli(env: Record<string, string>, ...args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** What a visitor, a follower and a member see of a pod: compared before and after it moves. */
interface Seen {
  actor: unknown;
  followers: string[];
  outbox: string[];
  featured: string[];
  view: unknown;
  offerPage: string;
  offerObject: unknown;
  charter: unknown;
  guide: Buffer;
  memberPage: number;
}

/**
 * Moving a pod to another data directory with `npm run pod -- export` and `import`, as real processes: the
 * pod answers as before (actor, keys, followers, outbox, view, pages, uploaded file, members' sessions) and
 * goes on delivering to its followers, signed with its original key.
 */
describe("moving a pod: export, import, and the same pod answers", { timeout: 180_000 }, () => {
  let a: PodProcess;
  let b: PodProcess | undefined;
  let neighbor: PodProcess;
  let carol: RemoteActor;
  let member: WebClient;
  let offerId: string;
  let guideId: string;
  let before: Seen;
  const work = mkdtempSync(join(tmpdir(), "pod-moving-e2e-"));
  const archive = join(work, "riverside.pod.gz");
  const newDataDir = join(work, "moved", "data");

  async function seen(pod: PodProcess): Promise<Seen> {
    const cookie = [...member.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const guide = await fetch(`${pod.url}/app/memory/uploads/${guideId}/file`, { headers: { cookie } });
    const memberPage = await fetch(`${pod.url}/app/memory/uploads`, { headers: { cookie }, redirect: "manual" });
    return {
      actor: await pod.getActivityPub(pod.actorUrl),
      followers: await collectionItems(pod, `${pod.actorUrl}/followers`),
      outbox: await collectionItems(pod, `${pod.actorUrl}/outbox`),
      featured: await collectionItems(pod, `${pod.actorUrl}/featured`),
      view: await (await fetch(`${pod.url}/view/surplus?limit=200`)).json(),
      offerPage: await (await fetch(`${pod.url}/offers/${offerId}`)).text(),
      offerObject: await pod.getActivityPub(`${pod.url}/offers/${offerId}`),
      charter: [(await pod.admin("GET", "/charter/revisions")).body, await (await fetch(`${pod.url}/charter`)).text()],
      guide: Buffer.from(await (guide.ok ? guide.arrayBuffer() : new ArrayBuffer(0))),
      memberPage: memberPage.status,
    };
  }

  beforeAll(async () => {
    [a, neighbor, carol] = await Promise.all([
      startPod("moving-a", { POD_NAME: "Riverside" }),
      startPod("moving-neighbor", { POD_NAME: "Hillside" }),
      startRemoteActor("carol"),
    ]);
    const charter = JSON.parse(readFileSync(join(ROOT, "config/charter.example.json"), "utf8"));
    expect((await a.admin("PUT", "/charter", charter)).status).toBe(201);
    offerId = (
      await a.admin("POST", "/offers", {
        name: "Pears",
        category: "food",
        quantity: 10,
        unit: "kg",
        area: { name: "Riverside" },
      })
    ).body.id;
    // A follower on a server of its own, and a neighbor pod followed (so the view has its offers).
    const follow = {
      "@context": AS,
      id: `${carol.actorId}#follow-1`,
      type: "Follow",
      actor: carol.actorId,
      object: a.actorUrl,
    };
    expect((await postRaw(await signMastodonStyle(carol, `${a.actorUrl}/inbox`, follow))).status).toBe(202);
    await followAndWait(a, neighbor);
    await neighbor.admin("POST", "/offers", {
      name: "Lentils",
      category: "food",
      quantity: 5,
      unit: "kg",
      area: { name: "Hillside" },
    });
    await waitUntil(
      async () => JSON.stringify(await (await fetch(`${a.url}/view/surplus`)).json()).includes("Lentils"),
      30_000,
    );
    await waitUntil(async () => (await collectionItems(a, `${a.actorUrl}/followers`)).includes(carol.actorId));
    // A member uploads a guide (a file in DATA_DIR/guides) through the web app.
    member = await setUpPod(a.url, a.logs());
    await member.get("/app/memory/uploads");
    const form = new FormData();
    for (const [name, value] of Object.entries({
      _csrf: member.lastToken,
      title: "Saving seeds",
      summary: "How we dry and keep seeds.",
      visibility: "internal",
    }))
      form.set(name, value);
    form.set("file", new Blob([PDF], { type: "application/pdf" }), "saving-seeds.pdf");
    const cookie = [...member.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const uploaded = await fetch(`${a.url}/app/memory/uploads`, {
      method: "POST",
      body: form,
      headers: { cookie },
      redirect: "manual",
    });
    expect(uploaded.status).toBe(303);
    guideId = /\/app\/memory\/uploads\/([0-9a-f-]{36})\/file/.exec((await member.get("/app/memory/uploads")).html)![1]!;
    before = await seen(a);
  }, 150_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), neighbor?.stop(), carol?.close()]);
    rmSync(work, { recursive: true, force: true });
  });

  it("export runs beside the serving pod and writes a private archive; import refuses a pod that is there", async () => {
    const exported = await cli(a.env, "export", archive);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ url: a.url, files: 2 });
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    // The pod's own data directory has a pod, and another address is refused: nothing is written.
    const [there, elsewhere, noFile, unwritable, help] = await Promise.all([
      cli(a.env, "import", archive),
      cli({ ...a.env, DATA_DIR: newDataDir, POD_URL: "http://127.0.0.1:9" }, "import", archive),
      cli(a.env, "export"),
      cli(a.env, "export", join(work, "no-such-folder", "x.pod.gz")),
      cli(a.env, "help"),
    ]);
    expect(noFile.code).toBe(2);
    // Refused input exits 2; a failure of the disk (here: no folder to write in) exits 1.
    expect(unwritable.code).toBe(1);
    // Said in one line, not a stack trace.
    expect(unwritable.stderr.trim().split("\n")).toEqual([expect.stringMatching(/no such file or directory/)]);
    expect(help.stdout).toMatch(/export <file>[\s\S]*mode 0600[\s\S]*import <file> \[--move-url\]/);
    expect(there.code).toBe(2);
    expect(there.stderr).toMatch(/already has a pod/);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/--move-url/);
    expect(existsSync(join(work, "moved"))).toBe(false);
  });

  it("imported into a new data directory and started at the same address, the pod answers as before", async () => {
    await a.stop();
    const imported = await cli({ ...a.env, DATA_DIR: newDataDir }, "import", archive);
    expect(imported.code, imported.stderr).toBe(0);
    b = await startPod(
      "moving-b",
      { ...a.env, DATA_DIR: newDataDir },
      { port: Number(new URL(a.url).port), dataDir: newDataDir },
    );
    const after = await seen(b);
    expect(after).toEqual(before);
    expect(after.guide.equals(PDF)).toBe(true);
    expect(after.memberPage).toBe(200);
    expect(after.followers).toContain(carol.actorId);
    expect(JSON.stringify(after.view)).toContain("Lentils");
  });

  it("the moved pod delivers a new offer to its follower, signed with the key it had before", async () => {
    const pem = (before.actor as { publicKey: { publicKeyPem: string } }).publicKey.publicKeyPem;
    const delivered = carol.inbox.length;
    const made = await b!.admin("POST", "/offers", {
      name: "Quinces",
      category: "food",
      quantity: 3,
      unit: "kg",
      area: { name: "Riverside" },
    });
    expect(made.status).toBe(201);
    await waitUntil(
      () => carol.inbox.slice(delivered).some((r) => r.body.toString("utf8").includes("Quinces")),
      30_000,
    );
    const request = carol.inbox.slice(delivered).find((r) => r.body.toString("utf8").includes("Quinces"))!;
    const signed = { method: request.method, url: request.url, headers: request.headers };
    const parsed = parseRequestSignature(signed, { requiredComponents: { draft: MASTODON_SIGNED_HEADERS } });
    if (parsed.version !== "draft") throw new Error(`a ${parsed.version} signature`);
    expect(parsed.value.keyId).toBe((before.actor as { publicKey: { id: string } }).publicKey.id);
    expect(await verifyDraftSignature(parsed.value as never, pem)).toBe(true);
    expect(await verifyDigestHeader(signed, new Uint8Array(request.body))).toBe(true);
    expect(JSON.parse(request.body.toString("utf8")).type).toBe("Create");
  });
});
