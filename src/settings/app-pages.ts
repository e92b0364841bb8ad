import {
  Csrf,
  Field,
  html,
  Notice,
  type FieldErrors,
  type Page,
  type PageContext,
  type VNode,
} from "../webapp/html.ts";
import { IMAGE_KINDS, MAX_IMAGE_BYTES, type ImageKind } from "./images.ts";
import type { PodChoices } from "./service.ts";
import { offeredName, offeredTimeZones } from "./time-zones.ts";

/** The time zones the browser form offers (time-zones.ts), the pod's own first if it is unusual. */
const zones = (current: string) => {
  const all = offeredTimeZones();
  return all.includes(current) ? all : [current, ...all];
};

export type ChoiceValues = Partial<Record<keyof PodChoices, string>>;

/** Name, summary, time zone and languages: on the settings page and in the first-run setup. */
export function PodFields({ ctx, values, errors }: { ctx: PageContext; values: ChoiceValues; errors?: FieldErrors }) {
  const { t } = ctx;
  const chosenZone = offeredName(values.timeZone ?? "UTC");
  return html`<${Field}
      ctx=${ctx} name="name" label=${t("settings.name")} hint=${t("settings.nameHint")} value=${values.name}
      errors=${errors} required
    />
    <${Field}
      ctx=${ctx} name="summary" label=${t("settings.summary")} hint=${t("settings.summaryHint")} value=${values.summary}
      errors=${errors} multiline
    />
    <div class=${errors?.timeZone ? "field invalid" : "field"}>
      <label for="f-timeZone">${t("settings.timeZone")}</label>
      <p class="hint" id="f-timeZone-hint">${t("settings.timeZoneHint")}</p>
      <select id="f-timeZone" name="timeZone" aria-describedby="f-timeZone-hint">
        ${zones(chosenZone).map((zone) => html`<option value=${zone} selected=${zone === chosenZone}>${zone}</option>`)}
      </select>
      ${errors?.timeZone && html`<p class="error">${t(errors.timeZone)}</p>`}
    </div>
    <${Field}
      ctx=${ctx} name="languages" label=${t("settings.languages")} hint=${t("settings.languagesHint")}
      value=${values.languages} errors=${errors} required
    />`;
}

export const choiceValues = (choices: PodChoices): ChoiceValues => ({
  name: choices.name,
  summary: choices.summary,
  timeZone: choices.timeZone,
  languages: choices.languages.join(", "),
  approveFollowers: choices.approveFollowers ? "manual" : "automatic",
});

export interface SettingsPageState {
  values: ChoiceValues;
  avatar: string | null;
  header: string | null;
  notice?: "saved" | "image";
  errors?: FieldErrors;
  imageErrors?: Partial<Record<ImageKind, FieldErrors[string]>>;
}

function ImageForm({
  ctx,
  kind,
  current,
  error,
}: {
  ctx: PageContext;
  kind: ImageKind;
  current: string | null;
  error?: FieldErrors[string];
}): VNode {
  const { t } = ctx;
  const id = `f-${kind}`;
  const described = [`${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ");
  return html`<form method="post" action=${`/app/settings/${kind}`} enctype="multipart/form-data" class="stack">
    <${Csrf} ctx=${ctx} />
    <div class=${error ? "field invalid" : "field"}>
      <label for=${id}>${t(`settings.${kind}`)}</label>
      <p class="hint" id=${`${id}-hint`}>
        ${t("settings.imageHint", { megabytes: MAX_IMAGE_BYTES / 1024 / 1024 })}
      </p>
      ${current && html`<img class=${`pod-${kind}`} src=${current} alt=${t(`settings.${kind}Current`)} />`}
      <input
        id=${id} name="image" type="file" accept="image/png,image/jpeg,image/gif,image/webp" required
        aria-describedby=${described} aria-invalid=${error ? "true" : undefined}
      />
      ${error && html`<p class="error" id=${`${id}-error`}>${t(error)}</p>`}
    </div>
    <button type="submit" class="secondary">${t(`settings.${kind}Upload`)}</button>
  </form>`;
}

/** The pod's profile and policies; every value starts from the server's settings until saved here. */
export function settingsPage(ctx: PageContext, state: SettingsPageState): Page {
  const { t } = ctx;
  const { values, errors } = state;
  const failed = errors || (state.imageErrors && Object.keys(state.imageErrors).length > 0);
  return {
    title: t("settings.title"),
    status: failed ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${t(`settings.notice.${state.notice}`)}<//>`}
      ${failed && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <p>${t("settings.intro")}</p>
      <p class="hint">${t("settings.precedence")}</p>
      <form method="post" action="/app/settings" class="stack">
        <${Csrf} ctx=${ctx} />
        <${PodFields} ctx=${ctx} values=${values} errors=${errors} />
        <fieldset>
          <legend>${t("settings.approval")}</legend>
          ${(["automatic", "manual"] as const).map(
            (policy) => html`<label class="choice">
              <input
                type="radio" name="approveFollowers" value=${policy} checked=${values.approveFollowers === policy}
              />
              ${" "}${t(`settings.approval.${policy}`)}
            </label>`,
          )}
        </fieldset>
        <button type="submit">${t("settings.save")}</button>
      </form>
      <section aria-labelledby="pictures" class="stack">
        <h2 id="pictures">${t("settings.pictures")}</h2>
        ${IMAGE_KINDS.map(
          (kind) =>
            html`<${ImageForm} ctx=${ctx} kind=${kind} current=${state[kind]} error=${state.imageErrors?.[kind]} />`,
        )}
      </section>`,
  };
}
