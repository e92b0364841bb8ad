import { existsSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isArchivablePath } from "./format.ts";

export interface DataFile {
  /** Relative to DATA_DIR, with "/" between folders. */
  path: string;
  size: number;
  mode: number;
}

/**
 * The files of a data directory that travel with the pod (uploaded guides, pictures, the form key...): regular
 * files only, symbolic links not followed, the database and hidden or partial files left out (listed as skipped).
 */
export function listDataFiles(dataDir: string, exclude: Set<string>): { files: DataFile[]; skipped: string[] } {
  const files: DataFile[] = [];
  const skipped: string[] = [];
  // A pod on PostgreSQL that never stored a file may have no data directory here.
  if (!existsSync(dataDir)) return { files, skipped };
  const walk = (relative: string, depth: number) => {
    for (const name of readdirSync(join(dataDir, relative)).sort()) {
      const path = relative ? `${relative}/${name}` : name;
      const absolute = join(dataDir, path);
      if (exclude.has(absolute) || (!relative && /^pod\.sqlite/.test(name))) continue;
      const stat = lstatSync(absolute);
      if (stat.isDirectory() && !name.startsWith(".") && depth < 7) walk(path, depth + 1);
      else if (stat.isFile() && isArchivablePath(path)) files.push({ path, size: stat.size, mode: stat.mode & 0o777 });
      else skipped.push(path);
    }
  };
  walk("", 0);
  return { files, skipped };
}
