import type { PodDeps } from "./deps.ts";

/** What the check asks the rooms (injected by the wiring; each runs for every delivery, so keep them prepared). */
export interface ConcernLookups {
  /** The pod follows this actor and was accepted (follows: from memory; a promise only when it must read). */
  followsAccepted(actorIri: string): boolean | Promise<boolean>;
  /** The neighbor that published this object into the confederal view, if any (confederation: one read). */
  viewObjectOrigin(iri: string): Promise<string | undefined>;
  /** The pod keeps this post (social: a read, only for deliveries nothing else made the pod's). */
  knowsStatus(iri: string): Promise<boolean>;
  /** The pod knows this account (social: a read, likewise). */
  knowsAccount(iri: string): Promise<boolean>;
}

/**
 * Why a delivery concerns the pod, with what was read on the way: whether the pod follows the sender (accepted),
 * when that was asked (not for the activities always handled). The inbox handlers take it instead of reading the
 * follow again; it was read after the signature was verified, before the handler's own checks.
 */
export interface Concern {
  readonly senderFollowed?: boolean;
}

/** Activities about relationships and removals: always handled (they name ids; fetches stay within the budget). */
const ALWAYS = new Set(["Follow", "Undo", "Accept", "Reject", "Delete"]);
/** How many strings of a body are searched for the pod's own IRIs. */
const STRINGS_SEARCHED = 20_000;

/**
 * Whether a verified activity concerns this pod, judged from its compact JSON before anything it names is
 * fetched: its sender is followed; it names the pod or one of its objects (a reply, mention, like, boost,
 * addressing); it is a Follow/Undo/Accept/Reject/Delete; it updates something the pod keeps, or the profile
 * of an account it knows. Anything else is recorded as received and not read further.
 */
export function inboxConcern(deps: Pick<PodDeps, "config">, rooms: ConcernLookups) {
  const { config } = deps;
  const ALWAYS_CONCERNS: Concern = {};
  const FOLLOWED: Concern = { senderFollowed: true };
  const NOT_FOLLOWED: Concern = { senderFollowed: false };
  const rest = (
    activity: Record<string, unknown>,
    actorIri: string,
    followed: boolean,
  ): Concern | null | Promise<Concern | null> => {
    if (followed) return FOLLOWED;
    if (namesOrigin(activity, config.url.origin)) return NOT_FOLLOWED;
    const objectIri = iriOf(activity.object);
    if (!objectIri) return null;
    return aboutObject(activity, actorIri, objectIri);
  };
  /** A sender the pod does not follow: whether it updates something the pod keeps. */
  const aboutObject = async (activity: Record<string, unknown>, actorIri: string, objectIri: string) => {
    if ((await rooms.viewObjectOrigin(objectIri)) === actorIri) return NOT_FOLLOWED;
    if (await rooms.knowsStatus(objectIri)) return NOT_FOLLOWED;
    return activity.type === "Update" && objectIri === actorIri && (await rooms.knowsAccount(actorIri))
      ? NOT_FOLLOWED
      : null;
  };
  return function concernsPod(
    activity: Record<string, unknown>,
    actorIri: string,
  ): Concern | null | Promise<Concern | null> {
    if (typeof activity.type === "string" && ALWAYS.has(activity.type)) return ALWAYS_CONCERNS;
    const followed = rooms.followsAccepted(actorIri);
    // Nearly always answered from memory; a promise only while the follows copy reloads or a follow is pending,
    // or when a sender the pod does not follow names an object (then the view is read).
    return typeof followed === "boolean"
      ? rest(activity, actorIri, followed)
      : followed.then((answer) => rest(activity, actorIri, answer));
  };
}

export function iriOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  const id = value && typeof value === "object" ? (value as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : null;
}

/** True when some string of the body is an IRI on the pod's origin (iterative and bounded). */
function namesOrigin(root: unknown, origin: string): boolean {
  const prefix = `${origin}/`;
  const stack: unknown[] = [root];
  let seen = 0;
  while (stack.length > 0 && seen < STRINGS_SEARCHED) {
    const value = stack.pop();
    if (typeof value === "string") {
      seen++;
      if (value === origin || value.startsWith(prefix)) return true;
    } else if (value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) if (key !== "@context") stack.push(child);
    }
  }
  return false;
}
