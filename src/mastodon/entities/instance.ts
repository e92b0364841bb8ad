import type { Config } from "../../config/schema.ts";
import { SOFTWARE_NAME, SOFTWARE_VERSION } from "../../version.ts";
import type { AccountEntity } from "./account.ts";

/**
 * The Mastodon API version this pod speaks, as apps read it from `version`. Apps gate features on it:
 * 4.3 would make them ask for grouped notifications (/api/v2/notifications), which the pod lacks.
 */
export const MASTODON_VERSION = "4.2.0";
export const MAX_CHARACTERS = 5000;

const configuration = {
  accounts: { max_featured_tags: 0, max_pinned_statuses: 0 },
  statuses: { max_characters: MAX_CHARACTERS, max_media_attachments: 0, characters_reserved_per_url: 23 },
  media_attachments: {
    supported_mime_types: [],
    image_size_limit: 0,
    image_matrix_limit: 0,
    video_size_limit: 0,
    video_frame_rate_limit: 0,
    video_matrix_limit: 0,
  },
  polls: { max_options: 0, max_characters_per_option: 0, min_expiration: 0, max_expiration: 0 },
};

/** No streaming API: apps that connect get a refusal and fall back to polling, as with a busy server. */
const streamingUrl = (config: Config) => `${config.url.protocol === "https:" ? "wss" : "ws"}://${config.url.host}`;

const version = () => `${MASTODON_VERSION} (compatible; ${SOFTWARE_NAME} ${SOFTWARE_VERSION})`;

/** The pod → Mastodon's v1 Instance entity. */
export function toInstanceV1(config: Config, contact: AccountEntity, stats: { statuses: number; domains: number }) {
  return {
    uri: config.url.host,
    title: config.name,
    short_description: config.summary,
    description: config.summary,
    email: "",
    version: version(),
    urls: { streaming_api: streamingUrl(config) },
    stats: { user_count: 1, status_count: stats.statuses, domain_count: stats.domains },
    thumbnail: null,
    languages: config.languages,
    registrations: false,
    approval_required: true,
    invites_enabled: false,
    configuration,
    contact_account: contact,
    rules: [],
  };
}

/** The pod → Mastodon's v2 Instance entity. */
export function toInstanceV2(config: Config, contact: AccountEntity) {
  return {
    domain: config.url.host,
    title: config.name,
    version: version(),
    source_url: "",
    description: config.summary,
    usage: { users: { active_month: 1 } },
    thumbnail: { url: new URL(config.avatar?.path ?? "/avatar.png", config.url).href },
    icon: [],
    languages: config.languages,
    configuration: {
      urls: { streaming: streamingUrl(config) },
      vapid: { public_key: "" },
      ...configuration,
      translation: { enabled: false },
    },
    registrations: { enabled: false, approval_required: true, message: null },
    api_versions: { mastodon: 2 },
    contact: { email: "", account: contact },
    rules: [],
  };
}
