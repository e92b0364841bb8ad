import { AsyncLocalStorage } from "node:async_hooks";
import type { MessageQueue, MessageQueueEnqueueOptions } from "@fedify/fedify";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import * as store from "./store.ts";

/** What a handler knows of the event it runs for. */
export interface EventRun {
  id: string;
  attempts: number;
}

/**
 * Runs what must follow an event. It may run again after a crash or a failure, so it must be idempotent:
 * its database writes keyed by something stable (the event id, an object IRI), and its deliveries only
 * through the federation's queue, which the dispatcher commits together with marking the event done.
 */
// biome-ignore lint/suspicious/noExplicitAny: each kind of event has its own payload; handlers type theirs.
export type EventHandler = (payload: any, event: EventRun) => Promise<void>;

/**
 * A queue that can write within a RoomDb write of the rooms' database (the pod's SqliteMessageQueue on its
 * connection, or PostgresMessageQueue on its pool).
 */
export interface TransactionalQueue extends MessageQueue {
  enqueueWithin(db: RoomQueries, messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void>;
}

/** One enqueue call made by a handler, held until the event is marked done. */
interface Held {
  messages: readonly unknown[];
  options?: MessageQueueEnqueueOptions;
}

const MAX_ATTEMPTS = 20;
const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 5 * 60_000;
/** How often a running server looks for events left by another process (the CLI) or by a crash. */
const POLL_MS = 2_000;
/** On PostgreSQL, how long an event taken by one worker is left to it before another may take it (a dead worker). */
const LEASE_MS = 60_000;

/**
 * Test only: with POD_TEST_CRASH_AFTER_COMMIT=1 the process kills itself (SIGKILL) when it is about to run
 * an event's consequences, i.e. right after the change committed and before anything was delivered. It is
 * what the crash-window test needs; a production pod (NODE_ENV=production) ignores it.
 */
const crashAfterCommit = () => process.env.POD_TEST_CRASH_AFTER_COMMIT === "1" && process.env.NODE_ENV !== "production";

/**
 * The event dispatcher: services record an event in the same transaction as their change (`record`); the
 * dispatcher runs the event's handler afterwards, in order, with retries, and survives restarts (events
 * live in the rooms' database, SQLite or PostgreSQL). A handler's enqueued deliveries are held and written to the queue in
 * the one transaction that marks the event done, so a retry after a crash never sends anything twice.
 */
export class EventDispatcher {
  readonly #deps: PodDeps;
  readonly #rooms: RoomDb;
  readonly #queue: TransactionalQueue;
  readonly #events: ReturnType<typeof store.eventsStore>;
  readonly #handlers = new Map<string, EventHandler>();
  readonly #holding = new AsyncLocalStorage<Held[]>();
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  /** `queue` must write in `rooms`' transactions: on SQLite, the same connection (checked on every commit). */
  constructor(deps: PodDeps, queue: TransactionalQueue) {
    const { rooms } = deps;
    this.#deps = deps;
    this.#rooms = rooms;
    this.#queue = queue;
    this.#events = store.eventsStore(rooms);
  }

  /** The queue to give the federation: outside a handler it is the pod's queue; inside, it holds messages. */
  get queue(): MessageQueue {
    const queue = this.#queue;
    const hold = (messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> | undefined => {
      const held = this.#holding.getStore();
      if (!held) return undefined;
      held.push({ messages: [...messages], options });
      return Promise.resolve();
    };
    return {
      get nativeRetrial() {
        return queue.nativeRetrial;
      },
      enqueue: (message, options) => hold([message], options) ?? queue.enqueue(message, options),
      enqueueMany: (messages, options) => hold(messages, options) ?? enqueueAll(queue, messages, options),
      ...(queue.getDepth ? { getDepth: () => queue.getDepth!() } : {}),
      listen: (handler, options) => queue.listen(handler, options),
    };
  }

  on(kind: string, handler: EventHandler): void {
    if (this.#handlers.has(kind)) throw new Error(`a handler for ${kind} events is already registered`);
    this.#handlers.set(kind, handler);
  }

  /**
   * Records an event in a RoomDb write (`db`: what the write hands its callback), for rooms that moved onto the
   * RoomDb: it commits or rolls back with that write, and `settle()` after the write runs it like any other.
   */
  recordWithin(db: RoomQueries, kind: string, payload: unknown, orderingKey: string | null = null): Promise<string> {
    return this.#events.recordWithin(db, kind, payload, orderingKey, this.#deps.now());
  }

  /** Runs every due event now; resolves once they have been tried. Services await it after their change. */
  settle(): Promise<void> {
    // From within a handler, waiting for the chain would wait for itself; the running pass picks the event up.
    if (this.#holding.getStore()) return Promise.resolve();
    const run = this.#chain.then(() => this.#drain());
    this.#chain = run.catch((error: unknown) => this.#deps.log.error({ err: error }, "running events failed"));
    return this.#chain;
  }

  /** Runs what a crash or another process left, then keeps looking every few seconds. */
  start(): void {
    this.#stopped = false;
    const tick = () => {
      void this.settle().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, POLL_MS).unref();
      });
    };
    tick();
  }

