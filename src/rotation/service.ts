import { Temporal } from "@js-temporal/polyfill";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, asc, eq, inArray, isNull, ne, or } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  type Cause,
  generateRota,
  type Holding,
  type MemberSpec,
  type Reason,
  type Risk,
  type RoleSpec,
} from "./generator.ts";
import { nextPeriods, periodEnd, periodStart } from "./periods.ts";
import {
  type PeriodKind,
  rotaBoundaries,
  rotaFeedTokens,
  rotaGrownSkills,
  rotaHandoffs,
  rotaReminders,
  rotaRoles,
  rotaSeats,
  rotaSettings,
} from "./schema.ts";

export type Role = typeof rotaRoles.$inferSelect;
export type Seat = typeof rotaSeats.$inferSelect;
export type Boundaries = typeof rotaBoundaries.$inferSelect;
export type Handoff = typeof rotaHandoffs.$inferSelect;
export type RoleInput = Omit<Role, "id" | "createdAt" | "handbookWorkflowId"> & { handbookWorkflowId?: string | null };
/** A workflow of the pod's memory, as a role's handbook names it. */
export interface Workflow {
  id: string;
  title: string;
}
export type GrownSkill = typeof rotaGrownSkills.$inferSelect;
/** What the charter may say about the rota: role names and how often, never who holds them. */
export interface PublicRole {
  name: string;
  period: PeriodKind;
}

/** Who the rota can draw on: the members room's active members, with their profile skills. */
export interface RotaMember {
  id: string;
  name: string;
  /** The profile's free-text skills, comma-separated. */
  skills: string;
}

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
const hash = (secret: string) => createHash("sha256").update(secret).digest("hex");

export const reasonOf = (seat: Seat): Reason | null => (seat.reason ? (JSON.parse(seat.reason) as Reason) : null);

