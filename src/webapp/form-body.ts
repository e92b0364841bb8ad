/** A browser form's fields: a repeated name gives a list. Null-prototype, so no name reaches Object.prototype. */
export type FormFields = Record<string, string | string[]>;

export function parseFormBody(body: string): FormFields {
  const fields = Object.create(null) as FormFields;
  for (const [name, value] of new URLSearchParams(body)) {
    const seen = fields[name];
    fields[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return fields;
}

/** One field as text ("" when absent; the first when repeated). */
export function text(fields: FormFields | undefined, name: string): string {
  const value = fields && Object.hasOwn(fields, name) ? fields[name] : undefined;
  return (Array.isArray(value) ? value[0] : value) ?? "";
}
