import type { ReportFigures } from "./report.ts";

export interface Report {
  id: string;
  month: string;
  status: "draft" | "published";
  figures: ReportFigures;
  intro: string;
  progress: string;
  language: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}
