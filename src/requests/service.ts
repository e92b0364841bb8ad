import { uuidv7 } from "uuidv7";
import { z } from "zod";
import type { PodDeps } from "../federation/deps.ts";
import { conflict, notFound } from "../http/problem.ts";
import { claimInputSchema } from "../offers/model.ts";
import { formatMilli, quantitySchema } from "../offers/quantity.ts";
import type { RoomDb } from "../db/room-db.ts";
import type { OffersService } from "../offers/service.ts";
import type { REQUEST_SUBJECTS } from "./schema.ts";
import { requestsStore, type NeighborRequest, type RequestStatus } from "./store.ts";

export type { NeighborRequest, RequestStatus };

/** The limits of the public form: short enough to read, long enough to say what is needed. */
export const REQUEST_LIMITS = { name: 120, contact: 200, message: 2000 } as const;

const field = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

/** What a neighbor sends: who they are, how to reach them, what they say (the subject comes from the URL). */
export const requestInputSchema = z
  .object({
    name: field(REQUEST_LIMITS.name).min(1, "must not be empty"),
    contact: field(REQUEST_LIMITS.contact).min(1, "must not be empty"),
    message: field(REQUEST_LIMITS.message),
    quantity: quantitySchema.optional(),
  })
  .strict();
export type RequestInput = z.input<typeof requestInputSchema>;

export interface RequestSubject {
  subject: (typeof REQUEST_SUBJECTS)[number];
  subjectId: string;
  subjectName: string;
}

/** How many requests one address may send, and over how long (kept in memory: addresses are never stored). */
export const RATE = { requests: 5, windowMs: 10 * 60_000, addresses: 10_000 } as const;
/** How many requests the pod takes from everyone together in an hour: rotating addresses cannot flood it. */
export const GLOBAL_RATE = { requests: 100, windowMs: 60 * 60_000, addresses: 1 } as const;

/**
 * The sender a limit counts: an IPv4 address, or an IPv6 address's /64 (one household's or one server's
 * network, which hands out the rest of its addresses freely).
 */
export function senderKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(":")) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** A sliding window of send times per client address. */
export function addressLimiter(
  now: () => Date,
  rate: { requests: number; windowMs: number; addresses: number } = RATE,
) {
  const seen = new Map<string, number[]>();
  return (address: string): boolean => {
    const at = now().getTime();
    const recent = (seen.get(address) ?? []).filter((t) => at - t < rate.windowMs);
    if (recent.length >= rate.requests) {
      seen.set(address, recent);
      return false;
    }
    recent.push(at);
    seen.delete(address);
    seen.set(address, recent);
    // Bounded memory: the addresses seen longest ago go first.
    while (seen.size > rate.addresses) seen.delete(seen.keys().next().value!);
    return true;
  };
}

/** What recording a claim asks of the offers room. */
export type ClaimableOffers = Pick<OffersService, "get" | "claim">;

/** Requests from neighbors without an account: kept for the coordinators, answered, claimed from. */
export function requestsService(deps: Pick<PodDeps, "log" | "now">, offers: ClaimableOffers, rooms: RoomDb) {
  const { log } = deps;
  const store = requestsStore(rooms);
  const iso = () => deps.now().toISOString();
  const found = async (id: string) => {
    const row = await store.get(id);
    if (!row) throw notFound(`no request ${id}`);
    return row;
  };

  return {
    allow: (() => {
      const perSender = addressLimiter(deps.now);
      const everyone = addressLimiter(deps.now, GLOBAL_RATE);
      return (address: string) => perSender(senderKey(address)) && everyone("all");
    })(),

    /** Stores a request already checked against requestInputSchema; only its id is logged. */
    async create(subject: RequestSubject, input: z.output<typeof requestInputSchema>): Promise<NeighborRequest> {
      const at = iso();
      const row = await store.insert({
        id: uuidv7(),
        ...subject,
        name: input.name,
        contact: input.contact,
        message: input.message,
        quantityMilli: input.quantity ?? null,
        createdAt: at,
        updatedAt: at,
      });
      log.info({ request: row.id }, "request from a neighbor received");
      return row;
    },

    list: (query: { status?: RequestStatus; before?: string; limit: number }) => store.list(query),
    get: found,
    count: (status: RequestStatus = "new") => store.count(status),

    async mark(id: string, status: RequestStatus): Promise<NeighborRequest> {
      const row = await store.update(id, { status, updatedAt: iso() });
      if (!row) throw notFound(`no request ${id}`);
      return row;
    },

    /**
     * Records a claim on the offer or need the request is about, through the offers service as the app's claim form
     * does: the quantity asked (or one unit), never more than is left. The request is then answered.
     */
    async recordClaim(id: string): Promise<NeighborRequest> {
      const request = await found(id);
      if (request.subject === "service") throw conflict("a charter service has nothing to claim");
      if (request.claimedAt) throw conflict("a claim was already recorded from this request");
      const offer = await offers.get(request.subject, request.subjectId);
      if (offer.status !== "open" && offer.status !== "partly_claimed") throw conflict(`this ${offer.kind} is closed`);
      const wanted = request.quantityMilli ?? 1000;
      const input = claimInputSchema.parse({
        neighbor: request.name.slice(0, 120),
        quantity: formatMilli(Math.min(wanted, offer.availableMilli)),
        note: request.message.slice(0, 1000) || undefined,
      });
      // Marked before the claim (which waits for its events): a second click meanwhile finds it taken.
      const at = iso();
      if (!(await store.markClaimed(id, at))) throw conflict("a claim was already recorded from this request");
      try {
        await offers.claim(offer.kind, offer.id, input);
      } catch (error) {
        await store.update(id, { claimedAt: null, updatedAt: iso() });
        throw error;
      }
      return (await store.update(id, { status: "answered", updatedAt: at }))!;
    },
  };
}

export type RequestsService = ReturnType<typeof requestsService>;
