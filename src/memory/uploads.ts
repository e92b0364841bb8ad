import { createHash } from "node:crypto";
import { createReadStream, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { ReadStream } from "node:fs";
import { join } from "node:path";
import { and, count, desc, eq, gte, inArray, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { RoomDb, RoomQueries } from "../db/room-db.ts";
import { memoryUploads } from "./schema.ts";

/**
 * Guides members upload (PDF). The bytes go to a file under DATA_DIR/guides, not into SQLite: a few
 * megabytes each would swell the database, its WAL and every backup of it, and a file streams out as it is.
 * The file is named by the row's id (a UUID the pod made); nothing a client sent reaches a path.
 */
export const MAX_GUIDE_BYTES = 5 * 1024 * 1024;
/** All uploaded guides of the pod together: a member cannot fill the disk 5 MB at a time. */
export const MAX_POD_GUIDE_BYTES = 200 * 1024 * 1024;
/** Uploads one member may make in 24 hours. */
export const MAX_UPLOADS_PER_MEMBER_DAY = 20;

export type Upload = typeof memoryUploads.$inferSelect;
export type UploadProblem = "missing" | "tooLarge" | "notPdf" | "fileName" | "quota" | "daily" | "duplicate";

const PDF_MAGIC = Buffer.from("%PDF-", "ascii");
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const guidesDir = (dataDir: string) => join(dataDir, "guides");
/** The public address of an uploaded guide's file. */
export const uploadPath = (id: string) => `/memory/guides/${id}.pdf`;

export const sha256Of = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

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

export function uploadsStore(rooms: RoomDb, dataDir: string, now: () => Date) {
  const dir = guidesDir(dataDir);
  const fileOf = (id: string) => join(dir, `${id}.pdf`);
  const u = rooms.table(memoryUploads);

  return {
    list: (): Promise<Upload[]> => rooms.read((db) => db.select().from(u).orderBy(desc(u.id)).limit(500)),

    async get(id: string): Promise<Upload | undefined> {
      if (!UPLOAD_ID.test(id)) return undefined;
      const [row] = await rooms.read((db) => db.select().from(u).where(eq(u.id, id)));
      return row;
    },

    /** Uploads by id (the ones that exist), for guide links. */
    byIds: (ids: string[]): Promise<Upload[]> =>
      ids.length ? rooms.read((db) => db.select().from(u).where(inArray(u.id, ids))) : Promise.resolve([]),

    /** The file as a stream with its size, or null when there is no such upload (or its file is gone). */
    open(id: string): { stream: ReadStream; size: number } | null {
      if (!UPLOAD_ID.test(id)) return null;
      try {
        return { size: statSync(fileOf(id)).size, stream: createReadStream(fileOf(id)) };
      } catch {
        return null;
      }
    },

    /** Why these bytes from this member may not be stored now (with the guide they repeat), or null. */
    refusal: (bytes: Buffer, memberId: string): Promise<{ problem: UploadProblem; existing?: Upload } | null> =>
      rooms.read(async (db) => {
        const [existing] = await db
          .select()
          .from(u)
          .where(eq(u.sha256, sha256Of(bytes)));
        if (existing) return { problem: "duplicate", existing };
        const [stored] = await db.select({ total: sql`coalesce(sum(${u.bytes}), 0)`.mapWith(Number) }).from(u);
        if ((stored?.total ?? 0) + bytes.length > MAX_POD_GUIDE_BYTES) return { problem: "quota" };
        const since = new Date(now().getTime() - 24 * 60 * 60 * 1000).toISOString();
        const [recent] = await db
          .select({ n: count() })
          .from(u)
          .where(and(eq(u.uploadedBy, memberId), gte(u.createdAt, since)));
        if ((recent?.n ?? 0) >= MAX_UPLOADS_PER_MEMBER_DAY) return { problem: "daily" };
        return null;
      }),

    /**
     * Stores a checked upload whole or not at all: the bytes go to a hidden partial file, the row is inserted
     * and the file renamed into place in one write; any failure removes the partial file.
     */
    async add(input: UploadInput): Promise<Upload> {
      const id = uuidv7();
      mkdirSync(dir, { recursive: true });
      const partial = join(dir, `.${id}.partial`);
      try {
        writeFileSync(partial, input.bytes, { mode: 0o644 });
        return await rooms.write(async (db) => {
          const [row] = await db
            .insert(u)
            .values({
              id,
              title: input.title,
              summary: input.summary,
              fileName: input.fileName,
              bytes: input.bytes.length,
              sha256: sha256Of(input.bytes),
              visibility: input.visibility,
              uploadedBy: input.uploadedBy,
              createdAt: now().toISOString(),
            })
            .returning();
          // A rename is synchronous, within the write's turn: it commits with the row or is undone below.
          renameSync(partial, fileOf(id));
          return row!;
        });
      } catch (error) {
        // The rename may have happened and the commit failed after it: no row names that file.
        rmSync(fileOf(id), { force: true });
        throw error;
      } finally {
        rmSync(partial, { force: true });
      }
    },

    async setVisibilityWithin(db: RoomQueries, id: string, visibility: Upload["visibility"]): Promise<boolean> {
      const changed = await db.update(u).set({ visibility }).where(eq(u.id, id)).returning({ id: u.id });
      return changed.length > 0;
    },

    async removeWithin(db: RoomQueries, id: string): Promise<void> {
      if (!UPLOAD_ID.test(id)) return;
      await db.delete(u).where(eq(u.id, id));
    },

    /** The file goes after its row's deletion committed (a rollback keeps both). */
    removeFile: (id: string) => UPLOAD_ID.test(id) && rmSync(fileOf(id), { force: true }),

    /**
     * Run once as the room starts: removes what a crash left in the guides folder, partial files and files no
     * row names (the rename happened, the commit did not). Returns the names removed.
     */
    async sweep(): Promise<string[]> {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return [];
      }
      const rows = await rooms.read((db) => db.select({ id: u.id }).from(u));
      const known = new Set(rows.map((row) => `${row.id}.pdf`));
      const stray = names.filter((name) => !known.has(name));
      for (const name of stray) rmSync(join(dir, name), { force: true, recursive: true });
      return stray;
    },
  };
}

export type UploadsStore = ReturnType<typeof uploadsStore>;
