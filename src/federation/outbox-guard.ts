import type { MessageQueue } from "@fedify/fedify";
import type { Logger } from "../log/logger.ts";
import { inboxRefusal, resolvesToPrivateAddress } from "./public-address.ts";

/** The part of Fedify's queued outbox message this guard reads. */
interface OutboxMessage {
  type: "outbox";
  inbox: string;
  activityId?: string;
  actorIds?: string[];
}

function isOutboxMessage(message: unknown): message is OutboxMessage {
  const m = message as Partial<OutboxMessage> | null;
  return m != null && typeof m === "object" && m.type === "outbox" && typeof m.inbox === "string";
}

/**
 * Why a queued delivery may not be posted, or null: not to a blocked server or account; the inbox must pass the
 * rule it was stored under
 * (on the recipients' host, http(s), public) — checked again here, with the host name resolved, because
 * rows stored before the rule existed, or names whose addresses changed, must not get a signed POST.
 * safe-fetch.ts checks the address actually connected to (redirects included).
 */
export async function deliveryRefusal(
  message: OutboxMessage,
  allowPrivateAddress: boolean,
  refuses: (iri: string) => boolean = () => false,
): Promise<string | null> {
  // A block is checked again when the delivery goes out: a follower recorded while it was being made (another
  // process, a fetch in flight) gets nothing. A shared inbox is spared for a blocked account among others.
  const recipients = message.actorIds ?? [];
  if (refuses(message.inbox)) return "a blocked server";
  if (recipients.length > 0 && recipients.every(refuses)) return "a blocked account";
  for (const actorId of recipients) {
    const refusal = inboxRefusal(actorId, message.inbox, allowPrivateAddress);
    if (refusal) return refusal;
  }
  const url = URL.parse(message.inbox);
  if (!url) return "not a URL";
  if (!allowPrivateAddress && (await resolvesToPrivateAddress(url.hostname))) return "a private or internal address";
  return null;
}

/**
 * The queue Fedify sees: the pod's queue, with every outbox message checked before Fedify delivers it.
 * A refused delivery is dropped (retrying cannot make the address acceptable) and logged.
 */
export function guardedOutboxQueue(
  queue: MessageQueue,
  allowPrivateAddress: boolean,
  log: Logger,
  refuses: (iri: string) => boolean,
): MessageQueue {
  return {
    get nativeRetrial() {
      return queue.nativeRetrial;
    },
    enqueue: (message, options) => queue.enqueue(message, options),
    ...(queue.enqueueMany ? { enqueueMany: (messages, options) => queue.enqueueMany!(messages, options) } : {}),
    ...(queue.getDepth ? { getDepth: () => queue.getDepth!() } : {}),
    listen: (handler, options) =>
      queue.listen(async (message: unknown) => {
        if (isOutboxMessage(message)) {
          const refusal = await deliveryRefusal(message, allowPrivateAddress, refuses);
          if (refusal) {
            log.warn({ inbox: message.inbox, activity: message.activityId, reason: refusal }, "delivery refused");
            return;
          }
        }
        await handler(message);
      }, options),
  };
}
