/**
 * The rota generator: who holds each seat of each role in the coming periods. Pure: it reads the roles, the
 * members' stated availability and boundaries, and who held what before, and proposes a rota a coordinator then
 * adjusts and publishes. Every seat (and every seat it could not fill) comes with the reason, as a message key
 * and its values, so the app can say it in the member's language.
 *
 * The rules, in order:
 * - A member is eligible for a seat when they are available that period, the role's risk is within what they
 *   accept, they have not declined the role, they hold no other seat that period, and holding it would not take
 *   them past the role's tenure limit (at most N consecutive periods).
 * - Seats go to experienced members (they have the role's skills, or held or shadowed it before), whoever held
 *   the role least recently first (never is least recent); then whoever holds fewer seats in the rota so far;
 *   then by id, so the same input always gives the same rota.
 * - Newcomers (neither the skills nor a period in the role) never hold a seat alone: each period one of them,
 *   if any is eligible, shadows the first holder of the role. A shadowed period counts as experience.
 */

export const RISK_LEVELS = ["low", "medium", "high"] as const;
export type Risk = (typeof RISK_LEVELS)[number];

export interface RoleSpec {
  id: string;
  name: string;
  /** How many people hold the role each period. */
  seats: number;
  skills: readonly string[];
  risk: Risk;
  /** At most this many consecutive periods in the role. */
  tenureLimit: number;
}

export interface MemberSpec {
  id: string;
  name: string;
  skills: readonly string[];
  /** The highest risk they accept (their own boundary). */
  maxRisk: Risk;
  /** Periods they said they cannot take. */
  unavailable: readonly string[];
  /** Roles they do not consent to hold. */
  declines: readonly string[];
}

/** One seat held in a past (or just generated) period. */
export interface Holding {
  period: string;
  roleId: string;
  memberId: string;
  shadow: boolean;
}

/** Why a member could not take a seat (an unfilled seat lists them, cause by cause). */
export type Cause = "unavailable" | "risk" | "declines" | "busy" | "tenure" | "newcomer";

export interface Reason {
  key:
    | "rota.reason.leastRecent"
    | "rota.reason.neverHeld"
    | "rota.reason.shadowedBefore"
    | "rota.reason.shadow"
    | "rota.reason.unfilled";
  values: Record<string, string>;
  /** Unfilled seats: who could not take it and why, in the order of CAUSES. */
  causes?: { cause: Cause; names: string[] }[];
}

export const CAUSES: readonly Cause[] = ["unavailable", "risk", "declines", "busy", "tenure", "newcomer"];

export interface ProposedSeat {
  period: string;
  roleId: string;
  /** Null when no eligible experienced member was left for the seat. */
  memberId: string | null;
  shadow: boolean;
  /** A shadow's experienced holder. */
  beside: string | null;
  reason: Reason;
}

export interface RotaInput {
  roles: readonly RoleSpec[];
  members: readonly MemberSpec[];
  /** The periods to fill, in order (e.g. "2026-W49"). Past periods come in `history`. */
  periods: readonly string[];
  /** Earlier periods' seats, in period order (oldest first). */
  history: readonly Holding[];
}

const riskRank = (risk: Risk) => RISK_LEVELS.indexOf(risk);

type Refusal = Exclude<Cause, "newcomer">;

