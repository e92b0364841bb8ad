import type { FastifyPluginAsync } from "fastify";

/**
 * What apps call at start-up that this pod has nothing for: valid, empty answers (an app that gets 404
 * here often shows an error screen). Each is listed with the scope Mastodon asks for it.
 */
const EMPTY_LISTS: [path: string, scope?: string][] = [
  ["/api/v1/filters", "read:filters"],
  ["/api/v2/filters", "read:filters"],
  ["/api/v1/lists", "read:lists"],
  ["/api/v1/announcements", "read"],
  ["/api/v1/custom_emojis"],
  ["/api/v1/trends"],
  ["/api/v1/trends/tags"],
  ["/api/v1/trends/statuses"],
  ["/api/v1/trends/links"],
  ["/api/v1/suggestions", "read"],
  ["/api/v2/suggestions", "read"],
  ["/api/v1/followed_tags", "read:follows"],
  ["/api/v1/featured_tags", "read:accounts"],
  ["/api/v1/endorsements", "read:accounts"],
  ["/api/v1/conversations", "read:statuses"],
  ["/api/v1/scheduled_statuses", "read:statuses"],
  ["/api/v1/bookmarks", "read:bookmarks"],
  ["/api/v1/favourites", "read:favourites"],
  ["/api/v1/mutes", "read:mutes"],
  ["/api/v1/instance/peers"],
  ["/api/v1/instance/activity"],
  ["/api/v1/instance/rules"],
];

export const emptyRoutes: FastifyPluginAsync = async (app) => {
  for (const [path, scope] of EMPTY_LISTS) {
    app.get(path, { config: { scope, user: scope !== undefined } }, async () => []);
  }
  app.get("/api/v1/preferences", { config: { scope: "read:accounts", user: true } }, async () => ({
    "posting:default:visibility": "public",
    "posting:default:sensitive": false,
    "posting:default:language": null,
    "reading:expand:media": "default",
    "reading:expand:spoilers": false,
  }));
};