export function rotationService(db: Db, now: () => Date, timeZone: () => string) {
  const roles = () => db.select().from(rotaRoles).orderBy(asc(rotaRoles.createdAt), asc(rotaRoles.id)).all();
  const role = (id: string) => db.select().from(rotaRoles).where(eq(rotaRoles.id, id)).get();
  const boundaries = (memberId: string): Boundaries =>
    db.select().from(rotaBoundaries).where(eq(rotaBoundaries.memberId, memberId)).get() ?? {
      memberId,
      maxRisk: "low",
      declines: "",
      unavailable: "",
    };
  const seat = (id: string) => db.select().from(rotaSeats).where(eq(rotaSeats.id, id)).get();

  const specOf = (member: RotaMember): MemberSpec => {
    const own = boundaries(member.id);
    return {
      id: member.id,
      name: member.name,
      skills: list(member.skills),
      maxRisk: own.maxRisk as Risk,
      unavailable: list(own.unavailable),
      declines: list(own.declines),
    };
  };
  const roleSpec = (r: Role): RoleSpec => ({ ...r, skills: list(r.skills), risk: r.risk as Risk });

  /** Published seats of periods before `before` (period keys sort in time order within a kind). */
  const history = (kind: PeriodKind, before: string): Holding[] =>
    db
      .select()
      .from(rotaSeats)
      .where(ne(rotaSeats.status, "proposed"))
      .orderBy(asc(rotaSeats.period))
      .all()
      .filter((s) => s.memberId && s.period < before && s.period.includes("W") === (kind === "weekly"))
      .map((s) => ({ period: s.period, roleId: s.roleId, memberId: s.memberId!, shadow: s.shadow }));

  /**
   * Which of the generator's rules a member breaks for a seat (null: none). Used when a coordinator picks someone
   * by hand and when a given-up seat is offered.
   */
  function breaks(target: Seat, member: RotaMember): Cause | null {
    const r = role(target.roleId)!;
    const spec = specOf(member);
    if (spec.unavailable.includes(target.period)) return "unavailable";
    const rank = ["low", "medium", "high"];
    if (rank.indexOf(r.risk) > rank.indexOf(spec.maxRisk)) return "risk";
    if (spec.declines.includes(r.id)) return "declines";
    const sameTime = db
      .select()
      .from(rotaSeats)
      .where(and(eq(rotaSeats.period, target.period), eq(rotaSeats.memberId, member.id), ne(rotaSeats.id, target.id)))
      .all();
    if (sameTime.length) return "busy";
    if (!target.shadow) {
      const held = db
        .select()
        .from(rotaSeats)
        .where(and(eq(rotaSeats.roleId, r.id), eq(rotaSeats.memberId, member.id), eq(rotaSeats.shadow, false)))
        .all()
        .map((s) => s.period);
      const kind: PeriodKind = target.period.includes("W") ? "weekly" : "monthly";
      const before = nextPeriodsBefore(target.period, kind, r.tenureLimit);
      if (before.length === r.tenureLimit && before.every((p) => held.includes(p))) return "tenure";
      const experienced =
        held.length > 0 || list(r.skills).every((s) => spec.skills.includes(s)) || wasShadow(r.id, member.id);
      if (!experienced) return "newcomer";
    }
    return null;
  }
  const wasShadow = (roleId: string, memberId: string) =>
    !!db
      .select()
      .from(rotaSeats)
      .where(and(eq(rotaSeats.roleId, roleId), eq(rotaSeats.memberId, memberId), eq(rotaSeats.shadow, true)))
      .get();

  /**
   * For each role and each pair of consecutive published periods, seat by seat: a new holder gets a handoff from
   * the one before (once; a republished period does not make another).
   */
  function scheduleHandoffs() {
    const seats = db.select().from(rotaSeats).where(ne(rotaSeats.status, "proposed")).all();
    for (const r of roles()) {
      const byPeriod = new Map<string, string[]>();
      for (const s of seats.filter((s) => s.roleId === r.id && !s.shadow && s.memberId)) {
        byPeriod.set(s.period, [...(byPeriod.get(s.period) ?? []), s.memberId!]);
      }
      const periods = [...byPeriod.keys()].sort();
      for (let i = 1; i < periods.length; i++) {
        const before = byPeriod.get(periods[i - 1]!)!;
        const after = byPeriod.get(periods[i]!)!;
        const outgoing = before.filter((m) => !after.includes(m));
        const incoming = after.filter((m) => !before.includes(m));
        for (const [k, incomingId] of incoming.entries()) {
          const outgoingId = outgoing[k % Math.max(1, outgoing.length)] ?? before[0];
          if (!outgoingId) continue;
          db.insert(rotaHandoffs)
            .values({ id: randomUUID(), roleId: r.id, period: periods[i]!, outgoingId, incomingId })
            .onConflictDoNothing()
            .run();
        }
      }
    }
  }

  /**
   * A seat changed hands: the handoffs into its period (the old holder incoming) and out of it into the role's
   * next published period (the old holder outgoing) now involve the new holder, and both sides confirm afresh.
   * A handoff left between one person and themself goes; a change of holder that needs one gets it.
   */
  function moveHandoffs(target: Seat, from: string, to: string) {
    const reset = { outgoingConfirmedAt: null, incomingConfirmedAt: null };
    const next = db
      .select()
      .from(rotaSeats)
      .where(and(eq(rotaSeats.roleId, target.roleId), ne(rotaSeats.status, "proposed")))
      .all()
      .map((s) => s.period)
      .filter((p) => p > target.period && p.includes("W") === target.period.includes("W"))
      .sort()[0];
    const moved = [
      ...db
        .update(rotaHandoffs)
        .set({ incomingId: to, ...reset })
        .where(
          and(
            eq(rotaHandoffs.roleId, target.roleId),
            eq(rotaHandoffs.period, target.period),
            eq(rotaHandoffs.incomingId, from),
          ),
        )
        .returning()
        .all(),
      ...(next
        ? db
            .update(rotaHandoffs)
            .set({ outgoingId: to, ...reset })
            .where(
              and(
                eq(rotaHandoffs.roleId, target.roleId),
                eq(rotaHandoffs.period, next),
                eq(rotaHandoffs.outgoingId, from),
              ),
            )
            .returning()
            .all()
        : []),
    ];
    for (const handoff of moved) {
      db.delete(rotaReminders).where(eq(rotaReminders.subjectId, handoff.id)).run();
      if (handoff.outgoingId === handoff.incomingId)
        db.delete(rotaHandoffs).where(eq(rotaHandoffs.id, handoff.id)).run();
    }
    scheduleHandoffs();
  }

  const settings = () =>
    db.select().from(rotaSettings).where(eq(rotaSettings.id, 1)).get() ?? { id: 1, publicRoles: true };

  return {
    roles,
    role,
    settings,
    setPublicRoles(publicRoles: boolean) {
      db.insert(rotaSettings)
        .values({ id: 1, publicRoles })
        .onConflictDoUpdate({ target: rotaSettings.id, set: { publicRoles } })
        .run();
    },
    /** The roles the pod rotates and how often, for the public charter; none when coordinators chose not to. */
    publicRoles: (): PublicRole[] =>
      settings().publicRoles ? roles().map((r) => ({ name: r.name, period: r.period as PeriodKind })) : [],

    /**
     * Records, for each shadow seat whose period has ended (in the pod's time zone) and that its holder did not
     * give up, that the member may now hold the role alone. Returns how many skills grew.
     */
    growSkills(at: Date = now()): number {
      const today = Temporal.Instant.from(at.toISOString()).toZonedDateTimeISO(timeZone()).toPlainDate();
      let grown = 0;
      for (const s of db
        .select()
        .from(rotaSeats)
        .where(and(eq(rotaSeats.shadow, true), eq(rotaSeats.status, "published")))
        .all()) {
        if (!s.memberId || Temporal.PlainDate.compare(periodEnd(s.period), today) > 0) continue;
        grown += db
          .insert(rotaGrownSkills)
          .values({ memberId: s.memberId, roleId: s.roleId, seatId: s.id, grownAt: at.toISOString() })
          .onConflictDoNothing()
          .run().changes;
      }
      return grown;
    },
    /** How many times a role changed hands in periods starting in the month ("2026-12"): its handoffs. */
    holderChangesIn: (month: string): number =>
      db
        .select({ period: rotaHandoffs.period })
        .from(rotaHandoffs)
        .all()
        .filter((h) => periodStart(h.period).toString().startsWith(`${month}-`)).length,
    grownSkills: (memberId: string): GrownSkill[] =>
      db
        .select()
        .from(rotaGrownSkills)
        .where(eq(rotaGrownSkills.memberId, memberId))
        .orderBy(asc(rotaGrownSkills.grownAt))
        .all(),
    boundaries,
    seat,
    breaks,
    createRole(input: RoleInput): Role {
      const row = {
        ...input,
        handbookWorkflowId: input.handbookWorkflowId ?? null,
        id: randomUUID(),
        createdAt: now().toISOString(),
      };
      db.insert(rotaRoles).values(row).run();
      return row;
    },
    updateRole(id: string, input: RoleInput) {
      db.update(rotaRoles).set(input).where(eq(rotaRoles.id, id)).run();
    },
    setBoundaries(memberId: string, input: Omit<Boundaries, "memberId">) {
      db.insert(rotaBoundaries)
        .values({ memberId, ...input })
        .onConflictDoUpdate({ target: rotaBoundaries.memberId, set: input })
        .run();
    },

    /**
     * Proposes the next `weeks` weekly periods (and the months they start in, for monthly roles) for the given
     * members, replacing what was proposed before for those periods. Published seats stay.
     */
    generate(members: RotaMember[], weeks = 4): Seat[] {
      const specs = members.map(specOf);
      const out: Seat[] = [];
      db.transaction(() => {
        for (const kind of ["weekly", "monthly"] as const) {
          const kindRoles = roles().filter((r) => r.period === kind);
          if (!kindRoles.length) continue;
          const published = new Set(
            db
              .select()
              .from(rotaSeats)
              .where(ne(rotaSeats.status, "proposed"))
              .all()
              .map((s) => s.period),
          );
          const periods = nextPeriods(now(), timeZone(), weeks, kind).filter((p) => !published.has(p));
          if (!periods.length) continue;
          db.delete(rotaSeats)
            .where(
              and(
                eq(rotaSeats.status, "proposed"),
                inArray(rotaSeats.period, periods),
                inArray(
                  rotaSeats.roleId,
                  kindRoles.map((r) => r.id),
                ),
              ),
            )
            .run();
          const proposed = generateRota({
            roles: kindRoles.map(roleSpec),
            members: specs,
            periods,
            history: history(kind, periods[0]!),
          });
          for (const p of proposed) {
            const row: Seat = {
              id: randomUUID(),
              period: p.period,
              roleId: p.roleId,
              memberId: p.memberId,
              shadow: p.shadow,
              beside: p.beside,
              status: "proposed",
              reason: JSON.stringify(p.reason),
              offeredBy: null,
            };
            db.insert(rotaSeats).values(row).run();
            out.push(row);
          }
        }
      });
      return out;
    },

    /** The proposal in period order, each period's roles in the order they were defined, shadows after holders. */
    proposed(): Seat[] {
      const order = new Map(roles().map((r, i) => [r.id, i]));
      return db
        .select()
        .from(rotaSeats)
        .where(eq(rotaSeats.status, "proposed"))
        .all()
        .sort(
          (a, b) =>
            a.period.localeCompare(b.period) ||
            order.get(a.roleId)! - order.get(b.roleId)! ||
            Number(a.shadow) - Number(b.shadow),
        );
    },
    /** Published seats nobody holds: unfilled by the generator or given up and not yet taken. */
    unfilled: () =>
      db
        .select()
        .from(rotaSeats)
        .where(or(eq(rotaSeats.status, "offered"), and(eq(rotaSeats.status, "published"), isNull(rotaSeats.memberId))))
        .orderBy(asc(rotaSeats.period))
        .all(),

    /** A coordinator's pick for a proposed seat; the seat's reason goes (a person chose, not the generator). */
    assign(seatId: string, memberId: string | null) {
      db.update(rotaSeats)
        .set({ memberId, reason: null })
        .where(and(eq(rotaSeats.id, seatId), eq(rotaSeats.status, "proposed")))
        .run();
    },
    /** Publishes the proposal and schedules a handoff wherever a role's holder changes from one period to the next. */
    publish(): number {
      return db.transaction(() => {
        const changed = db
          .update(rotaSeats)
          .set({ status: "published" })
          .where(eq(rotaSeats.status, "proposed"))
          .run().changes;
        scheduleHandoffs();
        return changed;
      });
    },
    /** Handoffs the member is part of, by period. */
    handoffsOf: (memberId: string): Handoff[] =>
      db
        .select()
        .from(rotaHandoffs)
        .where(or(eq(rotaHandoffs.outgoingId, memberId), eq(rotaHandoffs.incomingId, memberId)))
        .orderBy(asc(rotaHandoffs.period))
        .all(),
    /** Either side sets when and where; a change clears both confirmations (they confirm what happened). */
    planHandoff(id: string, memberId: string, at: string | null, place: string): boolean {
      const before = db.select().from(rotaHandoffs).where(eq(rotaHandoffs.id, id)).get();
      // A new time is a new reminder.
      const side = before && (before.outgoingId === memberId || before.incomingId === memberId);
      if (side && before.at !== at) db.delete(rotaReminders).where(eq(rotaReminders.subjectId, id)).run();
      return (
        db
          .update(rotaHandoffs)
          .set({ at, place, outgoingConfirmedAt: null, incomingConfirmedAt: null })
          .where(
            and(
              eq(rotaHandoffs.id, id),
              or(eq(rotaHandoffs.outgoingId, memberId), eq(rotaHandoffs.incomingId, memberId)),
            ),
          )
          .run().changes === 1
      );
    },
    confirmHandoff(id: string, memberId: string): boolean {
      const handoff = db.select().from(rotaHandoffs).where(eq(rotaHandoffs.id, id)).get();
      if (!handoff) return false;
      const at = now().toISOString();
      if (handoff.outgoingId === memberId) {
        db.update(rotaHandoffs).set({ outgoingConfirmedAt: at }).where(eq(rotaHandoffs.id, id)).run();
      } else if (handoff.incomingId === memberId) {
        db.update(rotaHandoffs).set({ incomingConfirmedAt: at }).where(eq(rotaHandoffs.id, id)).run();
      } else return false;
      return true;
    },

    /** A member's published seats, and the ones they gave up that nobody took yet. */
    mine: (memberId: string) =>
      db
        .select()
        .from(rotaSeats)
        .where(and(eq(rotaSeats.memberId, memberId), ne(rotaSeats.status, "proposed")))
        .orderBy(asc(rotaSeats.period))
        .all(),

    /** The holder gives a published seat up: it stays theirs on paper until someone takes it. */
    giveUp(seatId: string, memberId: string): boolean {
      return (
        db
          .update(rotaSeats)
          .set({ status: "offered", offeredBy: memberId })
          .where(and(eq(rotaSeats.id, seatId), eq(rotaSeats.memberId, memberId), eq(rotaSeats.status, "published")))
          .run().changes === 1
      );
    },
    /** Seats offered that this member may take under the generator's rules. */
    offersFor(member: RotaMember): Seat[] {
      return db
        .select()
        .from(rotaSeats)
        .where(eq(rotaSeats.status, "offered"))
        .orderBy(asc(rotaSeats.period))
        .all()
        .filter((s) => s.offeredBy !== member.id && breaks({ ...s, memberId: null }, member) === null);
    },
    /** The first eligible member to accept takes the seat; a later accept changes nothing (false). */
    accept(seatId: string, member: RotaMember): boolean {
      return db.transaction(() => {
        const target = seat(seatId);
        if (!target || target.status !== "offered" || target.offeredBy === member.id) return false;
        if (breaks({ ...target, memberId: null }, member) !== null) return false;
        const taken =
          db
            .update(rotaSeats)
            .set({ memberId: member.id, status: "published", offeredBy: null, reason: null })
            .where(and(eq(rotaSeats.id, seatId), eq(rotaSeats.status, "offered")))
            .run().changes === 1;
        if (taken && !target.shadow && target.memberId) moveHandoffs(target, target.memberId, member.id);
        return taken;
      });
    },

    /** A new secret for the member's iCal feed; the old one stops working. */
    regenerateFeedToken(memberId: string): string {
      const secret = randomBytes(24).toString("base64url");
      const row = { memberId, tokenHash: hash(secret), createdAt: now().toISOString() };
      db.insert(rotaFeedTokens).values(row).onConflictDoUpdate({ target: rotaFeedTokens.memberId, set: row }).run();
      return secret;
    },
    revokeFeedToken(memberId: string) {
      db.delete(rotaFeedTokens).where(eq(rotaFeedTokens.memberId, memberId)).run();
    },
    hasFeedToken: (memberId: string) =>
      !!db.select().from(rotaFeedTokens).where(eq(rotaFeedTokens.memberId, memberId)).get(),
    memberOfFeedToken: (secret: string): string | null =>
      db
        .select()
        .from(rotaFeedTokens)
        .where(eq(rotaFeedTokens.tokenHash, hash(secret)))
        .get()?.memberId ?? null,
  };
}

/** The `count` periods just before `period`, newest first (weekly or monthly). */
function nextPeriodsBefore(period: string, kind: PeriodKind, count: number): string[] {
  const out: string[] = [];
  let [year, n] = period.split(/-W?/).map(Number) as [number, number];
  for (let i = 0; i < count; i++) {
    n -= 1;
    if (n === 0) {
      year -= 1;
      n = kind === "weekly" ? isoWeeks(year) : 12;
    }
    out.push(kind === "weekly" ? `${year}-W${String(n).padStart(2, "0")}` : `${year}-${String(n).padStart(2, "0")}`);
  }
  return out;
}

/** 53 when Dec 28 falls in week 53. */
function isoWeeks(year: number): number {
  const dec28 = new Date(Date.UTC(year, 11, 28));
  const thursday = new Date(dec28);
  thursday.setUTCDate(dec28.getUTCDate() + 3 - ((dec28.getUTCDay() + 6) % 7));
  const jan1 = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 1));
  return Math.ceil(((thursday.getTime() - jan1.getTime()) / 86_400_000 + 1) / 7);
}

export type RotationService = ReturnType<typeof rotationService>;
