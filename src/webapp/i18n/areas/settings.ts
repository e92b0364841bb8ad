/** Messages of the app's settings pages, English and Spanish (spread into the catalogs in ../en.ts and ../es.ts). */
export const settingsEn = {} as const;

export const settingsEs: Record<keyof typeof settingsEn, string> = {};
