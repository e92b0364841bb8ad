export interface Volunteer {
  id: string;
  name: string;
  /** When they volunteered (ISO); who volunteered first goes first among those who never had a turn. */
  since: string;
}

export type TurnReason =
  | { key: "nobody" }
  | { key: "first"; name: string; since: string }
  | { key: "longest"; name: string; last: string; count: number };

export interface Turn {
  id: string | null;
  reason: TurnReason;
}

/**
 * Whose turn it is among volunteers, like a rotating role: whoever never had a turn (earliest volunteer first),
 * then whoever had theirs longest ago. `last` maps a volunteer to their latest turn (ISO); `exclude` are people
 * who cannot take this turn (a mediator cannot be involved in the case).
 */
export function nextTurn(volunteers: Volunteer[], last: Map<string, string>, exclude: Set<string> = new Set()): Turn {
  const eligible = volunteers
    .filter((v) => !exclude.has(v.id))
    .sort(
      (a, b) =>
        (last.get(a.id) ?? "").localeCompare(last.get(b.id) ?? "") ||
        a.since.localeCompare(b.since) ||
        a.id.localeCompare(b.id),
    );
  const chosen = eligible[0];
  if (!chosen) return { id: null, reason: { key: "nobody" } };
  const lastTurn = last.get(chosen.id);
  return lastTurn
    ? { id: chosen.id, reason: { key: "longest", name: chosen.name, last: lastTurn, count: eligible.length } }
    : { id: chosen.id, reason: { key: "first", name: chosen.name, since: chosen.since } };
}

/** The turns for several occasions in time order: each chosen person counts as having had their turn then. */
export function turnsFor(volunteers: Volunteer[], last: Map<string, string>, occasions: string[]): Turn[] {
  const seen = new Map(last);
  return occasions.map((at) => {
    const turn = nextTurn(volunteers, seen);
    if (turn.id) seen.set(turn.id, at);
    return turn;
  });
}
