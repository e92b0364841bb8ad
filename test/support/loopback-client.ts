import { request } from "node:http";

export interface LoopbackAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One HTTP request from a chosen loopback source address (any of 127.0.0.0/8 on Linux): to a pod that
 * trusts no proxy, each source address is a different client for its per-address limits.
 */
export function fromAddress(
  localAddress: string,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<LoopbackAnswer> {
  return new Promise((resolve, reject) => {
    const method = options.method ?? "GET";
    const sent = request(url, { method, headers: options.headers, localAddress, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text });
      });
      response.on("error", reject);
    });
    sent.setTimeout(20_000, () => sent.destroy(new Error(`${method} ${url} from ${localAddress}: no answer in 20 s`)));
    sent.on("error", reject);
    sent.end(options.body);
  });
}

/** The n-th of 250 loopback addresses 127.0.<block>.1–250, cycling. */
export const loopbackAddress = (block: number, n: number) => `127.0.${block}.${(n % 250) + 1}`;
