import type { ReadStream } from "node:fs";
import type { FastifyReply } from "fastify";
import type { Upload } from "./uploads.ts";

/**
 * An uploaded guide's bytes, streamed from its file (never read whole into memory), as a PDF and nothing else:
 * the type is fixed (never sniffed), the file name is the pod's own safe one, and a sandbox CSP keeps anything
 * inside the file from running as this site.
 */
export function sendGuideFile(reply: FastifyReply, upload: Upload, file: { stream: ReadStream; size: number }) {
  return reply
    .type("application/pdf")
    .header("content-disposition", `inline; filename="${upload.fileName}"`)
    .header("x-content-type-options", "nosniff")
    .header("content-security-policy", "sandbox; default-src 'none'")
    .header("cache-control", upload.visibility === "public" ? "public, max-age=300" : "private, no-store")
    .header("content-length", file.size)
    .send(file.stream);
}
