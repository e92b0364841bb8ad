import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { Upload } from "./uploads.ts";
import { MAX_GUIDE_BYTES } from "./uploads.ts";

type GuideKind = "practice" | "workflow" | "upload";

export interface SubjectGuide {
  guideKind: GuideKind;
  guideId: string;
  name: string;
  url: string;
  summary: string;
}

export interface GuideChoice {
  guideKind: GuideKind;
  guideId: string;
  name: string;
}

/** What guides go with, as the pages name it: an offer, a need or a charter service. */
export interface GuideSubject {
  kind: "offer" | "need" | "service";
  id: string;
  name: string;
}

const CHOICE_LABEL: Record<GuideKind, MessageKey> = {
  practice: "memory.guides.practice",
  workflow: "memory.guides.workflow",
  upload: "memory.guides.upload",
};

const SUBJECT_LABEL: Record<GuideSubject["kind"], MessageKey> = {
  offer: "memory.guides.subject.offer",
  need: "memory.guides.subject.need",
  service: "memory.guides.subject.service",
};

export const subjectPath = (subject: Pick<GuideSubject, "kind" | "id">) =>
  `/app/memory/guides/${subject.kind}/${encodeURIComponent(subject.id)}`;

/** Offers, needs and charter services with how many guides go with each; the uploaded guides. */
export function guidesListPage(ctx: PageContext, subjects: { subject: GuideSubject; guides: number }[]): Page {
  const { t } = ctx;
  return {
    title: t("memory.guides.title"),
    body: html`<p>${t("memory.guides.intro")}</p>
      <p><a class="button secondary" href="/app/memory/uploads">${t("memory.uploads.title")}</a></p>
      ${subjects.length === 0 && html`<p>${t("memory.none")}</p>`}
      <ul class="cards">
        ${subjects.map(
          ({ subject, guides }) => html`<li>
            <p>
              <span class="meta">${t(SUBJECT_LABEL[subject.kind])}</span>${" · "}
              <a href=${subjectPath(subject)}><strong>${subject.name}</strong></a>
            </p>
            <p class="hint">${t("memory.guides.count", { count: guides })}</p>
          </li>`,
        )}
      </ul>`,
  };
}

/** One subject's guides: add one, remove one (when `editable`: a charter service's only for coordinators), print. */
export function subjectGuidesPage(
  ctx: PageContext,
  subject: GuideSubject,
  guides: SubjectGuide[],
  choices: GuideChoice[],
  editable: boolean,
): Page {
  const { t } = ctx;
  const path = subjectPath(subject);
  const attached = new Set(guides.map((g) => `${g.guideKind}:${g.guideId}`));
  const open = editable ? choices.filter((c) => !attached.has(`${c.guideKind}:${c.guideId}`)) : [];
  return {
    title: t("memory.guides.for", { name: subject.name }),
    body: html`<p class="meta">${t(SUBJECT_LABEL[subject.kind])}</p>
      <p>${t("memory.guides.intro")}</p>
      ${guides.length === 0 && html`<p>${t("memory.guides.none")}</p>`}
      <ul class="cards">
        ${guides.map(
          (g) => html`<li>
            <p><a href=${g.url}>${g.name}</a></p>
            ${
              editable &&
              html`<form method="post" action=${`${path}/remove`}>
                <${Csrf} ctx=${ctx} />
                <input type="hidden" name="guide" value=${`${g.guideKind}:${g.guideId}`} />
                <button type="submit" class="secondary">${t("memory.guides.remove", { name: g.name })}</button>
              </form>`
            }
          </li>`,
        )}
      </ul>
      ${!editable && html`<p class="hint">${t("memory.guides.coordinatorsOnly")}</p>`}
      ${guides.length > 0 && html`<p><a class="button" href=${`${path}/handout`}>${t("memory.guides.handout")}</a></p>`}
      ${
        open.length > 0 &&
        html`<form method="post" action=${path} class="stack">
          <${Csrf} ctx=${ctx} />
          <div class="field">
            <label for="guide">${t("memory.guides.add")}</label>
            <select id="guide" name="guide">
              ${open.map(
                (c) =>
                  html`<option value=${`${c.guideKind}:${c.guideId}`}>
                    ${t(CHOICE_LABEL[c.guideKind], { name: c.name })}
                  </option>`,
              )}
            </select>
          </div>
          <button type="submit">${t("memory.guides.attach")}</button>
        </form>`
      }
      <p><a href="/app/memory/uploads">${t("memory.uploads.add")}</a></p>`,
  };
}

/** The printable hand-out: one page, each guide with its gist and a QR code to its address. */
export function handoutPage(ctx: PageContext, subject: GuideSubject, guides: (SubjectGuide & { qr: string })[]): Page {
  const { t } = ctx;
  return {
    title: t("memory.handout.title", { name: subject.name }),
    body: html`<div class="handout">
      <p>${t("memory.handout.intro", { pod: ctx.podName })}</p>
      ${guides.map(
        (g) => html`<section class="handout-guide" aria-label=${g.name}>
          <h2>${g.name}</h2>
          <p>${g.summary}</p>
          <div class="qr" role="img" aria-label=${t("memory.handout.qr", { url: g.url })}
            dangerouslySetInnerHTML=${{ __html: g.qr }}></div>
          <p class="url">${g.url}</p>
        </section>`,
      )}
    </div>`,
  };
}

