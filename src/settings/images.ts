import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The pod's pictures: avatar (the actor's icon) and header (the actor's image). */
export const IMAGE_KINDS = ["avatar", "header"] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

/** What Mastodon accepts for avatars and headers too. */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

const TYPES = {
  png: "image/png",
  jpg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
} as const;
type Extension = keyof typeof TYPES;

/** Only names the pod made itself: kind, content hash, known extension. Nothing a client sent reaches the disk. */
export const MEDIA_FILE = /^(avatar|header)-[0-9a-f]{16}\.(png|jpg|gif|webp)$/;

const startsWith = (bytes: Buffer, signature: number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((byte, i) => bytes[at + i] === byte);

/** The image's type from its first bytes (never from the file name or the browser's content type). */
export function sniffImage(bytes: Buffer): Extension | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpg";
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61)
    return "gif";
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return "webp";
  return null;
}

export const mediaTypeOf = (file: string): string => TYPES[file.slice(file.lastIndexOf(".") + 1) as Extension];

export const mediaDir = (dataDir: string) => join(dataDir, "media");

/** Path of a stored picture's public URL: the file name changes with the content, so it can be cached forever. */
export const mediaPath = (file: string) => `/media/${file}`;

/** Writes a checked picture under DATA_DIR/media (atomically) and returns its file name. */
export function storeImage(dataDir: string, kind: ImageKind, bytes: Buffer, extension: Extension): string {
  const dir = mediaDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = `${kind}-${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}.${extension}`;
  const partial = join(dir, `.${file}.partial`);
  writeFileSync(partial, bytes, { mode: 0o644 });
  renameSync(partial, join(dir, file));
  return file;
}

export function removeImage(dataDir: string, file: string): void {
  if (MEDIA_FILE.test(file)) rmSync(join(mediaDir(dataDir), file), { force: true });
}

export function readImage(dataDir: string, file: string): Buffer | null {
  if (!MEDIA_FILE.test(file)) return null;
  try {
    return readFileSync(join(mediaDir(dataDir), file));
  } catch {
    return null;
  }
}
