import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { isIP } from "node:net";
import { UrlError } from "@fedify/vocab-runtime";
import { Agent, buildConnector, setGlobalDispatcher } from "undici";
import { bareHostname, isPublicIp } from "./public-address.ts";

/** Bounds on every request the pod makes to another server. */
export const OUTBOUND_LIMITS = {
  /** From the call to the last byte of the body; a hanging server costs at most this. */
  timeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  /** Largest response body read (documents, keys, collections, inbox answers); counted as it streams. */
  maxResponseBytes: 1024 * 1024,
  /** Sockets open to one origin at once; further requests to it wait for one. */
  connectionsPerOrigin: 8,
};

export interface OutboundPolicy {
  /** Development and tests on one machine: loopback and private networks may be reached. */
  allowPrivateAddress: boolean;
}

let unguardedFetch: typeof fetch | undefined;

/**
 * Applies the pod's outbound rules to every `fetch` of the process. Fedify delivers activities and
 * fetches documents, keys and WebFinger with the global `fetch` and accepts no fetch of its own for
 * deliveries, so the rules live where all of those pass:
 * - undici's global dispatcher (which Node's fetch uses) refuses to connect to a non-public address
 *   unless allowed — checked on the resolved addresses, so redirects and names that resolve to
 *   internal addresses are caught for POSTs and GETs alike — and destroys a response whose body
 *   passes the size cap while it streams;
 * - `fetch` gets a deadline combined with the caller's own signal.
 * One pod runs per process; installing again replaces the rules.
 */
export function installOutboundPolicy(policy: OutboundPolicy, limits = OUTBOUND_LIMITS): void {
  setGlobalDispatcher(outboundDispatcher(policy, limits));
  unguardedFetch ??= globalThis.fetch;
  const base = unguardedFetch;
  globalThis.fetch = function fetchWithDeadline(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const deadline = AbortSignal.timeout(limits.timeoutMs);
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline]) : deadline;
    return base(input, { ...init, signal }).then((response) => capDecoded(response, limits.maxResponseBytes));
  };
}

/**
 * undici's size cap counts the bytes on the wire; fetch then decodes gzip, deflate or brotli, where a few
 * hundred bytes can become hundreds of megabytes. A compressed body is therefore counted again as decoded.
 */
export function capDecoded(response: Response, maxBytes: number): Response {
  const encoding = response.headers.get("content-encoding")?.trim().toLowerCase();
  if (!response.body || !encoding || encoding === "identity") return response;
  let seen = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new RangeError(`response body over ${maxBytes} bytes once decoded`));
        else controller.enqueue(chunk);
      },
    }),
  );
  const capped = new Response(counted, response);
  // A Response made here has no url of its own; the document loader reads it (redirects, relative IRIs).
  Object.defineProperties(capped, { url: { value: response.url }, redirected: { value: response.redirected } });
  return capped;
}

export function outboundDispatcher(policy: OutboundPolicy, limits = OUTBOUND_LIMITS): Agent {
  const connector = buildConnector({
    timeout: limits.connectTimeoutMs,
    ...(policy.allowPrivateAddress ? {} : { lookup: publicOnlyLookup }),
  });
  const connect: buildConnector.connector = (options, callback) => {
    // A literal address is connected to without a lookup, so it is checked here.
    const hostname = bareHostname(options.hostname);
    if (!policy.allowPrivateAddress && isIP(hostname) !== 0 && !isPublicIp(hostname)) {
      callback(new UrlError(`Invalid or private address: ${hostname}`), null);
      return;
    }
    connector(options, callback);
  };
  return new Agent({
    connect,
    connections: limits.connectionsPerOrigin,
    headersTimeout: limits.timeoutMs,
    bodyTimeout: limits.timeoutMs,
    maxResponseSize: limits.maxResponseBytes,
  });
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that fails unless every address the name resolves to is public. */
function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((entry) => !isPublicIp(entry.address));
    if (refused || addresses.length === 0) {
      const reason = new UrlError(`Invalid or private address: ${refused?.address ?? "none"} for ${hostname}`);
      return callback(Object.assign(reason, { code: "EPRIVATEADDRESS" }), []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}
