/** Messages of the app's public pages, English and Spanish (spread into the catalogs in ../en.ts and ../es.ts). */
export const publicEn = {} as const;

export const publicEs: Record<keyof typeof publicEn, string> = {};
