import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { squarePng } from "../../src/web/avatar.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import { setUpPod, WebClient } from "../support/web-client.ts";

const MAX = 2 * 1024 * 1024;

/** The pod's pictures are uploaded by coordinators, but the bytes and names are still hostile input. */
describe("settings: picture uploads refuse what is not a small picture", () => {
  let pod: InProcessPod;
  let client: WebClient;
  const mediaDir = () => join(pod.pod.deps.config.dataDir, "media");
  const mediaFiles = () => (existsSync(mediaDir()) ? readdirSync(mediaDir()) : []);
  const actor = async () =>
    (await (await fetch(pod.actorUrl, { headers: { accept: "application/activity+json" } })).json()) as {
      icon: { url: string; mediaType: string };
    };

  async function upload(kind: string, bytes: Buffer, filename: string, type: string, csrf: string | null = "") {
    await client.get("/app/settings");
    const form = new FormData();
    if (csrf !== null) form.set("_csrf", csrf || client.lastToken);
    form.set("image", new Blob([new Uint8Array(bytes)], { type }), filename);
    const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(`${pod.url}/app/settings/${kind}`, {
      method: "POST",
      headers: { cookie },
      body: form,
      redirect: "manual",
    });
    return { status: response.status, html: await response.text(), location: response.headers.get("location") };
  }

  beforeAll(async () => {
    pod = await startInProcessPod();
    const secret = await pod.pod.members.freshSetupSecret();
    client = await setUpPod(pod.url, `/app/setup/${secret}`);
  });
  afterAll(async () => {
    await pod?.close();
  });

  it("refuses a file whose bytes are not an image, whatever its name and content type say", async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const made = await upload("avatar", svg, "avatar.png", "image/png");
    expect(made.status).toBe(400);
    expect(made.html).toContain("is not a PNG, JPEG, GIF or WebP picture");
    expect(mediaFiles()).toEqual([]);
    expect((await actor()).icon.url).toBe(`${pod.url}/avatar.png`);
  });

  it("refuses a picture over 2 MB without keeping any of it", async () => {
    const big = Buffer.concat([squarePng(8, [1, 2, 3]), Buffer.alloc(MAX)]);
    const made = await upload("header", big, "big.png", "image/png");
    expect(made.status).toBe(400);
    expect(made.html).toContain("This file is too large.");
    expect(mediaFiles()).toEqual([]);
  });

  it("never uses the sent file name: path tricks land under a name the pod made", async () => {
    const png = squarePng(16, [0x12, 0x34, 0x56]);
    const database = readFileSync(pod.pod.deps.config.databasePath).subarray(0, 16).toString("latin1");
    const made = await upload("avatar", png, "../../pod.sqlite", "text/plain");
    expect(made.status).toBe(303);
    expect(made.location).toBe("/app/settings?saved=image");
    const files = mediaFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^avatar-[0-9a-f]{16}\.png$/);
    expect(readFileSync(pod.pod.deps.config.databasePath).subarray(0, 16).toString("latin1")).toBe(database);

    const icon = (await actor()).icon;
    expect(icon).toMatchObject({ url: `${pod.url}/media/${files[0]}`, mediaType: "image/png" });
    const served = await fetch(icon.url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
  });

  it("serves only names the pod made from its media folder", async () => {
    for (const path of ["/media/..%2Fpod.sqlite", "/media/pod.sqlite", "/media/avatar-0123456789abcdef.svg"]) {
      expect((await fetch(pod.url + path)).status, path).toBe(404);
    }
  });

  it("refuses an upload without the form token, and a picture kind that does not exist", async () => {
    const png = squarePng(16, [9, 9, 9]);
    expect((await upload("avatar", png, "a.png", "image/png", null)).status).toBe(403);
    expect((await upload("..%2Fweb-form-key", png, "a.png", "image/png")).status).toBe(404);
    expect((await upload("favicon", png, "a.png", "image/png")).status).toBe(404);
    expect(mediaFiles()).toHaveLength(1);
    // The language link on the page that answered a failed upload leads back to the settings page.
    expect((await client.get("/app/settings/avatar?lang=es")).location).toBe("/app/settings?lang=es");
  });

  it("refuses members without the coordinator role, and people signed out, on every settings page", async () => {
    const coordinator = (await pod.pod.members.list()).find((m) => m.role === "coordinator")!;
    const { secret } = await pod.pod.members.invite(coordinator, "member");
    const member = new WebClient(pod.url);
    await member.get(`/app/join/${secret}`);
    const joined = await member.post(`/app/join/${secret}`, {
      displayName: "Beto",
      username: "beto",
      password: "another long password",
    });
    expect(joined.status).toBe(303);
    for (const path of ["/app/settings", "/app/charter", "/app/categories"]) {
      expect((await member.get(path)).status, path).toBe(403);
      expect((await new WebClient(pod.url).get(path)).location, path).toBe(
        `/app/sign-in?next=${encodeURIComponent(path)}`,
      );
    }
    await member.get("/app/profile");
    const posted = await member.post("/app/settings", { name: "Taken over" });
    expect(posted.status).toBe(403);
    expect((await actor()).icon.url).toMatch(/\/media\/avatar-/);
    expect(pod.pod.deps.config.name).not.toBe("Taken over");
  });
});
