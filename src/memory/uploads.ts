import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { desc, eq } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Db } from "../db/client.ts";
import { memoryUploads } from "./schema.ts";

/**
 * Guides members upload (PDF). The bytes go to a file under DATA_DIR/guides, not into SQLite: a few
 * megabytes each would swell the database, its WAL and every backup of it, and a file streams out as it is.
 * The file is named by the row's id (a UUID the pod made); nothing a client sent reaches a path.
 */
export const MAX_GUIDE_BYTES = 5 * 1024 * 1024;

export type Upload = typeof memoryUploads.$inferSelect;
export type UploadProblem = "missing" | "tooLarge" | "notPdf" | "fileName";

const PDF_MAGIC = Buffer.from("%PDF-", "ascii");
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const guidesDir = (dataDir: string) => join(dataDir, "guides");
/** The public address of an uploaded guide's file. */
export const uploadPath = (id: string) => `/memory/guides/${id}.pdf`;

export const isPdf = (bytes: Buffer) => bytes.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC);

/**
 * The name offered when the file is saved, made from the uploaded one; null when that name tries to reach
 * elsewhere (a path, "..", control characters): such an upload is refused, not repaired.
 */
export function safeFileName(sent: string): string | null {
  // Browsers send a quote or a line break in a name as %22, %0D...: read those as the characters they stand for.
  const name = sent.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  if (!name || name.length > 255 || /[/\\\u0000-\u001f\u007f]/.test(name) || name.includes("..")) return null;
  const base = name
    .normalize("NFKD")
    .replace(/\.pdf$/i, "")
    .replace(/[^A-Za-z0-9._ -]+/g, "")
    .trim()
    .replace(/\s+/g, "-")
    .replace(/\.{2,}/g, ".")
    .slice(0, 80)
    .replace(/^[.-]+|[.-]+$/g, "");
  return `${base || "guide"}.pdf`;
}

/** What a checked upload says about itself. */
export interface UploadInput {
  title: string;
  summary: string;
  visibility: "internal" | "public";
  fileName: string;
  bytes: Buffer;
  uploadedBy: string;
}

export function uploadsStore(db: Db, dataDir: string, now: () => Date) {
  const dir = guidesDir(dataDir);
  const fileOf = (id: string) => join(dir, `${id}.pdf`);

  return {
    list: (): Upload[] => db.select().from(memoryUploads).orderBy(desc(memoryUploads.id)).limit(500).all(),

    get: (id: string): Upload | undefined =>
      UPLOAD_ID.test(id) ? db.select().from(memoryUploads).where(eq(memoryUploads.id, id)).get() : undefined,

    /** The file's bytes, or null when there is no such upload (or its file is gone). */
    read(id: string): Buffer | null {
      if (!UPLOAD_ID.test(id)) return null;
      try {
        return readFileSync(fileOf(id));
      } catch {
        return null;
      }
    },

    /**
     * Stores a checked upload whole or not at all: the bytes go to a hidden partial file, the row is inserted
     * and the file renamed into place in one transaction; any failure removes the partial file.
     */
    add(input: UploadInput): Upload {
      const id = uuidv7();
      mkdirSync(dir, { recursive: true });
      const partial = join(dir, `.${id}.partial`);
      try {
        writeFileSync(partial, input.bytes, { mode: 0o644 });
        return db.transaction((tx) => {
          const row = tx
            .insert(memoryUploads)
            .values({
              id,
              title: input.title,
              summary: input.summary,
              fileName: input.fileName,
              bytes: input.bytes.length,
              sha256: createHash("sha256").update(input.bytes).digest("hex"),
              visibility: input.visibility,
              uploadedBy: input.uploadedBy,
              createdAt: now().toISOString(),
            })
            .returning()
            .get();
          renameSync(partial, fileOf(id));
          return row;
        });
      } finally {
        rmSync(partial, { force: true });
      }
    },

    setVisibility(id: string, visibility: Upload["visibility"]): void {
      db.update(memoryUploads).set({ visibility }).where(eq(memoryUploads.id, id)).run();
    },

    remove(id: string): void {
      if (!UPLOAD_ID.test(id)) return;
      db.delete(memoryUploads).where(eq(memoryUploads.id, id)).run();
      rmSync(fileOf(id), { force: true });
    },
  };
}

export type UploadsStore = ReturnType<typeof uploadsStore>;
