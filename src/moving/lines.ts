import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { ArchiveRefused, MAX_LINE_BYTES } from "./format.ts";

const NEWLINE = 0x0a;

/** Why zlib stopped, in words: the archive is cut short, or not gzip at all. */
function gzipProblem(error: NodeJS.ErrnoException): ArchiveRefused | NodeJS.ErrnoException {
  if (error.code === "Z_BUF_ERROR") return new ArchiveRefused("the archive is cut short (incomplete gzip data)");
  if (typeof error.code === "string" && error.code.startsWith("Z_"))
    return new ArchiveRefused(`the archive is not gzip data or is damaged (${error.message})`);
  return error;
}

/**
 * The decompressed lines of an archive file, each without its newline, never buffering more than MAX_LINE_BYTES
 * (a longer line is refused). Data after the last newline means the archive was cut short.
 */
export async function* archiveLines(path: string, maxLine = MAX_LINE_BYTES): AsyncGenerator<Buffer> {
  const input = createReadStream(path);
  const gunzip = createGunzip();
  input.on("error", (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let start = 0;
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
        if (pendingBytes + at - start > maxLine) throw new ArchiveRefused(`a line is longer than ${maxLine} bytes`);
        pending.push(chunk.subarray(start, at));
        yield pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        start = at + 1;
      }
      if (start < chunk.length) {
        pendingBytes += chunk.length - start;
        if (pendingBytes > maxLine) throw new ArchiveRefused(`a line is longer than ${maxLine} bytes`);
        pending.push(chunk.subarray(start));
      }
    }
  } catch (error) {
    throw error instanceof ArchiveRefused ? error : gzipProblem(error as NodeJS.ErrnoException);
  } finally {
    input.destroy();
    gunzip.destroy();
  }
  if (pendingBytes > 0) throw new ArchiveRefused("the archive is cut short (its last line has no end)");
}
