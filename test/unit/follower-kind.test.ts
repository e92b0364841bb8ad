import { Group, Person } from "@fedify/vocab";
import { STREAMS } from "../../src/publishing/kinds.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { podActor } from "../../src/federation/actor.ts";
import { followerKind, POD_SOFTWARE } from "../../src/follows/classify.ts";
import { converterContext, type ConverterContext } from "../support/converter-context.ts";

const NOW = new Date("2025-09-02T00:00:00.000Z");
let env: ConverterContext;
beforeAll(async () => {
  env = await converterContext();
});

/** The actor document as another server reads it: its JSON, parsed back. */
const asRead = async (json: unknown) => (await Group.fromJsonLd(json)) as Group;

describe("how a pod recognises another pod when it follows", () => {
  it("our own actor document carries the pods `generator` marker and reads back as a pod", async () => {
    const json = (await (
      await podActor(env.ctx, env.config, { publishedAt: NOW, streams: STREAMS })
    ).toJsonLd()) as Record<string, unknown>;
    expect(json.generator).toBe(POD_SOFTWARE.href);
    expect(followerKind(await asRead(json))).toBe("pod");
  });

  it("a pod of an earlier version (no generator) is known by its per-kind streams", async () => {
    const streams = ["charter", "offers", "needs", "practices"].map(
      (name) => new URL(`https://old.example/users/pod/${name}`),
    );
    expect(followerKind(new Group({ id: new URL("https://old.example/users/pod"), streams }))).toBe("pod");
  });

  it("people's accounts and other groups are people's servers", () => {
    expect(followerKind(new Person({ id: new URL("https://masto.example/users/alice") }))).toBe("social");
    expect(followerKind(new Group({ id: new URL("https://lemmy.example/c/food") }))).toBe("social");
    // A Person claiming the marker is still a person: pods are Groups.
    expect(followerKind(new Person({ id: new URL("https://x.example/u"), generators: [POD_SOFTWARE] }))).toBe("social");
    const someStreams = [new URL("https://other.example/users/g/offers")];
    expect(followerKind(new Group({ id: new URL("https://other.example/users/g"), streams: someStreams }))).toBe(
      "social",
    );
  });
});
