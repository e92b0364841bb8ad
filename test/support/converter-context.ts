/**
 * A Fedify Context and a Config for converter tests: the same URI templates the pod registers
 * (src/federation/federation.ts), without a database, a queue or a server.
 *
 * The named ordered collections the actor links from `streams` are listed in STREAM_NAMES; when a room
 * adds one (a "practices" stream, a charter...), add its name here or pass `streams` to the builder.
 */
import { createFederation, generateCryptoKeyPair, MemoryKvStore, type Context } from "@fedify/fedify";
import { Object as APObject } from "@fedify/vocab";
import type { Category } from "../../src/categories/service.ts";
import { SHARED_CATEGORIES, SHARED_CATEGORY_BASE } from "../../src/categories/taxonomy.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import type { Offer } from "../../src/offers/service.ts";

export const POD_URL = "https://pod.example";

/**
 * Ordered collections registered at /users/{identifier}/<name>. A superset of what podActor links is
 * harmless; a name podActor links but this list lacks makes ctx.getCollectionUri throw a RouterError.
 */
export const STREAM_NAMES: readonly string[] = ["charter", "practices", "offers", "needs", "memory", "reports"];

export interface ConverterContext {
  ctx: Context<null>;
  config: Config;
  keyPairs: CryptoKeyPair[];
}

export interface ConverterContextOptions {
  /** Extra settings (environment variable names), e.g. { POD_APPROVE_FOLLOWERS: "true" }. */
  env?: Record<string, string>;
  /** Named collections to register; defaults to STREAM_NAMES. */
  streams?: readonly string[];
}

let cachedKeys: Promise<CryptoKeyPair[]> | undefined;

/** RSA (for the publicKey Mastodon reads) and Ed25519 (FEP-521a assertionMethod), generated once per file. */
export function testKeyPairs(): Promise<CryptoKeyPair[]> {
  cachedKeys ??= Promise.all([generateCryptoKeyPair("RSASSA-PKCS1-v1_5"), generateCryptoKeyPair("Ed25519")]);
  return cachedKeys;
}

export async function converterContext(options: ConverterContextOptions = {}): Promise<ConverterContext> {
  const config = loadConfig({ POD_URL, POD_HANDLE: "pod", POD_NAME: "Test pod", ...options.env });
  const keyPairs = await testKeyPairs();
  const federation = createFederation<null>({ kv: new MemoryKvStore() });

  federation
    .setActorDispatcher("/users/{identifier}", () => null)
    .setKeyPairsDispatcher((_ctx, identifier) => (identifier === config.handle ? keyPairs : []));
  federation.setFollowersDispatcher("/users/{identifier}/followers", () => ({ items: [] }));
  federation.setFollowingDispatcher("/users/{identifier}/following", () => ({ items: [] }));
  federation.setFeaturedDispatcher("/users/{identifier}/featured", () => ({ items: [] }));
  federation.setOutboxDispatcher("/users/{identifier}/outbox", () => ({ items: [] }));
  federation.setInboxListeners("/users/{identifier}/inbox", "/inbox");
  for (const name of options.streams ?? STREAM_NAMES) {
    federation.setOrderedCollectionDispatcher(name, APObject, `/users/{identifier}/${name}`, () => ({ items: [] }));
  }

  const ctx = federation.createContext(new URL(POD_URL), null);
  return { ctx, config, keyPairs };
}

/** A shared-taxonomy category by slug, as src/categories/service.ts builds it. */
export function sharedCategory(slug: (typeof SHARED_CATEGORIES)[number]["slug"]): Category {
  const found = SHARED_CATEGORIES.find((c) => c.slug === slug)!;
  return { slug: found.slug, label: found.label, iri: `${SHARED_CATEGORY_BASE}${found.slug}`, shared: true };
}

/** An offer row with coordinates and both dates; override any field. */
export function offerRow(overrides: Partial<Offer> = {}): Offer {
  return {
    id: "0190f3a2-7c1e-7000-8000-000000000001",
    kind: "offer",
    name: "Apples from the orchard",
    description: "Crisp apples.\n\nBring a bag.",
    category: "food",
    unit: "kg",
    quantityMilli: 20_000,
    availableMilli: 12_500,
    availableFrom: "2025-09-01T08:00:00.000Z",
    availableUntil: "2025-09-10T18:00:00.000Z",
    areaName: "North End",
    latitude: 52.37,
    longitude: 4.89,
    conditions: "Pick up only",
    language: "en",
    status: "partly_claimed",
    createdAt: "2025-08-30T10:00:00.000Z",
    updatedAt: "2025-08-31T12:00:00.000Z",
    ...overrides,
  };
}
