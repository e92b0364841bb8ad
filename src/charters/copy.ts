import { roomsOf, type RoomDb } from "../db/room-db.ts";
import { versionedCopy } from "../db/versioned-copy.ts";
import type { Logger } from "../log/logger.ts";
import { chartersStore, type CharterRow } from "./store.ts";

export type CharterCopy = ReturnType<typeof charterCopy>;

/**
 * The charter's latest revision (and when the first was published), read synchronously: the actor document,
 * the service map, collections, the home page and other rooms ask for it inside synchronous code. The store is
 * asynchronous (SQLite or PostgreSQL), so this is a copy in memory, loaded before the pod serves and again when
 * `savedVersion` (the `actor` change counter, which SQL triggers bump on every change to charter_revisions) says
 * a process changed it. A read that sees the counter moved starts the reload in the background; the request
 * hook (src/app.ts) awaits `refresh()`, so a request sees another process's change once the counter shows it.
 */
export function charterCopy(rooms: RoomDb, savedVersion: () => number, onError: (error: unknown) => void) {
  const store = chartersStore(rooms);
  let latest: CharterRow | undefined;
  let firstPublishedAt: string | undefined;
  const { load, refresh } = versionedCopy(
    savedVersion,
    () => Promise.all([store.latest(), store.firstPublishedAt()]),
    ([row, first]) => {
      latest = row;
      firstPublishedAt = first;
    },
  );

  return {
    load,
    refresh,
    latest(): CharterRow | undefined {
      refresh()?.catch(onError);
      return latest;
    },
    firstPublishedAt: () => firstPublishedAt,
  };
}

const copies = new WeakMap<RoomDb, CharterCopy>();

/** One copy per database (so per pod), whoever asks: the pod loads it before serving (src/pod.ts). */
export function charterCopyOf(deps: { rooms: RoomDb; log?: Logger }): CharterCopy {
  const rooms = roomsOf(deps);
  let copy = copies.get(rooms);
  if (!copy) {
    const onError = (error: unknown) => deps.log?.warn({ err: error }, "reading the charter failed");
    copy = charterCopy(rooms, rooms.version("actor"), onError);
    copies.set(rooms, copy);
  }
  return copy;
}
