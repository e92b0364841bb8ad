import type { Config } from "../config/schema.ts";
import { practiceRecord, type ViewRecord } from "../confederation/from-as.ts";
import { actorIri, practiceIri } from "../publishing/iris.ts";
import { escapeHtml } from "../web/html.ts";
import type { Practice } from "./model.ts";
import { practiceHtml } from "./to-as.ts";

/** This pod's practice as a view item: its Article's values, read by the same builder as a neighbor's. */
export function practiceViewRecord(config: Config, row: Practice): ViewRecord {
  const iri = practiceIri(config, row).href;
  return practiceRecord(
    {
      iri,
      name: row.title,
      summary: escapeHtml(row.summary),
      content: practiceHtml(row),
      url: iri,
      startTime: null,
      endTime: null,
      published: row.createdAt,
      updated: row.updatedAt === row.createdAt ? null : row.updatedAt,
      tags: row.tags,
      adaptedFrom: row.adaptedFrom,
    },
    actorIri(config).href,
  );
}
