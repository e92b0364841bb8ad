import type { AuditEntry } from "../members/model.ts";
import type { RotationService } from "../rotation/service.ts";
import { type LoadSettings, type LoadSignals, loadSignals } from "./load.ts";

const WEEK_MS = 7 * 86_400_000;

export interface Sources {
  rota: RotationService;
  /** The audit log's entries of one action at or after an instant. */
  auditSince: (action: string, since: Date) => Promise<AuditEntry[]>;
  now: Date;
  timeZone: string;
  settings: LoadSettings;
}

/**
 * Each member's load signals, from what the rotation room already keeps: the published seats they hold, and the
 * seats they gave up — the audit log's "rota.giveUp" entries say who and when, the seat says its period.
 */
export async function loadsOf(memberIds: string[], { rota, auditSince, now, timeZone, settings }: Sources) {
  const dropOuts = new Map<string, { period: string; at: string }[]>();
  // A week more than the window: the window starts on a Monday in the pod's zone.
  const since = new Date(now.getTime() - (settings.windowWeeks + 1) * WEEK_MS);
  for (const entry of await auditSince("rota.giveUp", since)) {
    if (!entry.memberId) continue;
    const seat = await rota.seat(entry.subject);
    if (!seat) continue;
    dropOuts.set(entry.memberId, [...(dropOuts.get(entry.memberId) ?? []), { period: seat.period, at: entry.at }]);
  }
  const out = new Map<string, LoadSignals>();
  for (const id of memberIds) {
    const seats = (await rota.mine(id)).filter((s) => s.status === "published");
    out.set(id, loadSignals({ seats, dropOuts: dropOuts.get(id) ?? [], now, timeZone, settings }));
  }
  return out;
}
