/**
 * The names of the published kinds, the one list the view's tables and filters type their `kind` by.
 * A leaf module (the registry, kinds.ts, imports every room; this imports nothing), so the confederation
 * can name kinds without depending on the rooms. kinds.ts checks at load that both lists agree.
 */
export const KIND_NAMES = ["offer", "need", "charter", "practice", "memory", "report"] as const;
export type ViewKind = (typeof KIND_NAMES)[number];
