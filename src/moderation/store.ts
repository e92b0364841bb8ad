import { and, count, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { blockedAccounts, blockedDomains, reports } from "./schema.ts";

export type BlockedDomain = typeof blockedDomains.$inferSelect;
export type BlockedAccount = typeof blockedAccounts.$inferSelect;
export type Report = typeof reports.$inferSelect;

export const listBlockedDomains = (db: Db): BlockedDomain[] =>
  db.select().from(blockedDomains).orderBy(blockedDomains.domain).all();

export const listBlockedAccounts = (db: Db): BlockedAccount[] =>
  db.select().from(blockedAccounts).orderBy(desc(blockedAccounts.createdAt)).all();

export const addBlockedDomain = (db: Db, row: BlockedDomain): boolean =>
  db.insert(blockedDomains).values(row).onConflictDoNothing().run().changes > 0;

export const removeBlockedDomain = (db: Db, domain: string): boolean =>
  db.delete(blockedDomains).where(eq(blockedDomains.domain, domain)).run().changes > 0;

export const addBlockedAccount = (db: Db, row: BlockedAccount): boolean =>
  db.insert(blockedAccounts).values(row).onConflictDoNothing().run().changes > 0;

export const removeBlockedAccount = (db: Db, actorIri: string): boolean =>
  db.delete(blockedAccounts).where(eq(blockedAccounts.actorIri, actorIri)).run().changes > 0;

/** Stores a report; a Flag delivered twice is kept once. */
export const addReport = (db: Db, row: typeof reports.$inferInsert): boolean =>
  db.insert(reports).values(row).onConflictDoNothing().run().changes > 0;

export const listReports = (db: Db, direction: Report["direction"], limit = 100): Report[] =>
  db.select().from(reports).where(eq(reports.direction, direction)).orderBy(desc(reports.createdAt)).limit(limit).all();

export const closeReport = (db: Db, id: string, at: string): boolean =>
  db.update(reports).set({ closedAt: at }).where(eq(reports.id, id)).run().changes > 0;

export const countOpenReportsFrom = (db: Db, actorIri: string): number =>
  db
    .select({ n: count() })
    .from(reports)
    .where(and(eq(reports.direction, "received"), eq(reports.actorIri, actorIri), isNull(reports.closedAt)))
    .get()?.n ?? 0;
