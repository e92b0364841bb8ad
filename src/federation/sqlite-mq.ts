import type {
  MessageQueue,
  MessageQueueDepth,
  MessageQueueEnqueueOptions,
  MessageQueueListenOptions,
} from "@fedify/fedify";
import { uuidv7 } from "uuidv7";
import type { DatabaseHandle } from "../db/client.ts";

export interface SqliteMessageQueueOptions {
  /** How often an idle listener looks for work enqueued by other processes or coming due. */
  pollIntervalMs?: number;
  /** How long a claimed message stays hidden from other listeners; renewed while its handler runs. */
  leaseMs?: number;
  /** How many handlers one listen() call runs at once. */
  concurrency?: number;
  /** Clock in milliseconds since the epoch; tests pass a controllable one. */
  now?: () => number;
}

interface Claimed {
  id: string;
  payload: string;
}

/** Wakes the idle listeners of this process that share a database file; the event type is the file name. */
const wakeups = new EventTarget();

/**
 * Fedify's MessageQueue on the pod's SQLite file (table `queue_messages`).
 *
 * Delivery is at least once: a row is deleted once its handler settles, and a row whose lease
 * ran out (its process died) is handed out again. Messages must be JSON-serialisable.
 */
export class SqliteMessageQueue implements MessageQueue {
  /** Fedify re-enqueues failed messages itself. */
  readonly nativeRetrial = false;

  readonly #sqlite: DatabaseHandle["sqlite"];
  readonly #pollIntervalMs: number;
  readonly #leaseMs: number;
  readonly #concurrency: number;
  readonly #now: () => number;
  readonly #closed = new AbortController();
  readonly #stmt;

  constructor(handle: DatabaseHandle, options: SqliteMessageQueueOptions = {}) {
    this.#sqlite = handle.sqlite;
    this.#pollIntervalMs = options.pollIntervalMs ?? 200;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#concurrency = options.concurrency ?? 4;
    this.#now = options.now ?? Date.now;
    const prepare = (sql: string) => this.#sqlite.prepare(sql);
    this.#stmt = {
      insert: prepare(
        `INSERT INTO queue_messages (id, payload, ordering_key, available_at, claimed_until, created_at)
         VALUES (@id, @payload, @orderingKey, @availableAt, NULL, @createdAt)`,
      ),
      // A message with an ordering key waits while another message with that key is leased
      // or was enqueued before it (even one that is delayed or whose lease ran out).
      next: prepare(
        `SELECT id, payload FROM queue_messages AS m
         WHERE m.available_at <= @now
           AND (m.claimed_until IS NULL OR m.claimed_until <= @now)
           AND (m.ordering_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM queue_messages AS o
             WHERE o.ordering_key = m.ordering_key AND o.id <> m.id
               AND (o.claimed_until > @now OR o.created_at < m.created_at
                    OR (o.created_at = m.created_at AND o.id < m.id))))
         ORDER BY m.available_at, m.created_at, m.id
         LIMIT 1`,
      ),
      lease: prepare("UPDATE queue_messages SET claimed_until = ? WHERE id = ?"),
      delete: prepare("DELETE FROM queue_messages WHERE id = ?"),
      depth: prepare(
        `SELECT COUNT(*) AS queued,
                COALESCE(SUM(available_at <= @now), 0) AS ready,
                COALESCE(SUM(available_at > @now), 0) AS delayed
         FROM queue_messages WHERE claimed_until IS NULL OR claimed_until <= @now`,
      ),
    };
  }

  async enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    return this.enqueueMany([message], options);
  }

  async enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> {
    const now = this.#now();
    const delayMs = Math.max(0, Math.round(options?.delay?.total("millisecond") ?? 0));
    const insertAll = this.#sqlite.transaction(() => {
      for (const message of messages) {
        this.#stmt.insert.run({
          id: uuidv7(),
          payload: JSON.stringify(message),
          orderingKey: options?.orderingKey ?? null,
          availableAt: now + delayMs,
          createdAt: now,
        });
      }
    });
    insertAll.immediate();
    this.#notify();
  }

  /**
   * Runs `handler` on messages until `signal` aborts or close() is called, then resolves
   * once the handlers already running have settled. Never rejects.
   */
  async listen(
    handler: (message: any) => Promise<void> | void,
    options: MessageQueueListenOptions = {},
  ): Promise<void> {
    const signal = options.signal == null ? this.#closed.signal : AbortSignal.any([options.signal, this.#closed.signal]);
    const running = new Set<Promise<void>>();
    while (!signal.aborted && this.#sqlite.open) {
      try {
        let claimed: Claimed | undefined;
        while (running.size < this.#concurrency && (claimed = this.#claim()) != null) {
          const run: Promise<void> = this.#run(handler, claimed).finally(() => running.delete(run));
          running.add(run);
        }
      } catch {
        // SQLITE_BUSY after busy_timeout, or the file was closed under us: try again after a pause.
      }
      await this.#idle(signal);
    }
    await Promise.allSettled(running);
  }

  /** Counts exclude messages currently leased by a listener. */
  async getDepth(): Promise<MessageQueueDepth> {
    return this.#stmt.depth.get({ now: this.#now() }) as MessageQueueDepth;
  }

  /** Stops this instance's listeners. The database handle stays open: it belongs to the caller. */
  close(): void {
    this.#closed.abort();
  }

  #claim(): Claimed | undefined {
    const claim = this.#sqlite.transaction(() => {
      const now = this.#now();
      const row = this.#stmt.next.get({ now }) as Claimed | undefined;
      if (row != null) this.#stmt.lease.run(now + this.#leaseMs, row.id);
      return row;
    });
    // IMMEDIATE takes the write lock before the SELECT, so two connections cannot pick the same row.
    return claim.immediate();
  }

  async #run(handler: (message: any) => Promise<void> | void, { id, payload }: Claimed): Promise<void> {
    const renew = setInterval(() => {
      if (this.#sqlite.open) this.#stmt.lease.run(this.#now() + this.#leaseMs, id);
    }, this.#leaseMs / 2);
    renew.unref();
    try {
      await handler(JSON.parse(payload));
    } catch {
      // Fedify's handler catches, logs and re-enqueues failures itself.
    } finally {
      clearInterval(renew);
      if (this.#sqlite.open) this.#stmt.delete.run(id);
      // The next message with the same ordering key may now be ready, here or in a sibling instance.
      this.#notify();
    }
  }

  #notify(): void {
    wakeups.dispatchEvent(new Event(this.#sqlite.name));
  }

  /** Waits for the poll interval, a wake-up for this file, or the signal. */
  #idle(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        wakeups.removeEventListener(this.#sqlite.name, done);
        resolve();
      };
      const timer = setTimeout(done, this.#pollIntervalMs);
      signal.addEventListener("abort", done);
      wakeups.addEventListener(this.#sqlite.name, done);
    });
  }
}
