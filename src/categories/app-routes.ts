import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config/schema.ts";
import type { RoomDb } from "../db/room-db.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { categoriesPage, type CategoriesPageState } from "./app-pages.ts";
import { categoriesOf } from "./service.ts";
import { CATEGORY_SLUG } from "./taxonomy.ts";

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  rooms: RoomDb;
  config: Config;
  now: () => Date;
}

/** The coordinators' categories page: the shared taxonomy, and the pod's own categories. */
export async function categoryPages(app: FastifyInstance, { kit, audit, rooms, config, now }: Options) {
  const categories = categoriesOf({ rooms, config });
  const coordinator = kit.guard("coordinator");
  const show = (request: FastifyRequest, reply: FastifyReply, state: Partial<CategoriesPageState> = {}) =>
    kit.send(request, reply, categoriesPage(kit.context(request, reply), { categories: categories.list(), ...state }));

  app.get("/categories", { preHandler: coordinator }, async (request, reply) => {
    const done = text(request.query as FormFields, "done");
    const notice = done === "added" ? "categories.added" : done === "renamed" ? "categories.renamed" : undefined;
    return show(request, reply, { notice });
  });

  app.post("/categories", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const values = {
      slug: text(fields, "slug").trim(),
      label: text(fields, "label").trim(),
      description: text(fields, "description").trim(),
    };
    const errors: FieldErrors = {};
    if (!CATEGORY_SLUG.test(values.slug)) errors.slug = "categories.error.slug";
    else if (categories.find(values.slug)) errors.slug = "categories.error.taken";
    if (!values.label || values.label.length > 80) errors.label = "error.required";
    if (values.description.length > 1000) errors.description = "settings.error.tooLong";
    if (Object.keys(errors).length > 0) return show(request, reply, { values, errors });
    await categories.add(values, now());
    audit(request.appMember!.id, "category.add", values.slug);
    return reply.redirect("/app/categories?done=added", 303);
  });

  // The language link of a page answering a failed rename points here: back to the list.
  app.get("/categories/:slug", { preHandler: coordinator }, async (request, reply) => {
    const lang = text(request.query as FormFields, "lang");
    return reply.redirect(`/app/categories${lang ? `?lang=${encodeURIComponent(lang)}` : ""}`, 303);
  });

  app.post<{ Params: { slug: string } }>("/categories/:slug", { preHandler: coordinator }, async (request, reply) => {
    const { slug } = request.params;
    const label = text(request.body as FormFields | undefined, "label").trim();
    const own = categories.find(slug);
    if (!own || own.shared) return reply.callNotFound();
    if (!label || label.length > 80) return show(request, reply, { renameError: { slug, error: "error.required" } });
    await categories.rename(slug, label);
    audit(request.appMember!.id, "category.rename", slug);
    return reply.redirect("/app/categories?done=renamed", 303);
  });
}
