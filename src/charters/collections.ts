import { Article } from "@fedify/vocab";
import { requireCategory } from "../categories/service.ts";
import type { PodDeps, PodFederation } from "../federation/deps.ts";
import { charterToArticle, charterToNote } from "./to-as.ts";
import type { ChartersService } from "./service.ts";

/**
 * The `charter` collection (the current charter, for backfill) and `featured`, where the charter's
 * human summary is pinned so Mastodon shows it at the top of the pod's profile.
 */
export function registerCharterCollections(
  federation: PodFederation,
  { rooms, config }: PodDeps,
  charters: ChartersService,
): void {
  const categoryOf = (slug: string) => requireCategory(rooms, config, slug, "category");
  federation
    .setOrderedCollectionDispatcher("charter", Article, "/users/{identifier}/charter", (ctx, values) => {
      if (values.identifier !== config.handle) return null;
      const charter = charters.current();
      const rotated = charters.rotatedRoles();
      return { items: charter ? [charterToArticle(ctx, config, charter, categoryOf, undefined, rotated)] : [] };
    })
    .setCounter((_ctx, values) => (values.identifier === config.handle ? (charters.current() ? 1 : 0) : null))
    .setFirstCursor(() => "");

  federation.setFeaturedDispatcher("/users/{identifier}/featured", (ctx, identifier) => {
    if (identifier !== config.handle) return null;
    const charter = charters.current();
    return { items: charter ? [charterToNote(ctx, config, charter, charters.rotatedRoles())] : [] };
  });
}
