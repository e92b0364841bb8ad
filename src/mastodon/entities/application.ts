import type { OAuthApp } from "../oauth.ts";

/** A registered app → Mastodon's Application entity; the secret only when it was just made. */
export function toApplication(app: OAuthApp, clientSecret?: string) {
  return {
    id: app.id,
    name: app.name,
    website: app.website,
    scopes: app.scopes.split(" "),
    redirect_uri: app.redirectUris.split("\n").join(" "),
    redirect_uris: app.redirectUris.split("\n"),
    vapid_key: "",
    client_id: app.clientId,
    ...(clientSecret ? { client_secret: clientSecret, client_secret_expires_at: 0 } : {}),
  };
}