  /** Stops polling and waits for the event being run, if any. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#chain;
  }

  async #drain(): Promise<void> {
    // An event put back for a retry is due later, so each pass moves on; `tried` is the bound regardless.
    const tried = new Set<string>();
    for (
      let event: store.HeldEvent | undefined;
      (event = await this.#events.claimNext(this.#deps.now().getTime(), LEASE_MS)) && !tried.has(event.id);
    ) {
      tried.add(event.id);
      await this.#run(event);
    }
  }

  async #run(event: store.HeldEvent): Promise<void> {
    const handler = this.#handlers.get(event.kind);
    const attempts = event.attempts + 1;
    try {
      if (!handler) throw new Error(`no handler for ${event.kind} events`);
      if (crashAfterCommit()) process.kill(process.pid, "SIGKILL");
      const held: Held[] = [];
      await this.#holding.run(held, () => handler(event.payload, { id: event.id, attempts }));
      await this.#commit(event, held);
    } catch (error) {
      const delay = Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), LONGEST_RETRY_MS);
      const dueAt = attempts >= MAX_ATTEMPTS ? null : this.#deps.now().getTime() + delay;
      const message = error instanceof Error ? error.message : String(error);
      await this.#events.markRetry(event, attempts, dueAt, message);
      const fields = { err: error, event: event.id, kind: event.kind, attempts };
      if (dueAt === null) this.#deps.log.error(fields, "an event's consequences failed too often; given up");
      else this.#deps.log.warn({ ...fields, retryInMs: delay }, "an event's consequences failed; will retry");
    }
  }

  /**
   * Marks the event done and writes the held deliveries to the queue, all or nothing, in one RoomDb write: the
   * queue writes within it. An event another process finished, retried or took over meanwhile drops what was held.
   */
  async #commit(event: store.Hold, held: Held[]): Promise<void> {
    await this.#rooms.write(async (db) => {
      if (!(await this.#events.markDoneWithin(db, event, this.#deps.now()))) return;
      for (const { messages, options } of held) await this.#queue.enqueueWithin(db, messages, options);
    });
  }
}

function enqueueAll(queue: MessageQueue, messages: readonly unknown[], options?: MessageQueueEnqueueOptions) {
  if (queue.enqueueMany) return queue.enqueueMany(messages, options);
  return Promise.all(messages.map((message) => queue.enqueue(message, options))).then(() => {});
}

/**
 * Gives the activities a handler sends ids made from the event's id instead of fresh ones, so running the
 * event again records and sends the same activities (the outbox keeps one row per activity id).
 * `…#create-<random>` becomes `…#create-<event id>`; a second activity with the same id gets a suffix.
 */
export function withEventIds<T extends { id: URL | null; clone(values: { id: URL }): T }>(
  activities: T[],
  eventId: string,
): T[];
export function withEventIds<T extends { activity: A }, A extends { id: URL | null; clone(values: { id: URL }): A }>(
  deliveries: T[],
  eventId: string,
): T[];
// biome-ignore lint/suspicious/noExplicitAny: the implementation of the typed overloads above.
export function withEventIds(items: any[], eventId: string): any[] {
  const used = new Set<string>();
  const stable = (activity: { id: URL | null; clone(values: { id: URL }): unknown }) => {
    if (!activity.id) return activity;
    const id = new URL(activity.id.href);
    const verb = id.hash.slice(1).split("-")[0] || "activity";
    id.hash = `${verb}-${eventId}`;
    for (let n = 2; used.has(id.href); n++) id.hash = `${verb}-${eventId}-${n}`;
    used.add(id.href);
    return activity.clone({ id });
  };
  return items.map((item) =>
    "activity" in item && !("clone" in item) ? { ...item, activity: stable(item.activity) } : stable(item),
  );
}