export function generateRota(input: RotaInput): ProposedSeat[] {
  const members = [...input.members].sort((a, b) => compareIds(a.id, b.id));
  const byId = new Map(members.map((m) => [m.id, m]));
  const unavailable = new Map(members.map((m) => [m.id, new Set(m.unavailable)]));
  const declines = new Map(members.map((m) => [m.id, new Set(m.declines)]));
  const skills = new Map(members.map((m) => [m.id, new Set(m.skills)]));

  /** Per role: each member's last period index in it, and the run of consecutive periods ending at the last one. */
  const periodIndex = new Map<string, number>();
  const allPeriods = [...new Set([...input.history.map((h) => h.period), ...input.periods])];
  for (const [index, period] of allPeriods.entries()) periodIndex.set(period, index);
  const last = new Map<string, Map<string, number>>();
  const run = new Map<string, Map<string, number>>();
  const experienced = new Map<string, Set<string>>();
  const seatsHeld = new Map<string, number>();

  const shadowed = new Map<string, Set<string>>();
  const record = (holding: Holding) => {
    setOf(experienced, holding.roleId).add(holding.memberId);
    // A shadowed period is experience, not tenure: the shadow did not hold the role.
    if (holding.shadow) return void setOf(shadowed, holding.roleId).add(holding.memberId);
    const index = periodIndex.get(holding.period)!;
    const lasts = mapOf(last, holding.roleId);
    const runs = mapOf(run, holding.roleId);
    const previous = lasts.get(holding.memberId);
    if (previous === index) return;
    runs.set(holding.memberId, previous === index - 1 ? (runs.get(holding.memberId) ?? 0) + 1 : 1);
    lasts.set(holding.memberId, index);
  };
  for (const holding of input.history) record(holding);

  const out: ProposedSeat[] = [];
  for (const period of input.periods) {
    const index = periodIndex.get(period)!;
    const busy = new Set<string>();
    const refusal = (member: MemberSpec, role: RoleSpec): Refusal | null => {
      if (unavailable.get(member.id)!.has(period)) return "unavailable";
      if (riskRank(role.risk) > riskRank(member.maxRisk)) return "risk";
      if (declines.get(member.id)!.has(role.id)) return "declines";
      if (busy.has(member.id)) return "busy";
      const lastIndex = last.get(role.id)?.get(member.id);
      const consecutive = lastIndex === index - 1 ? (run.get(role.id)?.get(member.id) ?? 0) : 0;
      if (consecutive >= role.tenureLimit) return "tenure";
      return null;
    };
    const isExperienced = (member: MemberSpec, role: RoleSpec) =>
      experienced.get(role.id)?.has(member.id) === true || role.skills.every((s) => skills.get(member.id)!.has(s));

    const holdings: Holding[] = [];
    for (const role of input.roles) {
      const holders: string[] = [];
      for (let seat = 0; seat < role.seats; seat++) {
        const candidates = members.filter((m) => refusal(m, role) === null && isExperienced(m, role));
        candidates.sort(
          (a, b) =>
            (last.get(role.id)?.get(a.id) ?? -1) - (last.get(role.id)?.get(b.id) ?? -1) ||
            (seatsHeld.get(a.id) ?? 0) - (seatsHeld.get(b.id) ?? 0) ||
            compareIds(a.id, b.id),
        );
        const chosen = candidates[0];
        if (!chosen) {
          out.push({ period, roleId: role.id, memberId: null, shadow: false, beside: null, reason: unfilled(role) });
          continue;
        }
        busy.add(chosen.id);
        holders.push(chosen.id);
        seatsHeld.set(chosen.id, (seatsHeld.get(chosen.id) ?? 0) + 1);
        holdings.push({ period, roleId: role.id, memberId: chosen.id, shadow: false });
        const lastIndex = last.get(role.id)?.get(chosen.id);
        out.push({
          period,
          roleId: role.id,
          memberId: chosen.id,
          shadow: false,
          beside: null,
          reason:
            lastIndex === undefined
              ? {
                  key: shadowed.get(role.id)?.has(chosen.id) ? "rota.reason.shadowedBefore" : "rota.reason.neverHeld",
                  values: { member: chosen.name, role: role.name },
                }
              : {
                  key: "rota.reason.leastRecent",
                  values: { member: chosen.name, role: role.name, period: allPeriods[lastIndex]! },
                },
        });
      }

      const newcomer = holders.length
        ? members
            .filter((m) => refusal(m, role) === null && !isExperienced(m, role))
            .sort((a, b) => (seatsHeld.get(a.id) ?? 0) - (seatsHeld.get(b.id) ?? 0) || compareIds(a.id, b.id))[0]
        : undefined;
      if (newcomer) {
        const holder = byId.get(holders[0]!)!;
        busy.add(newcomer.id);
        seatsHeld.set(newcomer.id, (seatsHeld.get(newcomer.id) ?? 0) + 1);
        holdings.push({ period, roleId: role.id, memberId: newcomer.id, shadow: true });
        const missing = role.skills.filter((s) => !skills.get(newcomer.id)!.has(s));
        out.push({
          period,
          roleId: role.id,
          memberId: newcomer.id,
          shadow: true,
          beside: holder.id,
          reason: {
            key: "rota.reason.shadow",
            values: { member: newcomer.name, holder: holder.name, role: role.name, skills: missing.join(", ") },
          },
        });
      }
    }
    // Recorded after the period: a member's run in a role only counts periods before the one being filled.
    for (const holding of holdings) record(holding);

    function unfilled(role: RoleSpec): Reason {
      const why = new Map<Cause, string[]>();
      for (const member of members) {
        const cause = refusal(member, role) ?? (isExperienced(member, role) ? null : "newcomer");
        if (cause) mapList(why, cause).push(member.name);
      }
      const causes = CAUSES.filter((cause) => why.has(cause)).map((cause) => ({ cause, names: why.get(cause)! }));
      return { key: "rota.reason.unfilled", values: { role: role.name }, causes };
    }
  }
  return out;
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function mapOf<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}

function setOf<K>(map: Map<K, Set<string>>, key: K): Set<string> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Set()));
  return inner;
}

function mapList<K>(map: Map<K, string[]>, key: K): string[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
