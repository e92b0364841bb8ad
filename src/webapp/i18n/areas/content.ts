/** Messages of the app's content pages, English and Spanish (spread into the catalogs in ../en.ts and ../es.ts). */
export const contentEn = {} as const;

export const contentEs: Record<keyof typeof contentEn, string> = {};
