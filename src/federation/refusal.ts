/**
 * Who the pod refuses (moderation's blocks), asked by the rooms that store remote content. Bound after the rooms
 * are made (moderation needs them to forget what a block removes), so rooms hold this and read it at each use.
 */
export interface Refusal {
  refuses(iri: string): boolean;
}

export const refusesNobody = (): Refusal => ({ refuses: () => false });
