import type {
  MessageQueue,
  MessageQueueDepth,
  MessageQueueEnqueueOptions,
  MessageQueueListenOptions,
} from "@fedify/fedify";
import type { Claimed, Handling, PendingEnqueue, PendingRow, QueueOptions, SettledRow } from "./queue-shapes.ts";
import { randomUUID } from "node:crypto";
import { uuidv7 } from "uuidv7";
import type { DatabaseHandle } from "../db/client.ts";
import type { RoomQueries } from "../db/room-db.ts";

export type SqliteMessageQueueOptions = QueueOptions;

/** Ready messages looked at per query while skipping those for busy hosts. */
const CLAIM_PAGE = 64;
const HOST_CACHE_LIMIT = 100_000;

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
  readonly #perHostConcurrency: number;
  /** Row id -> inbox host, so choosing among ready messages does not re-read their payloads. */
  readonly #hosts = new Map<string, string | null>();
  /** Fedify message id -> the row being handled, so a retry can take that row's place in order. */
  readonly #handling = new Map<string, Handling>();
  readonly #now: () => number;
  readonly #closed = new AbortController();
  readonly #stmt;
  /** Enqueued in this turn of the event loop, not yet written. */
  #pending: PendingEnqueue[] = [];
  /** Rows whose handlers settled, not yet deleted (see #settle). */
  #settled: SettledRow[] = [];
  #settleScheduled = false;

  constructor(handle: DatabaseHandle, options: SqliteMessageQueueOptions = {}) {
    this.#sqlite = handle.sqlite;
    this.#pollIntervalMs = options.pollIntervalMs ?? 200;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#concurrency = options.concurrency ?? 32;
    this.#perHostConcurrency = options.perHostConcurrency ?? 4;
    this.#now = options.now ?? Date.now;
    const prepare = (sql: string) => this.#sqlite.prepare(sql);
    this.#stmt = {
      insert: prepare(
        `INSERT INTO queue_messages (id, payload, ordering_key, available_at, claimed_until, created_at)
         VALUES (@id, @payload, @orderingKey, @availableAt, NULL, @createdAt)`,
      ),
      // A message with an ordering key waits while another message with that key is leased
      // or was enqueued before it (even one that is delayed or whose lease ran out).
      // Only ids: the payload (often kilobytes) is read for the one message claimed.
      ready: prepare(
        `SELECT id FROM queue_messages AS m
         WHERE m.available_at <= @now
           AND (m.claimed_until IS NULL OR m.claimed_until <= @now)
           AND (m.ordering_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM queue_messages AS o
             WHERE o.ordering_key = m.ordering_key AND o.id <> m.id
               AND (o.claimed_until > @now OR o.created_at < m.created_at
                    OR (o.created_at = m.created_at AND o.id < m.id))))
         ORDER BY m.available_at, m.created_at, m.id
         LIMIT @limit OFFSET @offset`,
      ),
      payload: prepare("SELECT payload FROM queue_messages WHERE id = ?").pluck(),
      host: prepare("SELECT json_extract(payload, '$.inbox') FROM queue_messages WHERE id = ?").pluck(),
      lease: prepare("UPDATE queue_messages SET claimed_until = ?, claim_token = ? WHERE id = ?"),
      // The holder's token: a listener whose lease ran out and was taken over touches nothing of the new holder's.
      renew: prepare("UPDATE queue_messages SET claimed_until = ? WHERE id = ? AND claim_token = ?"),
      requeue: prepare(
        `UPDATE queue_messages SET payload = @payload, ordering_key = @orderingKey, available_at = @availableAt,
           claimed_until = NULL, claim_token = NULL WHERE id = @id AND claim_token = @token`,
      ),
      delete: prepare("DELETE FROM queue_messages WHERE id = ? AND claim_token = ?"),
      // Read without a lock: an idle listener need not take the write lock (and hold up other processes).
      anyReady: prepare(
        `SELECT 1 FROM queue_messages WHERE available_at <= @now
           AND (claimed_until IS NULL OR claimed_until <= @now) LIMIT 1`,
      ).pluck(),
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

  /**
   * Messages enqueued in one turn of the event loop are written in one transaction (Fedify enqueues
   * a delivery per inbox, one call each); each call resolves once its messages are committed.
   */
  enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> {
    const rows = this.#rowsOf(messages);
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) queueMicrotask(() => this.#flushEnqueued());
      this.#pending.push({ rows, options, resolve, reject });
    });
  }

  /**
   * Writes messages within the caller's RoomDb write on this queue's connection (`_db`: what the write hands its
   * callback; on SQLite the open transaction is the connection's): the event dispatcher commits a handler's
   * deliveries together with marking its event done. Listeners are woken after the write has ended.
   */
  async enqueueWithin(
    _db: RoomQueries,
    messages: readonly unknown[],
    options?: MessageQueueEnqueueOptions,
  ): Promise<void> {
    // Outside a transaction on this connection the rows would be written on their own, whatever became of the
    // caller's write (a queue opened on another connection than the rooms'): refuse rather than send anyway.
    if (!this.#sqlite.inTransaction) throw new Error("enqueueWithin: this queue's connection is not in the write");
    this.#write(this.#rowsOf(messages), options, this.#now());
    setImmediate(() => this.#notify());
  }

  /**
   * Fedify puts a failed message back with the same id, from within its handler. The retry takes the original
   * row's place, so a later message with the same ordering key (a Delete after its Create) cannot overtake it;
   * which row is decided now, while the handler still runs.
   */
  #rowsOf(messages: readonly unknown[]): PendingRow[] {
    return messages.map((message) => {
      const handling = this.#handling.get(messageId(message) ?? "");
      if (!handling || handling.requeued) return { message, requeue: undefined };
      handling.requeued = true;
      return { message, requeue: handling };
    });
  }

  #write(rows: PendingRow[], options: MessageQueueEnqueueOptions | undefined, now: number): void {
    const delayMs = Math.max(0, Math.round(options?.delay?.total("millisecond") ?? 0));
    for (const { message, requeue } of rows) {
      const row = {
        payload: JSON.stringify(message),
        orderingKey: options?.orderingKey ?? null,
        availableAt: now + delayMs,
      };
      // A retry whose lease another listener took over is dropped: that listener delivers the message.
      if (requeue !== undefined) this.#stmt.requeue.run({ ...row, id: requeue.rowId, token: requeue.token });
      else this.#stmt.insert.run({ ...row, id: uuidv7(), createdAt: now });
    }
  }

  #flushEnqueued(): void {
    const batch = this.#pending;
    this.#pending = [];
    const now = this.#now();
    const insertAll = this.#sqlite.transaction(() => {
      for (const { rows, options } of batch) this.#write(rows, options, now);
    });
    try {
      insertAll.immediate();
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    for (const { resolve } of batch) resolve();
    this.#notify();
  }

  /**
   * Runs `handler` on messages until `signal` aborts or close() is called, then resolves
   * once the handlers already running have settled. Never rejects.
   */
  async listen(
    // biome-ignore lint/suspicious/noExplicitAny: Fedify's MessageQueue.listen signature.
    handler: (message: any) => Promise<void> | void,
    options: MessageQueueListenOptions = {},
  ): Promise<void> {
    const signal =
      options.signal == null ? this.#closed.signal : AbortSignal.any([options.signal, this.#closed.signal]);
    const running = new Set<Promise<void>>();
    const perHost = new Map<string, number>();
    while (!signal.aborted && this.#sqlite.open) {
      try {
        const free = this.#concurrency - running.size;
        for (const claimed of free > 0 ? this.#claim(free, perHost) : []) {
          const host = claimed.host;
          if (host != null) perHost.set(host, (perHost.get(host) ?? 0) + 1);
          const run: Promise<void> = this.#run(handler, claimed).finally(() => {
            running.delete(run);
            if (host == null) return;
            const left = perHost.get(host)! - 1;
            if (left > 0) perHost.set(host, left);
            else perHost.delete(host);
          });
          running.add(run);
        }
      } catch {
        // SQLITE_BUSY after busy_timeout, or the file was closed under us: try again after a pause.
      }
      await this.#idle(signal);
    }
    await Promise.allSettled(running);
    this.#deleteSettled();
  }

  /** Counts exclude messages currently leased by a listener. */
  async getDepth(): Promise<MessageQueueDepth> {
    return this.#stmt.depth.get({ now: this.#now() }) as MessageQueueDepth;
  }

  /** Stops this instance's listeners. The database handle stays open: it belongs to the caller. */
  close(): void {
    this.#closed.abort();
  }

  /**
   * Up to `limit` ready messages, in order, skipping those whose inbox host already has perHostConcurrency
   * handlers (`perHost` counts this listener's); leased to the caller in one transaction.
   */
  #claim(limit: number, perHost: Map<string, number>): Claimed[] {
    if (this.#stmt.anyReady.get({ now: this.#now() }) === undefined) return [];
    const claim = this.#sqlite.transaction(() => {
      const now = this.#now();
      const token = randomUUID();
      const claimed: Claimed[] = [];
      const taken = new Map<string, number>();
      const busy = (host: string) => (perHost.get(host) ?? 0) + (taken.get(host) ?? 0) >= this.#perHostConcurrency;
      // A leased row is no longer ready, so the next page starts after the rows that were only skipped.
      for (let offset = 0; claimed.length < limit; ) {
        const ids = this.#stmt.ready.all({ now, limit: CLAIM_PAGE, offset }) as { id: string }[];
        let leased = 0;
        for (const { id } of ids) {
          const host = this.#hostOf(id);
          if (host != null && busy(host)) continue;
          this.#stmt.lease.run(now + this.#leaseMs, token, id);
          leased++;
          if (host != null) taken.set(host, (taken.get(host) ?? 0) + 1);
          claimed.push({ id, payload: this.#stmt.payload.get(id) as string, host, token });
          if (claimed.length === limit) break;
        }
        if (ids.length < CLAIM_PAGE) break;
        offset += ids.length - leased;
      }
      return claimed;
    });
    // IMMEDIATE takes the write lock before the SELECT, so two connections cannot pick the same row.
    return claim.immediate();
  }

  /** The host of the inbox a message goes to (null when it names none); remembered per row. */
  #hostOf(rowId: string): string | null {
    let host = this.#hosts.get(rowId);
    if (host === undefined) {
      let inbox: unknown;
      try {
        inbox = this.#stmt.host.get(rowId);
      } catch {
        // SQLite's JSON functions refuse nesting deeper than 1,000 ("malformed JSON"): without this fallback one
        // such message made every claim throw, and the whole queue stopped.
        inbox = (JSON.parse(this.#stmt.payload.get(rowId) as string) as { inbox?: unknown } | null)?.inbox;
      }
      host = typeof inbox === "string" ? (URL.parse(inbox)?.host ?? null) : null;
      if (this.#hosts.size >= HOST_CACHE_LIMIT) this.#hosts.clear();
      this.#hosts.set(rowId, host);
    }
    return host;
  }

  // biome-ignore lint/suspicious/noExplicitAny: Fedify's MessageQueue.listen signature.
  async #run(handler: (message: any) => Promise<void> | void, { id, payload, token }: Claimed): Promise<void> {
    const handling: Handling = { rowId: id, token, requeued: false };
    const renew = setInterval(() => {
      if (this.#sqlite.open && !handling.requeued) this.#stmt.renew.run(this.#now() + this.#leaseMs, id, token);
    }, this.#leaseMs / 2);
    renew.unref();
    let fedifyId: string | undefined;
    try {
      const message: unknown = JSON.parse(payload);
      fedifyId = messageId(message);
      if (fedifyId != null) this.#handling.set(fedifyId, handling);
      await handler(message);
    } catch {
      // Fedify's handler catches, logs and re-enqueues failures itself.
    } finally {
      if (fedifyId != null && this.#handling.get(fedifyId) === handling) this.#handling.delete(fedifyId);
      clearInterval(renew);
      this.#settle(handling.requeued ? null : handling);
    }
  }

  /**
   * Rows whose handlers settle in one turn of the event loop are deleted in one transaction; then the next
   * message with the same ordering key may be ready, here or in a sibling instance, so listeners wake.
   */
  #settle(row: SettledRow | null): void {
    if (!this.#settleScheduled) {
      this.#settleScheduled = true;
      setImmediate(() => {
        this.#settleScheduled = false;
        try {
          this.#deleteSettled();
        } catch {
          // The rows stay leased until their lease runs out, then are handed out again (at least once).
        }
        this.#notify();
      });
    }
    if (row != null) this.#settled.push({ rowId: row.rowId, token: row.token });
  }

  #deleteSettled(): void {
    if (this.#settled.length === 0 || !this.#sqlite.open) return;
    const rows = this.#settled;
    this.#settled = [];
    this.#sqlite.transaction(() => {
      for (const { rowId, token } of rows) this.#stmt.delete.run(rowId, token);
    })();
    for (const { rowId } of rows) this.#hosts.delete(rowId);
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

/** The id Fedify gives each queued message (kept when it re-enqueues the message for a retry). */
function messageId(message: unknown): string | undefined {
  const id = message != null && typeof message === "object" ? (message as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : undefined;
}
