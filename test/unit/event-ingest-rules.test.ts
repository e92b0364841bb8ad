/**
 * The rules Mastodon, Mobilizon and Gancio apply when they ingest an `Event`, one `it` per rule, checked on the
 * JSON an assembly's Event is served as at its IRI (what those servers fetch, or receive in a Create), read as
 * they read it: plain JSON, comparing strings. docs/assemblies.md lists each rule with its source.
 */
import { describe, expect, it } from "vitest";
import type { Assembly } from "../../src/assemblies/model.ts";
import { noOutcomes, withFullPublicIri } from "../../src/assemblies/outcomes-as.ts";
import { assemblyToEvent } from "../../src/assemblies/to-as.ts";

type Json = Record<string, any>;
const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
const PUBLIC_FORMS = [PUBLIC, "as:Public", "Public"];
const B = "https://b.example/users/pod";
const C = "https://c.example/users/pod";

const row = (overrides: Partial<Assembly> = {}): Assembly => ({
  id: "0190f3a2-7c1e-7000-8000-0000000000bb",
  iri: "https://pod.example/assemblies/0190f3a2-7c1e-7000-8000-0000000000bb",
  inviteIri: "https://pod.example/assemblies/0190f3a2-7c1e-7000-8000-0000000000bb#invite",
  role: "convener",
  convenerIri: "https://pod.example/users/pod",
  convenerInbox: null,
  title: "Winter assembly",
  startTime: "2026-12-15T17:00:00.000Z",
  endTime: "2026-12-15T19:00:00.000Z",
  timeZone: "Europe/Madrid",
  placeName: "Community hall",
  onlineUrl: "https://meet.example/winter",
  agendaHtml: "<h2>Agenda</h2><ul><li>reports</li></ul>",
  answer: null,
  createdAt: "2026-11-29T20:00:00.000Z",
  visibility: "public",
  ...noOutcomes,
  ...overrides,
});
/** The document served at the Event's IRI (the route's own transformation included). */
const served = async (overrides: Partial<Assembly> = {}) =>
  withFullPublicIri(await assemblyToEvent(row(overrides), [B, C]).toJsonLd()) as Json;
const VARIANTS: Partial<Assembly>[] = [
  {},
  { visibility: "participants" },
  { placeName: "", onlineUrl: "https://meet.example/only-online" },
  { onlineUrl: null, agendaHtml: "", endTime: null },
];
const host = (iri: string) => new URL(iri).host;

describe("Event ingest rules (Mastodon, Mobilizon, Gancio)", () => {
  it("(a) type is the plain string Event and the document names the ActivityStreams context", async () => {
    for (const variant of VARIANTS) {
      const event = await served(variant);
      expect(event.type).toBe("Event");
      expect([event["@context"]].flat()).toContain("https://www.w3.org/ns/activitystreams");
    }
  });

  it("(b) name is a non-empty string (Gancio requires it; Mastodon shows it; Mobilizon's title)", async () => {
    for (const variant of VARIANTS) {
      const event = await served(variant);
      expect(typeof event.name).toBe("string");
      expect(event.name.trim()).not.toBe("");
    }
  });

  it("(c) startTime (and endTime, when given) are ISO 8601 instants with a zone; the end follows the start", async () => {
    for (const variant of VARIANTS) {
      const event = await served(variant);
      expect(event.startTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/);
      if (event.endTime !== undefined) expect(Date.parse(event.endTime)).toBeGreaterThan(Date.parse(event.startTime));
    }
    expect((await served({ endTime: null })).endTime).toBeUndefined();
  });

  it("(d) id and url are on the convener's host and attributedTo is the convener", async () => {
    const event = await served();
    expect(event.attributedTo).toBe(row().convenerIri);
    expect(host(event.id)).toBe(host(event.attributedTo));
    expect(typeof event.url).toBe("string");
    expect(host(event.url)).toBe(host(event.attributedTo));
  });

  it("(e) no summary: Mastodon turns it into a content warning", async () => {
    for (const variant of VARIANTS) expect((await served(variant)).summary).toBeUndefined();
  });

  it("(f) content is always a non-empty HTML string (Gancio linkifies it unconditionally)", async () => {
    for (const variant of VARIANTS) {
      const event = await served(variant);
      expect(typeof event.content).toBe("string");
      expect(event.content.trim()).not.toBe("");
    }
    expect((await served({ agendaHtml: "" })).content).toBe("<p>Winter assembly</p>");
    expect((await served({ agendaHtml: "", title: "<b>x</b>" })).content).toBe("<p>&lt;b&gt;x&lt;/b&gt;</p>");
  });

  it("(g) location is one Place with a non-empty name (Gancio files the event under it); url the online link", async () => {
    for (const variant of VARIANTS) {
      const event = await served(variant);
      expect(Array.isArray(event.location)).toBe(false);
      expect(event.location.type).toBe("Place");
      expect(typeof event.location.name).toBe("string");
      expect(event.location.name).not.toBe("");
    }
    const online = await served({ placeName: "", onlineUrl: "https://meet.example/only-online" });
    expect(online.location).toMatchObject({ name: "https://meet.example/only-online" });
    expect(online.location.url).toBe("https://meet.example/only-online");
  });

  it("(h) no attachment (Gancio downloads attachment[0].url as a picture) and no tag (Gancio maps an array)", async () => {
    for (const variant of VARIANTS) {
      const event = await served(variant);
      expect(event.attachment).toBeUndefined();
      expect(event.tag).toBeUndefined();
    }
  });

  it("(i) public: `to` is an array holding the full Public IRI (Mobilizon compares it there)", async () => {
    const event = await served();
    expect(Array.isArray(event.to)).toBe(true);
    expect(event.to).toContain(PUBLIC);
    expect(event.to).toEqual(expect.arrayContaining([B, C]));
    expect(JSON.stringify(event)).not.toContain('"as:Public"');
  });

  it("(i) participants-only: no form of Public anywhere; `to` lists the invited pods", async () => {
    const event = await served({ visibility: "participants" });
    for (const key of ["to", "cc", "bto", "bcc", "audience"]) {
      for (const value of [event[key]].flat()) expect(PUBLIC_FORMS).not.toContain(value);
    }
    expect([event.to].flat().sort()).toEqual([B, C]);
  });
});
