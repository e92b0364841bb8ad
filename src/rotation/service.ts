import { Temporal } from "@js-temporal/polyfill";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, asc, eq, inArray, isNotNull, isNull, ne, or } from "drizzle-orm";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
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

/** How late this process may see another process's change to the public roles or handoffs (its own: at once). */
const COPY_STALE_MS = 1000;

/** Where a background reload of the copy says it failed (the pod's logger; stderr when none is given). */
interface Log {
  warn(object: object, message: string): void;
}
const stderrLog: Log = { warn: (object, message) => console.warn(message, object) };

export function rotationService(rooms: RoomDb, now: () => Date, timeZone: () => string, log: Log = stderrLog) {
  const roleT = rooms.table(rotaRoles);
  const seatT = rooms.table(rotaSeats);
  const boundT = rooms.table(rotaBoundaries);
  const tokenT = rooms.table(rotaFeedTokens);
  const handoffT = rooms.table(rotaHandoffs);
  const reminderT = rooms.table(rotaReminders);
  const grownT = rooms.table(rotaGrownSkills);
  const settingsT = rooms.table(rotaSettings);

  const rolesIn = (db: RoomQueries): Promise<Role[]> =>
    db.select().from(roleT).orderBy(asc(roleT.createdAt), asc(roleT.id));
  const roleIn = async (db: RoomQueries, id: string): Promise<Role | undefined> =>
    (await db.select().from(roleT).where(eq(roleT.id, id)))[0];
  const boundariesIn = async (db: RoomQueries, memberId: string): Promise<Boundaries> =>
    (await db.select().from(boundT).where(eq(boundT.memberId, memberId)))[0] ?? {
      memberId,
      maxRisk: "low",
      declines: "",
      unavailable: "",
    };
  const seatIn = async (db: RoomQueries, id: string): Promise<Seat | undefined> =>
    (await db.select().from(seatT).where(eq(seatT.id, id)))[0];
  const settingsIn = async (db: RoomQueries) =>
    (await db.select().from(settingsT).where(eq(settingsT.id, 1)))[0] ?? { id: 1, publicRoles: true };

  const specOf = async (db: RoomQueries, member: RotaMember): Promise<MemberSpec> => {
    const own = await boundariesIn(db, member.id);
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
  const history = async (db: RoomQueries, kind: PeriodKind, before: string): Promise<Holding[]> =>
    (await db.select().from(seatT).where(ne(seatT.status, "proposed")).orderBy(asc(seatT.period)))
      .filter((s) => s.memberId && s.period < before && s.period.includes("W") === (kind === "weekly"))
      .map((s) => ({ period: s.period, roleId: s.roleId, memberId: s.memberId!, shadow: s.shadow }));

  /**
   * Which of the generator's rules a member breaks for a seat (null: none). Used when a coordinator picks someone
   * by hand and when a given-up seat is offered.
   */
  async function breaksIn(db: RoomQueries, target: Seat, member: RotaMember): Promise<Cause | null> {
    const r = (await roleIn(db, target.roleId))!;
    const spec = await specOf(db, member);
    if (spec.unavailable.includes(target.period)) return "unavailable";
    const rank = ["low", "medium", "high"];
    if (rank.indexOf(r.risk) > rank.indexOf(spec.maxRisk)) return "risk";
    if (spec.declines.includes(r.id)) return "declines";
    const sameTime = await db
      .select({ id: seatT.id })
      .from(seatT)
      .where(and(eq(seatT.period, target.period), eq(seatT.memberId, member.id), ne(seatT.id, target.id)));
    if (sameTime.length) return "busy";
    if (!target.shadow) {
      const heldBy = (shadow: boolean) =>
        db
          .select({ period: seatT.period })
          .from(seatT)
          .where(and(eq(seatT.roleId, r.id), eq(seatT.memberId, member.id), eq(seatT.shadow, shadow)));
      const held = (await heldBy(false)).map((s) => s.period);
      const kind: PeriodKind = target.period.includes("W") ? "weekly" : "monthly";
      const before = nextPeriodsBefore(target.period, kind, r.tenureLimit);
      if (before.length === r.tenureLimit && before.every((p) => held.includes(p))) return "tenure";
      const experienced =
        held.length > 0 || list(r.skills).every((s) => spec.skills.includes(s)) || (await heldBy(true)).length > 0;
      if (!experienced) return "newcomer";
    }
    return null;
  }

  /**
   * For each role and each pair of consecutive published periods, seat by seat: a new holder gets a handoff from
   * the one before (once; a republished period does not make another).
   */
  async function scheduleHandoffs(db: RoomQueries) {
    const seats = await db.select().from(seatT).where(ne(seatT.status, "proposed"));
    for (const r of await rolesIn(db)) {
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
          await db
            .insert(handoffT)
            .values({ id: randomUUID(), roleId: r.id, period: periods[i]!, outgoingId, incomingId })
            .onConflictDoNothing();
        }
      }
    }
  }

  /**
   * A seat changed hands: the handoffs into its period (the old holder incoming) and out of it into the role's
   * next published period (the old holder outgoing) now involve the new holder, and both sides confirm afresh.
   * A handoff left between one person and themself goes; a change of holder that needs one gets it.
   */
  async function moveHandoffs(db: RoomQueries, target: Seat, from: string, to: string) {
    const reset = { outgoingConfirmedAt: null, incomingConfirmedAt: null };
    const next = (
      await db
        .select({ period: seatT.period })
        .from(seatT)
        .where(and(eq(seatT.roleId, target.roleId), ne(seatT.status, "proposed")))
    )
      .map((s) => s.period)
      .filter((p) => p > target.period && p.includes("W") === target.period.includes("W"))
      .sort()[0];
    const into = and(
      eq(handoffT.roleId, target.roleId),
      eq(handoffT.period, target.period),
      eq(handoffT.incomingId, from),
    );
    const moved = [
      ...(await db
        .update(handoffT)
        .set({ incomingId: to, ...reset })
        .where(into)
        .returning()),
      ...(next
        ? await db
            .update(handoffT)
            .set({ outgoingId: to, ...reset })
            .where(and(eq(handoffT.roleId, target.roleId), eq(handoffT.period, next), eq(handoffT.outgoingId, from)))
            .returning()
        : []),
    ];
    for (const handoff of moved) {
      await db.delete(reminderT).where(eq(reminderT.subjectId, handoff.id));
      if (handoff.outgoingId === handoff.incomingId) await db.delete(handoffT).where(eq(handoffT.id, handoff.id));
    }
    await scheduleHandoffs(db);
  }

  /**
   * What other rooms read synchronously: the charter's public roles (charters' `rotatedRoles()`, read while
   * building activities and pages) and the handoff periods (the monthly report's figures). Reloaded after this
   * process's own writes, and in the background when older than COPY_STALE_MS (another process's writes).
   */
  let copy: { publicRoles: PublicRole[]; handoffPeriods: string[] } = { publicRoles: [], handoffPeriods: [] };
  let copiedAt = Number.NEGATIVE_INFINITY;
  let reloading: Promise<void> | undefined;
  async function reloadCopy(): Promise<void> {
    const startedAt = performance.now();
    const [settings, roles, handoffs] = await rooms.read((db) =>
      Promise.all([settingsIn(db), rolesIn(db), db.select({ period: handoffT.period }).from(handoffT)]),
    );
    copy = {
      publicRoles: settings.publicRoles ? roles.map((r) => ({ name: r.name, period: r.period as PeriodKind })) : [],
      handoffPeriods: handoffs.map((h) => h.period),
    };
    copiedAt = startedAt;
  }
  const reload = (): Promise<void> => (reloading ??= reloadCopy().finally(() => (reloading = undefined)));
  const copied = () => {
    if (performance.now() - copiedAt >= COPY_STALE_MS)
      reload().catch((error: unknown) => log.warn({ err: error }, "the rotation's public roles could not be reloaded"));
    return copy;
  };
  /** A write that changes what the copy holds, then the copy (a write is not a read: reload after it commits). */
  const writeAndCopy = async <R>(fn: (db: RoomQueries) => Promise<R>, oneAtATime?: string): Promise<R> => {
    const result = await rooms.write(fn, oneAtATime ? { oneAtATime } : undefined);
    await reloadCopy();
    return result;
  };

  return {
    /** Loads the synchronous copy before the pod serves. */
    load: reloadCopy,
    roles: () => rooms.read(rolesIn),
    role: (id: string) => rooms.read((db) => roleIn(db, id)),
    settings: () => rooms.read(settingsIn),
    async setPublicRoles(publicRoles: boolean) {
      await writeAndCopy((db) =>
        db
          .insert(settingsT)
          .values({ id: 1, publicRoles })
          .onConflictDoUpdate({ target: settingsT.id, set: { publicRoles } }),
      );
    },
    /** The roles the pod rotates and how often, for the public charter; none when coordinators chose not to. */
    publicRoles: (): PublicRole[] => copied().publicRoles,

    /**
     * Records, for each shadow seat whose period has ended (in the pod's time zone) and that its holder did not
     * give up, that the member may now hold the role alone. Returns how many skills grew.
     */
    async growSkills(at: Date = now()): Promise<number> {
      const today = Temporal.Instant.from(at.toISOString()).toZonedDateTimeISO(timeZone()).toPlainDate();
      const ended = (
        await rooms.read((db) =>
          db
            .select()
            .from(seatT)
            .where(and(eq(seatT.shadow, true), eq(seatT.status, "published"))),
        )
      ).filter((s) => s.memberId && Temporal.PlainDate.compare(periodEnd(s.period), today) <= 0);
      if (!ended.length) return 0;
      return rooms.write(async (db) => {
        let grown = 0;
        for (const s of ended) {
          const row = { memberId: s.memberId!, roleId: s.roleId, seatId: s.id, grownAt: at.toISOString() };
          grown += (await db.insert(grownT).values(row).onConflictDoNothing().returning()).length;
        }
        return grown;
      });
    },
    /** How many times a role changed hands in periods starting in the month ("2026-12"): its handoffs. */
    holderChangesIn: (month: string): number =>
      copied().handoffPeriods.filter((p) => periodStart(p).toString().startsWith(`${month}-`)).length,
    grownSkills: (memberId: string): Promise<GrownSkill[]> =>
      rooms.read((db) => db.select().from(grownT).where(eq(grownT.memberId, memberId)).orderBy(asc(grownT.grownAt))),
    boundaries: (memberId: string) => rooms.read((db) => boundariesIn(db, memberId)),
    seat: (id: string) => rooms.read((db) => seatIn(db, id)),
    breaks: (target: Seat, member: RotaMember) => rooms.read((db) => breaksIn(db, target, member)),
    async createRole(input: RoleInput): Promise<Role> {
      const row = {
        ...input,
        handbookWorkflowId: input.handbookWorkflowId ?? null,
        id: randomUUID(),
        createdAt: now().toISOString(),
      };
      await writeAndCopy((db) => db.insert(roleT).values(row));
      return row;
    },
    async updateRole(id: string, input: RoleInput): Promise<void> {
      await writeAndCopy((db) => db.update(roleT).set(input).where(eq(roleT.id, id)));
    },
    async setBoundaries(memberId: string, input: Omit<Boundaries, "memberId">): Promise<void> {
      await rooms.write((db) =>
        db
          .insert(boundT)
          .values({ memberId, ...input })
          .onConflictDoUpdate({ target: boundT.memberId, set: input }),
      );
    },

    /**
     * Proposes the next `weeks` weekly periods (and the months they start in, for monthly roles) for the given
     * members, replacing what was proposed before for those periods. Published seats stay. One generation at a
     * time across processes: two at once leave one proposal, not both.
     */
    generate(members: RotaMember[], weeks = 4): Promise<Seat[]> {
      return rooms.write(
        async (db) => {
          const specs: MemberSpec[] = [];
          for (const m of members) specs.push(await specOf(db, m));
          const out: Seat[] = [];
          const allRoles = await rolesIn(db);
          for (const kind of ["weekly", "monthly"] as const) {
            const kindRoles = allRoles.filter((r) => r.period === kind);
            if (!kindRoles.length) continue;
            const published = new Set(
              (await db.select({ period: seatT.period }).from(seatT).where(ne(seatT.status, "proposed"))).map(
                (s) => s.period,
              ),
            );
            const periods = nextPeriods(now(), timeZone(), weeks, kind).filter((p) => !published.has(p));
            if (!periods.length) continue;
            const roleIds = kindRoles.map((r) => r.id);
            await db
              .delete(seatT)
              .where(and(eq(seatT.status, "proposed"), inArray(seatT.period, periods), inArray(seatT.roleId, roleIds)));
            const proposed = generateRota({
              roles: kindRoles.map(roleSpec),
              members: specs,
              periods,
              history: await history(db, kind, periods[0]!),
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
              await db.insert(seatT).values(row);
              out.push(row);
            }
          }
          return out;
        },
        { oneAtATime: SEATS_CHANGE },
      );
    },

    /** The proposal in period order, each period's roles in the order they were defined, shadows after holders. */
    async proposed(): Promise<Seat[]> {
      const [roles, seats] = await rooms.read((db) =>
        Promise.all([rolesIn(db), db.select().from(seatT).where(eq(seatT.status, "proposed"))]),
      );
      const order = new Map(roles.map((r, i) => [r.id, i]));
      return seats.sort(
        (a, b) =>
          a.period.localeCompare(b.period) ||
          order.get(a.roleId)! - order.get(b.roleId)! ||
          Number(a.shadow) - Number(b.shadow) ||
          a.id.localeCompare(b.id),
      );
    },
    /** Published seats nobody holds: unfilled by the generator or given up and not yet taken. */
    unfilled: (): Promise<Seat[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(seatT)
          .where(or(eq(seatT.status, "offered"), and(eq(seatT.status, "published"), isNull(seatT.memberId))))
          .orderBy(asc(seatT.period), asc(seatT.id)),
      ),

    /** A coordinator's pick for a proposed seat; the seat's reason goes (a person chose, not the generator). */
    async assign(seatId: string, memberId: string | null): Promise<void> {
      await rooms.write((db) =>
        db
          .update(seatT)
          .set({ memberId, reason: null })
          .where(and(eq(seatT.id, seatId), eq(seatT.status, "proposed"))),
      );
    },
    /** Publishes the proposal and schedules a handoff wherever a role's holder changes from one period to the next. */
    publish(): Promise<number> {
      return writeAndCopy(async (db) => {
        const changed = await db
          .update(seatT)
          .set({ status: "published" })
          .where(eq(seatT.status, "proposed"))
          .returning({ id: seatT.id });
        await scheduleHandoffs(db);
        return changed.length;
      }, SEATS_CHANGE);
    },
    /** Handoffs the member is part of, by period. */
    handoffsOf: (memberId: string): Promise<Handoff[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(handoffT)
          .where(or(eq(handoffT.outgoingId, memberId), eq(handoffT.incomingId, memberId)))
          .orderBy(asc(handoffT.period), asc(handoffT.id)),
      ),
    /** Either side sets when and where; a change clears both confirmations (they confirm what happened). */
    planHandoff(id: string, memberId: string, at: string | null, place: string): Promise<boolean> {
      const side = and(eq(handoffT.id, id), or(eq(handoffT.outgoingId, memberId), eq(handoffT.incomingId, memberId)));
      return rooms.write(async (db) => {
        const [before] = await db.select().from(handoffT).where(side);
        if (!before) return false;
        // A new time is a new reminder.
        if (before.at !== at) await db.delete(reminderT).where(eq(reminderT.subjectId, id));
        await db.update(handoffT).set({ at, place, outgoingConfirmedAt: null, incomingConfirmedAt: null }).where(side);
        return true;
      });
    },
    confirmHandoff(id: string, memberId: string): Promise<boolean> {
      const at = now().toISOString();
      return rooms.write(async (db) => {
        const [out] = await db
          .update(handoffT)
          .set({ outgoingConfirmedAt: at })
          .where(and(eq(handoffT.id, id), eq(handoffT.outgoingId, memberId)))
          .returning({ id: handoffT.id });
        const [inc] = out
          ? [undefined]
          : await db
              .update(handoffT)
              .set({ incomingConfirmedAt: at })
              .where(and(eq(handoffT.id, id), eq(handoffT.incomingId, memberId)))
              .returning({ id: handoffT.id });
        return !!(out ?? inc);
      });
    },

    /** A member's published seats, and the ones they gave up that nobody took yet. */
    mine: (memberId: string): Promise<Seat[]> =>
      rooms.read((db) =>
        db
          .select()
          .from(seatT)
          .where(and(eq(seatT.memberId, memberId), ne(seatT.status, "proposed")))
          .orderBy(asc(seatT.period), asc(seatT.id)),
      ),

    /** The holder gives a published seat up: it stays theirs on paper until someone takes it. */
    async giveUp(seatId: string, memberId: string): Promise<boolean> {
      const given = await rooms.write((db) =>
        db
          .update(seatT)
          .set({ status: "offered", offeredBy: memberId })
          .where(and(eq(seatT.id, seatId), eq(seatT.memberId, memberId), eq(seatT.status, "published")))
          .returning({ id: seatT.id }),
      );
      return given.length === 1;
    },
    /** Seats offered that this member may take under the generator's rules. */
    offersFor(member: RotaMember): Promise<Seat[]> {
      return rooms.read(async (db) => {
        const offered = await db.select().from(seatT).where(eq(seatT.status, "offered")).orderBy(asc(seatT.period));
        const out: Seat[] = [];
        for (const s of offered) {
          if (s.offeredBy !== member.id && (await breaksIn(db, { ...s, memberId: null }, member)) === null) out.push(s);
        }
        return out;
      });
    },
    /**
     * The first eligible member to accept takes the seat; a later accept changes nothing (false). The update is
     * conditional on the seat still being offered, so of two accepts at once (two processes) one takes it.
     */
    accept(seatId: string, member: RotaMember): Promise<boolean> {
      return writeAndCopy(async (db) => {
        const target = await seatIn(db, seatId);
        if (target?.status !== "offered" || target.offeredBy === member.id) return false;
        if ((await breaksIn(db, { ...target, memberId: null }, member)) !== null) return false;
        const taken =
          (
            await db
              .update(seatT)
              .set({ memberId: member.id, status: "published", offeredBy: null, reason: null })
              .where(and(eq(seatT.id, seatId), eq(seatT.status, "offered")))
              .returning({ id: seatT.id })
          ).length === 1;
        if (taken && !target.shadow && target.memberId) await moveHandoffs(db, target, target.memberId, member.id);
        return taken;
      }, SEATS_CHANGE);
    },

    /** A new secret for the member's iCal feed; the old one stops working. */
    async regenerateFeedToken(memberId: string): Promise<string> {
      const secret = randomBytes(24).toString("base64url");
      const row = { memberId, tokenHash: hash(secret), createdAt: now().toISOString() };
      await rooms.write((db) =>
        db.insert(tokenT).values(row).onConflictDoUpdate({ target: tokenT.memberId, set: row }),
      );
      return secret;
    },
    async revokeFeedToken(memberId: string): Promise<void> {
      await rooms.write((db) => db.delete(tokenT).where(eq(tokenT.memberId, memberId)));
    },
    hasFeedToken: async (memberId: string): Promise<boolean> =>
      (await rooms.read((db) => db.select({ m: tokenT.memberId }).from(tokenT).where(eq(tokenT.memberId, memberId))))
        .length > 0,
    memberOfFeedToken: async (secret: string): Promise<string | null> =>
      (
        await rooms.read((db) =>
          db
            .select({ m: tokenT.memberId })
            .from(tokenT)
            .where(eq(tokenT.tokenHash, hash(secret))),
        )
      )[0]?.m ?? null,

    /** Reminders: a claim goes once across processes (the key is the table's primary key). */
    async claimReminder(key: ReminderKey, sentAt: string): Promise<boolean> {
      const claimed = await rooms.write((db) =>
        db
          .insert(reminderT)
          .values({ ...key, sentAt })
          .onConflictDoNothing()
          .returning({ id: reminderT.subjectId }),
      );
      return claimed.length > 0;
    },
    async releaseReminder(key: ReminderKey): Promise<void> {
      await rooms.write((db) =>
        db
          .delete(reminderT)
          .where(
            and(
              eq(reminderT.subjectId, key.subjectId),
              eq(reminderT.memberId, key.memberId),
              eq(reminderT.kind, key.kind),
            ),
          ),
      );
    },
    /** Published seats with a holder, and handoffs with a time between two people: what reminders look at. */
    remindable: () =>
      rooms.read((db) =>
        Promise.all([
          db
            .select()
            .from(seatT)
            .where(and(eq(seatT.status, "published"), isNotNull(seatT.memberId))),
          db
            .select()
            .from(handoffT)
            .where(and(isNotNull(handoffT.at), ne(handoffT.outgoingId, handoffT.incomingId))),
        ]),
      ),
  };
}

/** Generating, publishing and taking seats run one at a time across processes. */
const SEATS_CHANGE = "rota.seats";

export interface ReminderKey {
  subjectId: string;
  memberId: string;
  kind: "seat" | "handoff";
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
