import type { Config } from "../config/schema.ts";
import type { RoomDb } from "../db/room-db.ts";
import { versionedCopy } from "../db/versioned-copy.ts";
import {
  MAX_IMAGE_BYTES,
  mediaPath,
  mediaTypeOf,
  removeImage,
  sniffImage,
  storeImage,
  type ImageKind,
} from "./images.ts";
import { settingsStore, type SettingsChange, type StoredSettings } from "./store.ts";

/** What the settings page and the first-run setup choose. */
export interface PodChoices {
  name: string;
  summary: string;
  timeZone: string;
  languages: string[];
  approveFollowers: boolean;
}

/** Why a value was refused, per field: the web app turns each into a message. */
export type ChoiceProblem = "required" | "tooLong" | "timeZone" | "languages";
export type ImageProblem = "missing" | "tooLarge" | "notImage";

const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

const validTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
};

/** "es, en" or "es en" → ["es", "en"]; null when a tag is not a language tag. */
export function parseLanguages(text: string): string[] | null {
  const lowerPrimary = (tag: string) => tag.replace(/^[^-]+/, (primary) => primary.toLowerCase());
  const tags = [
    ...new Set(
      text
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(lowerPrimary),
    ),
  ];
  return tags.length >= 1 && tags.length <= 10 && tags.every((tag) => LANGUAGE_TAG.test(tag)) ? tags : null;
}

/** Checks submitted choices; only the fields given are checked (the rest stay as they are). */
export function checkChoices(input: Partial<Record<keyof PodChoices, string>>): {
  choices: Partial<PodChoices>;
  problems: Partial<Record<keyof PodChoices, ChoiceProblem>>;
} {
  const choices: Partial<PodChoices> = {};
  const problems: Partial<Record<keyof PodChoices, ChoiceProblem>> = {};
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (!name) problems.name = "required";
    else if (name.length > 100) problems.name = "tooLong";
    else choices.name = name;
  }
  if (input.summary !== undefined) {
    const summary = input.summary.trim();
    if (summary.length > 2000) problems.summary = "tooLong";
    else choices.summary = summary;
  }
  if (input.timeZone !== undefined) {
    if (validTimeZone(input.timeZone.trim())) choices.timeZone = input.timeZone.trim();
    else problems.timeZone = "timeZone";
  }
  if (input.languages !== undefined) {
    const languages = parseLanguages(input.languages);
    if (languages) choices.languages = languages;
    else problems.languages = "languages";
  }
  if (input.approveFollowers !== undefined) choices.approveFollowers = input.approveFollowers === "manual";
  return { choices, problems };
}

/**
 * The pod's own choices, kept in the database (pictures as files in DATA_DIR/media). Precedence: the
 * environment (POD_NAME, POD_SUMMARY, POD_TIME_ZONE, POD_LANGUAGES, POD_APPROVE_FOLLOWERS) gives the values
 * until a choice is saved here; from then on the saved choice wins. The choices are laid over the shared
 * Config object, so every reader of config.name (actor, pages, Mastodon API, NodeInfo) sees them at once.
 *
 * The store is asynchronous (SQLite or PostgreSQL); what is read on every request (the config, `current()`) is the
 * copy in memory, loaded by `load()` before the pod serves and again when `savedVersion` (a change counter SQL
 * triggers bump, read cheaply and synchronously: src/db/versions.ts) says another process saved a choice.
 */
export function settingsService(
  deps: { config: Config; now: () => Date },
  hooks: {
    profileChanged: () => Promise<unknown>;
    audit: (memberId: string, action: string, subject: string) => unknown;
  },
  rooms: RoomDb,
  savedVersion: () => number,
) {
  const { config } = deps;
  const store = settingsStore(rooms);
  let stored: StoredSettings | undefined;
  const fromEnvironment: PodChoices = {
    name: config.name,
    summary: config.summary,
    timeZone: config.timeZone,
    languages: [...config.languages],
    approveFollowers: config.approveFollowers,
  };

  function apply(latest: StoredSettings | undefined): void {
    stored = latest;
    config.name = stored?.name ?? fromEnvironment.name;
    config.summary = stored?.summary ?? fromEnvironment.summary;
    config.timeZone = stored?.timeZone ?? fromEnvironment.timeZone;
    config.languages = stored?.languages ? (JSON.parse(stored.languages) as string[]) : fromEnvironment.languages;
    config.approveFollowers = stored?.approveFollowers ?? fromEnvironment.approveFollowers;
    const image = (file: string | null | undefined) =>
      file ? { path: mediaPath(file), mediaType: mediaTypeOf(file) } : null;
    config.avatar = image(stored?.avatarFile);
    config.header = image(stored?.headerFile);
  }
  // Another process (a second web process, the CLI) may save a choice: SQL triggers bump this version.
  const { load: reload, refresh } = versionedCopy(savedVersion, () => store.read(), apply);

  async function write(change: SettingsChange): Promise<void> {
    await store.write(change, deps.now().toISOString());
    await reload();
    await hooks.profileChanged();
  }

  return {
    /** Reads the saved choices and lays them over the config: once before the pod serves. */
    load: reload,
    /**
     * Lays the saved choices over the config again if any process changed them since. Nothing to do (nearly
     * always) costs one cheap counter check and returns undefined, no promise; otherwise the promise settles
     * when the config is up to date (concurrent callers share one read).
     */
    refresh,
    /** The environment's values: what applies to a setting not chosen here. */
    fromEnvironment,
    current(): PodChoices & { avatar: string | null; header: string | null; chosen: (keyof PodChoices)[] } {
      const chosen = (["name", "summary", "timeZone", "languages", "approveFollowers"] as const).filter(
        (key) => stored?.[key] !== null && stored?.[key] !== undefined,
      );
      return {
        name: config.name,
        summary: config.summary,
        timeZone: config.timeZone,
        languages: [...config.languages],
        approveFollowers: config.approveFollowers,
        avatar: config.avatar?.path ?? null,
        header: config.header?.path ?? null,
        chosen,
      };
    },

    /** Saves checked choices (see checkChoices); followers get an Update of the actor when it changed. */
    async choose(choices: Partial<PodChoices>, by: string): Promise<void> {
      const change: SettingsChange = {
        ...choices,
        languages: choices.languages ? JSON.stringify(choices.languages) : undefined,
      };
      for (const key of Object.keys(change) as (keyof SettingsChange)[])
        if (change[key] === undefined) delete change[key];
      if (Object.keys(change).length === 0) return;
      await write(change);
      await hooks.audit(by, "settings.change", Object.keys(change).sort().join(", "));
    },

    /** Checks an uploaded picture by its bytes, keeps it under a content-derived name, and uses it. */
    async setImage(
      kind: ImageKind,
      bytes: Buffer | null,
      truncated: boolean,
      by: string,
    ): Promise<ImageProblem | null> {
      if (truncated || (bytes && bytes.length > MAX_IMAGE_BYTES)) return "tooLarge";
      if (!bytes || bytes.length === 0) return "missing";
      const extension = sniffImage(bytes);
      if (!extension) return "notImage";
      const previous = (await store.read())?.[kind === "avatar" ? "avatarFile" : "headerFile"];
      const file = storeImage(config.dataDir, kind, bytes, extension);
      await write(
        kind === "avatar"
          ? { avatarFile: file, avatarType: mediaTypeOf(file) }
          : { headerFile: file, headerType: mediaTypeOf(file) },
      );
      if (previous && previous !== file) removeImage(config.dataDir, previous);
      await hooks.audit(by, `settings.${kind}`, file);
      return null;
    },
  };
}

export type SettingsService = ReturnType<typeof settingsService>;
