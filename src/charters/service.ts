import type { Context } from "@fedify/fedify";
import { requireCategory } from "../categories/service.ts";
import { withEventIds, type EventDispatcher } from "../events/dispatcher.ts";
import type { RoomQueries } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { invalidatePrebuiltDocuments } from "../federation/prebuilt-documents.ts";
import { notFound } from "../http/problem.ts";
import type { GuideLink } from "../publishing/guides.ts";
import { sendToFollowers } from "../publishing/deliver.ts";
import { tombstonesStore } from "../publishing/tombstones.ts";
import { charterIri, serviceIri } from "../publishing/iris.ts";
import { charterActivities } from "./to-as.ts";
import type { Charter, CharterInput, CharterService, PlannedService, RotatedRole } from "./model.ts";
import { roomsOf } from "../db/room-db.ts";
import { charterCopyOf } from "./copy.ts";
import { chartersStore, type CharterRow } from "./store.ts";

export type { Charter } from "./model.ts";

/** The same day next month (clamped to the month's end), in UTC. */
export function monthAfter(iso: string): string {
  const d = new Date(iso);
  const target = new Date(
    Date.UTC(
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      1,
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.toISOString();
}

const CHARTER_CHANGED = "charter.changed";

/** The People's Service Charter: versioned revisions, monthly reviews, delivered to followers. */
export function chartersService(
  deps: PodDeps,
  contextFor: () => Context<null>,
  events: EventDispatcher,
  profileChanged: () => Promise<unknown>,
  /** The roles the pod rotates, when its coordinators let the charter say so (the rotation room decides). */
  rotatedRoles: () => RotatedRole[] = () => [],
) {
  const { config } = deps;
  const rooms = roomsOf(deps);
  const store = chartersStore(rooms);
  const tombs = tombstonesStore(rooms);
  const copy = charterCopyOf(deps);

  /** The guides that go with a service (the memory room answers, once the pod wires it: useGuides). */
  let guidesOf: (key: string) => GuideLink[] = () => [];

  const toCharter = (row: CharterRow): Charter => {
    const services = JSON.parse(row.services) as CharterService[];
    const planned = JSON.parse(row.planned) as PlannedService[];
    const guides = [...services, ...planned].flatMap((s) => {
      const links = guidesOf(s.key);
      return links.length ? [[s.key, links] as const] : [];
    });
    return {
      number: row.number,
      changeNote: row.changeNote,
      services,
      planned,
      publishedAt: row.publishedAt,
      reviewedAt: row.reviewedAt,
      reviewDue: monthAfter(row.reviewedAt),
      firstPublishedAt: copy.firstPublishedAt() ?? row.publishedAt,
      ...(guides.length ? { guides: Object.fromEntries(guides) } : {}),
    };
  };

  function current(): Charter | null {
    const row = copy.latest();
    return row ? toCharter(row) : null;
  }

  const checkCategory = (field: "services" | "planned", index: number, slug: string) =>
    requireCategory(rooms, config, slug, `body.${field}.${index}.category`);

  /** Records, in the change's write, that followers must be told (run by the event dispatcher). */
  const publishLater = (tx: RoomQueries, number: number, verb: "create" | "update") =>
    events.recordWithin(tx, CHARTER_CHANGED, { number, verb }, charterIri(config).href);

  /**
   * A change committed: this process's copy and its actor document show it at once (another process, a worker,
   * may take the event and run the handler below), then followers are told.
   */
  async function changed<T>(work: Promise<T>): Promise<T> {
    const result = await work;
    await copy.load();
    invalidatePrebuiltDocuments(contextFor().federation);
    await events.settle();
    return result;
  }

  events.on(CHARTER_CHANGED, async ({ number, verb }: { number: number; verb: "create" | "update" }, event) => {
    const row = await store.byNumber(number);
    if (!row) throw new Error(`charter revision ${number} is missing`);
    // The process running this may not be the one that published (a worker): the profile must show this revision.
    await copy.load();
    const charter = toCharter(row);
    const ctx = contextFor();
    // The actor's profile fields show the charter's services: its prebuilt document is out of date.
    invalidatePrebuiltDocuments(ctx.federation);
    const categoryOf = (slug: string) => requireCategory(rooms, config, slug, "category");
    const activities = withEventIds(
      charterActivities(ctx, config, charter, categoryOf, verb, deps.now(), rotatedRoles()),
      event.id,
    );
    await sendToFollowers(ctx, deps, activities, charterIri(config).href);
    await profileChanged();
  });

  const keysOf = (row: CharterRow) =>
    [...(JSON.parse(row.services) as CharterService[]), ...(JSON.parse(row.planned) as PlannedService[])].map(
      (s) => s.key,
    );

  return {
    current,
    rotatedRoles,

    useGuides(lookup: (key: string) => GuideLink[]): void {
      guidesOf = lookup;
    },

    async revision(number: number): Promise<Charter> {
      const row = await store.byNumber(number);
      if (!row) throw notFound(`no charter revision ${number}`);
      return toCharter(row);
    },

    history: () => store.history(),

    /**
     * Publishes a new revision: Create the first time, Update afterwards. Services dropped from it answer 410.
     * Publications take turns across processes: each numbers its revision after the one before it.
     */
    async publish(input: CharterInput): Promise<Charter> {
      for (const [i, s] of input.services.entries()) checkCategory("services", i, s.category);
      for (const [i, p] of input.planned.entries()) checkCategory("planned", i, p.category);
      const now = deps.now().toISOString();
      const kept = new Set([...input.services, ...input.planned].map((s) => s.key));
      const row = await changed(
        rooms.write(
          async (tx) => {
            const previous = await store.latestWithin(tx);
            await tombs.forgetWithin(
              tx,
              [...kept].map((key) => serviceIri(config, key).href),
            );
            const dropped = previous ? keysOf(previous).filter((key) => !kept.has(key)) : [];
            const gone = dropped.map((key) => ({ iri: serviceIri(config, key).href, formerType: "Proposal" }));
            await tombs.recordWithin(tx, gone, new Date(now));
            const inserted = await store.insertWithin(tx, {
              number: (previous?.number ?? 0) + 1,
              changeNote: input.changeNote,
              services: JSON.stringify(input.services),
              planned: JSON.stringify(input.planned),
              publishedAt: now,
              reviewedAt: now,
            });
            await publishLater(tx, inserted.number, previous ? "update" : "create");
            return inserted;
          },
          { oneAtATime: "charter" },
        ),
      );
      return toCharter(row);
    },

    /** Tells followers the current charter again (Update): what it shows from another room (rotated roles) changed. */
    async republish(): Promise<void> {
      const latest = await store.latest();
      if (!latest) return;
      await changed(rooms.write((tx) => publishLater(tx, latest.number, "update")));
    },

    /** Records a monthly review that changed nothing, and tells followers the new review date. */
    async review(): Promise<Charter> {
      const row = await changed(
        rooms.write(
          async (tx) => {
            const latest = await store.latestWithin(tx);
            if (!latest) throw notFound("this pod has not published a charter yet");
            const reviewed = (await store.reviewedWithin(tx, latest.number, deps.now().toISOString()))!;
            await publishLater(tx, reviewed.number, "update");
            return reviewed;
          },
          { oneAtATime: "charter" },
        ),
      );
      return toCharter(row);
    },
  };
}

export type ChartersService = ReturnType<typeof chartersService>;
