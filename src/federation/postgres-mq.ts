import type {
  MessageQueue,
  MessageQueueDepth,
  MessageQueueEnqueueOptions,
  MessageQueueListenOptions,
} from "@fedify/fedify";
import type { Claimed, Handling, PendingEnqueue, PendingRow, QueueOptions, SettledRow } from "./queue-shapes.ts";
import { randomUUID } from "node:crypto";
import { uuidv7 } from "uuidv7";
import { createSchemaOnce, inTransaction, type PostgresClient, type PostgresPool } from "../db/postgres.ts";
import { postgresClientOf } from "../db/postgres-write-client.ts";
import type { RoomQueries } from "../db/room-db.ts";

export type PostgresMessageQueueOptions = QueueOptions;

const TABLE = "fedify_queue_messages";
/** Listeners in every process LISTEN here; a notification means "a message may have become ready". */
const CHANNEL = "fedify_queue_wakeup";
/** Ready messages looked at per query while skipping those for busy hosts. */
const CLAIM_PAGE = 64;

/** Payloads are JSON text, not jsonb: jsonb refuses "\u0000" in strings and caps nesting depth. */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ${TABLE} (
     id text PRIMARY KEY,
     seq bigint GENERATED ALWAYS AS IDENTITY,
     payload text NOT NULL,
     ordering_key text,
     host text,
     available_at bigint NOT NULL,
     claimed_until bigint,
     claim_token text
   )`,
  // Who holds the lease (one value per claim): renewing, retrying and deleting check it. Tables made before it:
  `ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS claim_token text`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_ready ON ${TABLE} (available_at, seq)`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_ordering ON ${TABLE} (ordering_key, seq) WHERE ordering_key IS NOT NULL`,
];

/**
 * A message with an ordering key waits while another message with that key is leased or was enqueued before it
 * (even one that is delayed or whose lease ran out). SKIP LOCKED lets concurrent claimers pass each other's rows;
 * a row another claimer just leased is re-checked against this condition when locked, so it is never taken twice.
 * Pages follow on from the last row seen ($3, $4), so skipping a busy host's many rows stays linear.
 */
const READY = `
  SELECT m.id, m.host, m.available_at, m.seq FROM ${TABLE} AS m
  WHERE m.available_at <= $1
    AND (m.claimed_until IS NULL OR m.claimed_until <= $1)
    AND (m.ordering_key IS NULL OR NOT EXISTS (
      SELECT 1 FROM ${TABLE} AS o
      WHERE o.ordering_key = m.ordering_key AND o.id <> m.id AND (o.claimed_until > $1 OR o.seq < m.seq)))
    AND ($3::bigint IS NULL OR (m.available_at, m.seq) > ($3::bigint, $4::bigint))
  ORDER BY m.available_at, m.seq
  LIMIT $2
  FOR UPDATE OF m SKIP LOCKED`;

/**
 * Fedify's MessageQueue on PostgreSQL (table `fedify_queue_messages`), with the behaviour of SqliteMessageQueue:
 * ordering keys, delays, leases renewed while a handler runs (a message whose process died is handed out again
 * once its lease runs out), per-host concurrency, and Fedify's retries taking the original message's place.
 * Delivery is at least once. Messages must be JSON-serialisable. Call initialize() once before use.
 */
export class PostgresMessageQueue implements MessageQueue {
  /** Fedify re-enqueues failed messages itself. */
  readonly nativeRetrial = false;

  readonly #pool: PostgresPool;
  readonly #pollIntervalMs: number;
  readonly #leaseMs: number;
  readonly #concurrency: number;
  readonly #perHostConcurrency: number;
  readonly #now: () => number;
  readonly #closed = new AbortController();
  /** Fedify message id -> the row being handled, so a retry can take that row's place in order. */
  readonly #handling = new Map<string, Handling>();
  readonly #wakeups = new EventTarget();
  /** Counts wake-ups, so a listener that was busy claiming does not sleep through one. */
  #wakeCount = 0;
  #pending: PendingEnqueue[] = [];
  #settled: SettledRow[] = [];
  #settleScheduled = false;
  #settling: Promise<void> = Promise.resolve();
  /** The connection that LISTENs for the queue's notifications while this instance has listeners. */
  #subscriber: Promise<PostgresClient> | undefined;
  #listeners = 0;

  constructor(pool: PostgresPool, options: PostgresMessageQueueOptions = {}) {
    this.#pool = pool;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#concurrency = options.concurrency ?? 32;
    this.#perHostConcurrency = options.perHostConcurrency ?? 4;
    this.#now = options.now ?? Date.now;
  }

  /** Creates the table if it does not exist. Safe to call from several processes at once. */
  async initialize(): Promise<void> {
    await createSchemaOnce(this.#pool, SCHEMA);
  }

  async enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    return this.enqueueMany([message], options);
  }

  /**
   * Messages enqueued in one turn of the event loop are written in one statement (Fedify enqueues a delivery per
   * inbox, one call each); each call resolves once its messages are committed.
   */
  enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> {
    const rows = messages.map((message): PendingRow => {
      // Fedify puts a failed message back with the same id, from within its handler: the retry takes the
      // original row's place, so a later message with the same ordering key cannot overtake it.
      const handling = this.#handling.get(messageId(message) ?? "");
      if (!handling || handling.requeued) return { message, requeue: undefined };
      handling.requeued = true;
      return { message, requeue: handling };
    });
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) queueMicrotask(() => void this.#flushEnqueued());
      this.#pending.push({ rows, options, resolve, reject });
    });
  }

  /**
   * Writes messages within the caller's RoomDb write (`db`, what the write hands its callback): they are queued
   * (and listeners in every process woken) only if it commits. The event dispatcher marks an event done and
   * enqueues its deliveries this way: all or nothing.
   */
  async enqueueWithin(
    db: RoomQueries,
    messages: readonly unknown[],
    options?: MessageQueueEnqueueOptions,
  ): Promise<void> {
    await this.enqueueOnConnection(postgresClientOf(db), [{ messages, options }]);
  }

  /**
   * Writes messages on a connection in the middle of its own transaction (a pod moved in from SQLite: its
   * pending deliveries commit with its rows). One statement, in the order given.
   */
  async enqueueOnConnection(
    client: PostgresClient,
    batch: readonly { messages: readonly unknown[]; options?: MessageQueueEnqueueOptions }[],
  ): Promise<void> {
    await this.#write(
      client,
      batch.map(({ messages, options }) => ({
        rows: messages.map((message) => ({ message, requeue: undefined })),
        options,
      })),
    );
  }

  async #flushEnqueued(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    try {
      await this.#write(this.#pool, batch);
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    for (const { resolve } of batch) resolve();
  }

  async #write(
    client: PostgresPool | PostgresClient,
    batch: readonly Pick<PendingEnqueue, "rows" | "options">[],
  ): Promise<void> {
    const now = this.#now();
    const inserts = { id: [] as string[], payload: [] as string[], key: [] as (string | null)[] };
    const hosts: (string | null)[] = [];
    const availableAt: number[] = [];
    const requeues: Promise<unknown>[] = [];
    for (const { rows, options } of batch) {
      const delayMs = Math.max(0, Math.round(options?.delay?.total("millisecond") ?? 0));
      // As JSON text: PostgreSQL's text refuses the NUL character, which a key (an IRI from afar) might hold.
      const orderingKey = options?.orderingKey == null ? null : JSON.stringify(options.orderingKey);
      for (const { message, requeue } of rows) {
        const payload = JSON.stringify(message);
        const host = hostOf(message);
        if (requeue !== undefined) {
          // A retry whose lease another listener took over is dropped: that listener delivers the message.
          requeues.push(
            client.query(
              `WITH r AS (UPDATE ${TABLE} SET payload = $2, ordering_key = $3, host = $4, available_at = $5,
                 claimed_until = NULL, claim_token = NULL WHERE id = $1 AND claim_token = $6 RETURNING 1)
               SELECT pg_notify('${CHANNEL}', '') FROM r`,
              [requeue.rowId, payload, orderingKey, host, now + delayMs, requeue.token],
            ),
          );
          continue;
        }
        inserts.id.push(uuidv7());
        inserts.payload.push(payload);
        inserts.key.push(orderingKey);
        hosts.push(host);
        availableAt.push(now + delayMs);
      }
    }
    try {
      if (inserts.id.length > 0) {
        // One statement: atomic, and the notification goes out when it commits. WITH ORDINALITY keeps call
        // order in `seq`, which orders messages sharing a key.
        await client.query(
          `WITH ins AS (
             INSERT INTO ${TABLE} (id, payload, ordering_key, host, available_at)
             SELECT id, payload, ordering_key, host, available_at
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
               WITH ORDINALITY AS t(id, payload, ordering_key, host, available_at, n)
             ORDER BY n
             RETURNING 1)
           SELECT pg_notify('${CHANNEL}', '') WHERE EXISTS (SELECT 1 FROM ins)`,
          [inserts.id, inserts.payload, inserts.key, hosts, availableAt],
        );
      }
    } finally {
      await Promise.all(requeues);
    }
  }

  /**
   * Runs `handler` on messages until `signal` aborts or close() is called, then resolves once the handlers
   * already running have settled. Never rejects; while the database is unreachable it keeps retrying.
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
    this.#listeners++;
    try {
      while (!signal.aborted) {
        const seen = this.#wakeCount;
        try {
          await this.#subscribe();
          const free = this.#concurrency - running.size;
          for (const claimed of free > 0 ? await this.#claim(free, perHost) : []) {
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
          // The server is unreachable or restarting: try again after a pause.
        }
        await this.#idle(signal, seen);
      }
      // No more notifications are needed by this listener; the others (if any) keep the subscription.
      if (this.#listeners === 1) await this.#unsubscribe();
      await Promise.allSettled(running);
      await this.#deleteSettled();
    } finally {
      this.#listeners--;
      if (this.#listeners === 0) await this.#unsubscribe();
    }
  }

  /** Counts exclude messages currently leased by a listener. */
  async getDepth(): Promise<MessageQueueDepth> {
    const { rows } = await this.#pool.query<{ queued: number; ready: number; delayed: number }>(
      `SELECT COUNT(*)::int AS queued,
              COUNT(*) FILTER (WHERE available_at <= $1)::int AS ready,
              COUNT(*) FILTER (WHERE available_at > $1)::int AS delayed
       FROM ${TABLE} WHERE claimed_until IS NULL OR claimed_until <= $1`,
      [this.#now()],
    );
    return rows[0]!;
  }

  /**
   * Stops this instance's listeners and gives back the connection that listened for notifications (at once, even
   * while a handler still runs). The pool stays open: it belongs to the caller.
   */
  close(): void {
    this.#closed.abort();
    void this.#unsubscribe();
  }

  /**
   * Up to `limit` ready messages, in order, skipping those whose inbox host already has perHostConcurrency
   * handlers (`perHost` counts this listener's); leased to the caller in one transaction.
   */
  async #claim(limit: number, perHost: Map<string, number>): Promise<Claimed[]> {
    return inTransaction(this.#pool, async (client) => {
      const now = this.#now();
      const chosen: string[] = [];
      const taken = new Map<string, number>();
      const busy = (host: string) => (perHost.get(host) ?? 0) + (taken.get(host) ?? 0) >= this.#perHostConcurrency;
      let after: { available_at: string; seq: string } | undefined;
      while (chosen.length < limit) {
        type Ready = { id: string; host: string | null; available_at: string; seq: string };
        const page = await client.query<Ready>(READY, [now, CLAIM_PAGE, after?.available_at, after?.seq]);
        after = page.rows.at(-1);
        for (const { id, host } of page.rows) {
          if (host != null && busy(host)) continue;
          chosen.push(id);
          if (host != null) taken.set(host, (taken.get(host) ?? 0) + 1);
          if (chosen.length === limit) break;
        }
        if (page.rows.length < CLAIM_PAGE) break;
      }
      if (chosen.length === 0) return [];
      const { rows } = await client.query<Claimed>(
        `UPDATE ${TABLE} SET claimed_until = $1, claim_token = $3 WHERE id = ANY($2::text[])
         RETURNING id, payload, host, claim_token AS token`,
        [now + this.#leaseMs, chosen, randomUUID()],
      );
      const order = new Map(chosen.map((id, i) => [id, i]));
      return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    });
  }

  // biome-ignore lint/suspicious/noExplicitAny: Fedify's MessageQueue.listen signature.
  async #run(handler: (message: any) => Promise<void> | void, { id, payload, token }: Claimed): Promise<void> {
    const handling: Handling = { rowId: id, token, requeued: false };
    const renew = setInterval(() => {
      if (handling.requeued) return;
      // Only while this claim holds the row: not a retry that took its place, nor another listener's lease.
      this.#pool
        .query(`UPDATE ${TABLE} SET claimed_until = $1 WHERE id = $2 AND claim_token = $3`, [
          this.#now() + this.#leaseMs,
          id,
          token,
        ])
        .catch(() => {});
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

  /** Rows whose handlers settle in one turn of the event loop are deleted in one statement. */
  #settle(row: SettledRow | null): void {
    if (row != null) this.#settled.push({ rowId: row.rowId, token: row.token });
    if (this.#settleScheduled) return;
    this.#settleScheduled = true;
    setImmediate(() => {
      this.#settleScheduled = false;
      // A handler slot is free, and the next message with a settled one's key may be ready: claim again.
      void this.#deleteSettled().then(() => this.#wake());
    });
  }

  /**
   * Deleting a keyed row may make the next message with its key ready, in any process: then notify.
   * If the delete fails the rows stay leased until their lease runs out, then are handed out again.
   */
  #deleteSettled(): Promise<void> {
    const rows = this.#settled;
    this.#settled = [];
    if (rows.length > 0) {
      this.#settling = this.#settling.then(() =>
        this.#pool
          .query(
            `WITH d AS (
               DELETE FROM ${TABLE} WHERE (id, claim_token) IN (SELECT * FROM unnest($1::text[], $2::text[]))
               RETURNING ordering_key)
             SELECT pg_notify('${CHANNEL}', '') WHERE EXISTS (SELECT 1 FROM d WHERE ordering_key IS NOT NULL)`,
            [rows.map((r) => r.rowId), rows.map((r) => r.token)],
          )
          .then(
            () => {},
            () => {},
          ),
      );
    }
    return this.#settling;
  }

  async #subscribe(): Promise<void> {
    if (this.#subscriber != null) {
      await this.#subscriber;
      return;
    }
    const subscribing = (async () => {
      const client = await this.#pool.connect();
      client.on("notification", () => this.#wake());
      client.on("error", () => {
        if (this.#subscriber === subscribing) this.#subscriber = undefined;
        client.release(true);
      });
      try {
        await client.query(`LISTEN ${CHANNEL}`);
      } catch (error) {
        client.release(true);
        throw error;
      }
      return client;
    })();
    this.#subscriber = subscribing;
    subscribing.catch(() => {
      if (this.#subscriber === subscribing) this.#subscriber = undefined;
    });
    await subscribing;
  }

  async #unsubscribe(): Promise<void> {
    const subscribing = this.#subscriber;
    this.#subscriber = undefined;
    const client = await subscribing?.catch(() => undefined);
    if (client == null) return;
    client.removeAllListeners("notification");
    try {
      await client.query(`UNLISTEN ${CHANNEL}`);
      client.release();
    } catch {
      client.release(true);
    }
  }

  #wake(): void {
    this.#wakeCount++;
    this.#wakeups.dispatchEvent(new Event("wake"));
  }

  /** Waits for the poll interval, a wake-up, or the signal; returns at once if woken since `seen`. */
  #idle(signal: AbortSignal, seen: number): Promise<void> {
    if (this.#wakeCount !== seen || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#wakeups.removeEventListener("wake", done);
        resolve();
      };
      const timer = setTimeout(done, this.#pollIntervalMs);
      signal.addEventListener("abort", done);
      this.#wakeups.addEventListener("wake", done);
    });
  }
}

/** The id Fedify gives each queued message (kept when it re-enqueues the message for a retry). */
function messageId(message: unknown): string | undefined {
  const id = message != null && typeof message === "object" ? (message as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : undefined;
}

/** The host of the inbox a Fedify outbox message goes to (null when it names none). */
function hostOf(message: unknown): string | null {
  const inbox = message != null && typeof message === "object" ? (message as { inbox?: unknown }).inbox : undefined;
  return typeof inbox === "string" ? (URL.parse(inbox)?.host ?? null) : null;
}
