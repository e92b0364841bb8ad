import type { Context } from "@fedify/fedify";
import { asc, desc, eq, inArray } from "drizzle-orm";
import { requireCategory } from "../categories/service.ts";
import { withEventIds, type EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { invalidatePrebuiltDocuments } from "../federation/prebuilt-documents.ts";
import { notFound } from "../http/problem.ts";
import type { GuideLink } from "../publishing/guides.ts";
import { sendToFollowers } from "../publishing/deliver.ts";
import { tombstones } from "../publishing/schema.ts";
import { recordTombstones } from "../publishing/tombstones.ts";
import { charterIri, serviceIri } from "../publishing/iris.ts";
import { charterActivities } from "./to-as.ts";
import type { Charter, CharterInput, CharterService, PlannedService, RotatedRole } from "./model.ts";
import { charterRevisions } from "./schema.ts";

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

type Row = typeof charterRevisions.$inferSelect;

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
  const { db, config } = deps;

  const firstPublishedAt = () =>
    db
      .select({ at: charterRevisions.publishedAt })
      .from(charterRevisions)
      .orderBy(asc(charterRevisions.number))
      .limit(1)
      .get()?.at;

  /** The guides that go with a service (the memory room answers, once the pod wires it: useGuides). */
  let guidesOf: (key: string) => GuideLink[] = () => [];

  const toCharter = (row: Row): Charter => {
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
      firstPublishedAt: firstPublishedAt() ?? row.publishedAt,
      ...(guides.length ? { guides: Object.fromEntries(guides) } : {}),
    };
  };

  function current(): Charter | null {
    const row = db.select().from(charterRevisions).orderBy(desc(charterRevisions.number)).limit(1).get();
    return row ? toCharter(row) : null;
  }

  const checkCategory = (field: "services" | "planned", index: number, slug: string) =>
    requireCategory(db, config, slug, `body.${field}.${index}.category`);

  /** Records, in the change's transaction, that followers must be told (run by the event dispatcher). */
  const publishLater = (tx: Parameters<EventDispatcher["record"]>[0], number: number, verb: "create" | "update") =>
    events.record(tx, CHARTER_CHANGED, { number, verb }, charterIri(config).href);

  events.on(CHARTER_CHANGED, async ({ number, verb }: { number: number; verb: "create" | "update" }, event) => {
    const row = db.select().from(charterRevisions).where(eq(charterRevisions.number, number)).get();
    if (!row) throw new Error(`charter revision ${number} is missing`);
    const charter = toCharter(row);
    const ctx = contextFor();
    // The actor's profile fields show the charter's services: its prebuilt document is out of date.
    invalidatePrebuiltDocuments(ctx.federation);
    const categoryOf = (slug: string) => requireCategory(db, config, slug, "category");
    const activities = withEventIds(
      charterActivities(ctx, config, charter, categoryOf, verb, deps.now(), rotatedRoles()),
      event.id,
    );
    await sendToFollowers(ctx, deps, activities, charterIri(config).href);
    await profileChanged();
  });

  return {
    current,
    rotatedRoles,

    useGuides(lookup: (key: string) => GuideLink[]): void {
      guidesOf = lookup;
    },

    revision(number: number): Charter {
      const row = db.select().from(charterRevisions).where(eq(charterRevisions.number, number)).get();
      if (!row) throw notFound(`no charter revision ${number}`);
      return toCharter(row);
    },

    history(): { number: number; changeNote: string; publishedAt: string }[] {
      return db
        .select({
          number: charterRevisions.number,
          changeNote: charterRevisions.changeNote,
          publishedAt: charterRevisions.publishedAt,
        })
        .from(charterRevisions)
        .orderBy(desc(charterRevisions.number))
        .all();
    },

    /** Publishes a new revision: Create the first time, Update afterwards. Services dropped from it answer 410. */
    async publish(input: CharterInput): Promise<Charter> {
      for (const [i, s] of input.services.entries()) checkCategory("services", i, s.category);
      for (const [i, p] of input.planned.entries()) checkCategory("planned", i, p.category);
      const now = deps.now().toISOString();
      const previous = current();
      const row = db.transaction((tx) => {
        const keys = [...input.services, ...input.planned].map((s) => serviceIri(config, s.key).href);
        if (keys.length > 0) tx.delete(tombstones).where(inArray(tombstones.iri, keys)).run();
        if (previous) {
          const dropped = [...previous.services, ...previous.planned].filter(
            (s) => !input.services.some((n) => n.key === s.key) && !input.planned.some((n) => n.key === s.key),
          );
          recordTombstones(
            tx,
            dropped.map((s) => ({ iri: serviceIri(config, s.key).href, formerType: "Proposal" })),
            new Date(now),
          );
        }
        const inserted = tx
          .insert(charterRevisions)
          .values({
            number: (previous?.number ?? 0) + 1,
            changeNote: input.changeNote,
            services: JSON.stringify(input.services),
            planned: JSON.stringify(input.planned),
            publishedAt: now,
            reviewedAt: now,
          })
          .returning()
          .get();
        publishLater(tx, inserted.number, previous ? "update" : "create");
        return inserted;
      });
      await events.settle();
      const charter = toCharter(row);
      return charter;
    },

    /** Tells followers the current charter again (Update): what it shows from another room (rotated roles) changed. */
    async republish(): Promise<void> {
      const latest = current();
      if (!latest) return;
      db.transaction((tx) => publishLater(tx, latest.number, "update"));
      await events.settle();
    },

    /** Records a monthly review that changed nothing, and tells followers the new review date. */
    async review(): Promise<Charter> {
      const latest = current();
      if (!latest) throw notFound("this pod has not published a charter yet");
      const row = db.transaction((tx) => {
        const reviewed = tx
          .update(charterRevisions)
          .set({ reviewedAt: deps.now().toISOString() })
          .where(eq(charterRevisions.number, latest.number))
          .returning()
          .get();
        publishLater(tx, reviewed.number, "update");
        return reviewed;
      });
      await events.settle();
      const charter = toCharter(row);
      return charter;
    },
  };
}

export type ChartersService = ReturnType<typeof chartersService>;