export interface UploadFormState {
  values: { title?: string; summary?: string; visibility?: string };
  errors?: FieldErrors;
  status?: number;
  notice?: "saved" | "removed";
  /** The guide an upload repeats, byte for byte. */
  duplicateOf?: Upload;
}

/** Uploaded guides (PDF): the list, each with its visibility and removal, and the form to upload one. */
export function uploadsPage(ctx: PageContext, uploads: Upload[], state: UploadFormState): Page {
  const { t } = ctx;
  const { values, errors } = state;
  const coordinator = ctx.member?.role === "coordinator";
  const mayChange = (u: Upload) => coordinator || u.uploadedBy === ctx.member?.id;
  const fileError = errors?.file;
  const described = ["f-file-hint", fileError && "f-file-error"].filter(Boolean).join(" ");
  const visibility = values.visibility === "public" ? "public" : "internal";
  return {
    title: t("memory.uploads.title"),
    status: state.status ?? (errors ? 400 : 200),
    body: html`${state.notice && html`<${Notice} kind="ok">${t(`memory.uploads.${state.notice}`)}<//>`}
      ${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${t("memory.uploads.intro")}</p>
      ${uploads.length === 0 && html`<p>${t("memory.none")}</p>`}
      <ul class="cards">
        ${uploads.map(
          (u) => html`<li>
            <p><a href=${`/app/memory/uploads/${u.id}/file`}><strong>${u.title}</strong></a></p>
            <p>${u.summary}</p>
            <p class="hint">
              ${t(`memory.visibility.${u.visibility}`)} · ${u.fileName} ·
              ${t("memory.uploads.size", { kilobytes: Math.ceil(u.bytes / 1024) })}
            </p>
            ${
              mayChange(u) &&
              html`<div class="actions">
                ${
                  (coordinator || u.visibility === "public") &&
                  html`<form method="post" action=${`/app/memory/uploads/${u.id}/visibility`}>
                    <${Csrf} ctx=${ctx} />
                    <input type="hidden" name="visibility" value=${u.visibility === "public" ? "internal" : "public"} />
                    <button type="submit" class="secondary">
                      ${t(`memory.make.${u.visibility === "public" ? "internal" : "public"}`)}
                      <span class="visually-hidden">: ${u.title}</span>
                    </button>
                  </form>`
                }
                <form method="post" action=${`/app/memory/uploads/${u.id}/remove`}>
                  <${Csrf} ctx=${ctx} />
                  <button type="submit" class="secondary">${t("memory.guides.remove", { name: u.title })}</button>
                </form>
              </div>`
            }
          </li>`,
        )}
      </ul>
      <h2>${t("memory.uploads.add")}</h2>
      <form method="post" action="/app/memory/uploads" enctype="multipart/form-data" class="stack">
        <${Csrf} ctx=${ctx} />
        <${Field} ctx=${ctx} name="title" label=${t("memory.field.title")} value=${values.title} errors=${errors}
          required=${true} />
        <${Field} ctx=${ctx} name="summary" label=${t("memory.field.summary")} value=${values.summary}
          errors=${errors} required=${true} multiline=${true} hint=${t("memory.field.summaryHint")} />
        <div class=${fileError ? "field invalid" : "field"}>
          <label for="f-file">${t("memory.uploads.file")}</label>
          <p class="hint" id="f-file-hint">
            ${t("memory.uploads.fileHint", { megabytes: MAX_GUIDE_BYTES / 1024 / 1024 })}
          </p>
          <input id="f-file" name="file" type="file" accept="application/pdf,.pdf" required
            aria-describedby=${described} aria-invalid=${fileError ? "true" : undefined} />
          ${
            fileError &&
            html`<p class="error" id="f-file-error">
              ${t(fileError)}
              ${state.duplicateOf && html` <a href=${`/app/memory/uploads/${state.duplicateOf.id}/file`}>${state.duplicateOf.title}</a>`}
            </p>`
          }
        </div>
        ${
          coordinator
            ? html`<fieldset>
                <legend>${t("memory.visibility.legend")}</legend>
                ${(["internal", "public"] as const).map(
                  (v) => html`<div class="check">
                    <input type="radio" id=${`upload-vis-${v}`} name="visibility" value=${v}
                      checked=${visibility === v} />
                    <label for=${`upload-vis-${v}`}>${t(`memory.visibility.${v}Long`)}</label>
                  </div>`,
                )}
              </fieldset>`
            : html`<p class="hint">${t("memory.uploads.publicByCoordinators")}</p>`
        }
        <p class="actions"><button type="submit">${t("memory.uploads.send")}</button></p>
      </form>`,
  };
}
