import type { AuditEntry } from "../members/model.ts";
import type { RotationService } from "../rotation/service.ts";
import { type LoadSettings, type LoadSignals, loadSignals } from "./load.ts";

/** How many of the latest audit entries are searched for seats given up (the rotation room logs each one). */
const AUDIT_DEPTH = 20_000;

export interface Sources {
  rota: RotationService;
  auditPage: (limit: number) => AuditEntry[];
  now: Date;
  timeZone: string;
  settings: LoadSettings;
}

/**
 * Each member's load signals, from what the rotation room already keeps: the published seats they hold, and the
 * seats they gave up — the audit log's "rota.giveUp" entries say who and when, the seat says its period.
 */
export function loadsOf(memberIds: string[], { rota, auditPage, now, timeZone, settings }: Sources) {
  const dropOuts = new Map<string, { period: string; at: string }[]>();
  for (const entry of auditPage(AUDIT_DEPTH)) {
    if (entry.action !== "rota.giveUp" || !entry.memberId) continue;
    const seat = rota.seat(entry.subject);
    if (!seat) continue;
    dropOuts.set(entry.memberId, [...(dropOuts.get(entry.memberId) ?? []), { period: seat.period, at: entry.at }]);
  }
  const out = new Map<string, LoadSignals>();
  for (const id of memberIds) {
    const seats = rota.mine(id).filter((s) => s.status === "published");
    out.set(id, loadSignals({ seats, dropOuts: dropOuts.get(id) ?? [], now, timeZone, settings }));
  }
  return out;
}
