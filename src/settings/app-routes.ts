import fastifyMultipart, { type MultipartFile } from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { SetupStep } from "../members/routes.ts";
import { html, type FieldErrors } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { choiceValues, PodFields, settingsPage, type ChoiceValues, type SettingsPageState } from "./app-pages.ts";
import { IMAGE_KINDS, MAX_IMAGE_BYTES, type ImageKind } from "./images.ts";
import {
  checkChoices,
  type ChoiceProblem,
  type ImageProblem,
  type PodChoices,
  type SettingsService,
} from "./service.ts";

interface Options {
  kit: AppKit;
  settings: SettingsService;
}

/** An uploaded file as the multipart parser leaves it in the body: its bytes, and whether it was cut at the limit. */
interface Upload {
  bytes: Buffer;
  truncated: boolean;
}

const CHOICE_FIELDS = ["name", "summary", "timeZone", "languages", "approveFollowers"] as const;

/** The fields of a form that were sent (a field left out changes nothing). */
export function sentChoices(fields: FormFields | undefined, names: readonly (keyof PodChoices)[] = CHOICE_FIELDS) {
  const sent: ChoiceValues = {};
  for (const name of names) if (fields && Object.hasOwn(fields, name)) sent[name] = text(fields, name);
  return sent;
}

export const choiceErrors = (problems: Partial<Record<string, ChoiceProblem>>): FieldErrors | undefined => {
  const entries = Object.entries(problems).map(([field, problem]) => [
    field,
    `settings.error.${problem}` as MessageKey,
  ]);
  return entries.length ? Object.fromEntries(entries) : undefined;
};

/** The settings page: the pod's name, summary, time zone, languages, follow approval and pictures. */
export async function settingsPages(app: FastifyInstance, { kit, settings }: Options) {
  const coordinator = kit.guard("coordinator");
  const show = (request: FastifyRequest, reply: FastifyReply, state: Partial<SettingsPageState>) => {
    const current = settings.current();
    const page = settingsPage(kit.context(request, reply), {
      values: choiceValues(current),
      avatar: current.avatar,
      header: current.header,
      ...state,
    });
    return kit.send(request, reply, page);
  };

  app.get("/settings", { preHandler: coordinator }, async (request, reply) => {
    const saved = text(request.query as FormFields, "saved");
    return show(request, reply, { notice: saved === "image" ? "image" : saved ? "saved" : undefined });
  });

  app.post("/settings", { preHandler: coordinator }, async (request, reply) => {
    const sent = sentChoices(request.body as FormFields | undefined);
    const { choices, problems } = checkChoices(sent);
    const errors = choiceErrors(problems);
    if (errors) return show(request, reply, { values: { ...choiceValues(settings.current()), ...sent }, errors });
    await settings.choose(choices, request.appMember!.id);
    return reply.redirect("/app/settings?saved=1", 303);
  });

  // The language link of a page answering a failed upload points here: back to the settings page.
  app.get("/settings/:kind", { preHandler: coordinator }, async (request, reply) => {
    const lang = text(request.query as FormFields, "lang");
    return reply.redirect(`/app/settings${lang ? `?lang=${encodeURIComponent(lang)}` : ""}`, 303);
  });

  // Uploads get their own scope: only here is a multipart body parsed, into memory, cut at the size limit.
  await app.register(async (uploads) => {
    await uploads.register(fastifyMultipart, {
      attachFieldsToBody: "keyValues",
      throwFileSizeLimit: false,
      limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 2, parts: 3, fieldSize: 1024 },
      async onFile(part: MultipartFile) {
        const chunks: Buffer[] = [];
        for await (const chunk of part.file) chunks.push(chunk as Buffer);
        (part as MultipartFile & { value?: Upload }).value = {
          bytes: Buffer.concat(chunks),
          truncated: part.file.truncated,
        };
      },
    });
    uploads.post<{ Params: { kind: string } }>(
      "/settings/:kind",
      { preHandler: coordinator },
      async (request, reply) => {
        const kind = request.params.kind as ImageKind;
        if (!IMAGE_KINDS.includes(kind)) return reply.callNotFound();
        const image = (request.body as Record<string, unknown> | undefined)?.image as Upload | string | undefined;
        const upload = image && typeof image === "object" && Buffer.isBuffer(image.bytes) ? image : null;
        const problem: ImageProblem | null = await settings.setImage(
          kind,
          upload?.bytes ?? null,
          upload?.truncated ?? false,
          request.appMember!.id,
        );
        if (problem)
          return show(request, reply, { imageErrors: { [kind]: `settings.error.${problem}` as MessageKey } });
        return reply.redirect("/app/settings?saved=image", 303);
      },
    );
  });
}

const SETUP_FIELDS = ["name", "summary", "timeZone", "languages"] as const;

/**
 * The first-run setup confirms the pod's name, summary, time zone and languages (prefilled from the server's
 * settings). A setup form without these fields (an older page, a script) leaves them as they are.
 */
export function setupStep(settings: SettingsService): SetupStep {
  return {
    fields(ctx, fields, errors) {
      const values = { ...choiceValues(settings.current()), ...sentChoices(fields, SETUP_FIELDS) };
      return html`<h2>${ctx.t("setup.podHeading")}</h2>
        <p class="hint">${ctx.t("setup.podIntro")}</p>
        <${PodFields} ctx=${ctx} values=${values} errors=${errors} />
        <h2>${ctx.t("setup.accountHeading")}</h2>`;
    },
    check: (fields) => choiceErrors(checkChoices(sentChoices(fields, SETUP_FIELDS)).problems),
    async save(fields, memberId) {
      await settings.choose(checkChoices(sentChoices(fields, SETUP_FIELDS)).choices, memberId);
    },
  };
}
