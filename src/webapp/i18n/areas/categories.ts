import { SHARED_CATEGORIES } from "../../../categories/taxonomy.ts";

/** The shared taxonomy's names on pages, English and Spanish (spread into ../en.ts and ../es.ts). */
type SharedKey = `category.${(typeof SHARED_CATEGORIES)[number]["slug"]}`;

/** English is the taxonomy's own label (the one federated), so it is written once. */
export const categoriesEn = Object.fromEntries(SHARED_CATEGORIES.map((c) => [`category.${c.slug}`, c.label])) as Record<
  SharedKey,
  string
>;

export const categoriesEs: Record<SharedKey, string> = {
  "category.food": "Alimentos",
  "category.meals": "Comidas preparadas",
  "category.housing": "Vivienda y refugio",
  "category.transport": "Transporte y traslados",
  "category.childcare": "Cuidado infantil",
  "category.eldercare": "Cuidado de personas mayores",
  "category.health": "Salud y cuidados",
  "category.mental-health": "Apoyo emocional",
  "category.clothing": "Ropa",
  "category.tools": "Herramientas y equipo",
  "category.repair": "Reparaciones",
  "category.education": "Aprendizaje y tutorías",
  "category.legal": "Ayuda legal y trámites",
  "category.mediation": "Mediación",
  "category.energy": "Energía y calefacción",
  "category.communications": "Comunicaciones e internet",
  "category.hygiene": "Artículos de higiene",
  "category.garden": "Huertos y semillas",
  "category.space": "Espacios y locales",
  "category.other": "Otros",
};
