import type { MessageQueueEnqueueOptions } from "@fedify/fedify";

/** Settings of the pod's durable message queues (SQLite and PostgreSQL alike). */
export interface QueueOptions {
  /** How often an idle listener looks for work enqueued by other processes or coming due. */
  pollIntervalMs?: number;
  /** How long a claimed message stays hidden from other listeners; renewed while its handler runs. */
  leaseMs?: number;
  /** How many handlers one listen() call runs at once (deliveries mostly wait on the network). */
  concurrency?: number;
  /**
   * How many handlers of one listen() call may work on messages for one host at once. Fedify's outbox
   * messages name the inbox they go to (`inbox`); a slow or hanging host can then hold only this many
   * handlers, and the others keep delivering to everyone else. Messages without `inbox` are not limited.
   */
  perHostConcurrency?: number;
  /** Clock in milliseconds since the epoch; tests pass a controllable one. Processes need synchronised clocks. */
  now?: () => number;
}

/** A message a listener took: its row, payload and inbox host, and the token of the claim that leased it. */
export interface Claimed {
  id: string;
  payload: string;
  host: string | null;
  token: string;
}

/** A row whose handler runs in this instance, with its claim's token; `requeued` once the handler put it back. */
export interface Handling {
  rowId: string;
  token: string;
  requeued: boolean;
}

/** A message, with the row it replaces when it is a retry of a message being handled here. */
export type PendingRow = { message: unknown; requeue: Pick<Handling, "rowId" | "token"> | undefined };

/** A handled row to delete, if its lease is still the one its handler was given. */
export type SettledRow = Pick<Handling, "rowId" | "token">;

/** Messages enqueued in one turn of the event loop, written together. */
export interface PendingEnqueue {
  rows: PendingRow[];
  options: MessageQueueEnqueueOptions | undefined;
  resolve: () => void;
  reject: (error: unknown) => void;
}
