import type { MessageKey } from "./en.ts";
import { menuEs } from "./areas/menu.ts";
import { auditEs } from "./areas/audit.ts";
import { categoriesEs } from "./areas/categories.ts";
import { careEs } from "./areas/care.ts";
import { contentEs } from "./areas/content.ts";
import { memoryEs } from "./areas/memory.ts";
import { moderationEs } from "./areas/moderation.ts";
import { publicEs } from "./areas/public.ts";
import { rotationEs } from "./areas/rotation.ts";
import { sovereigntyEs } from "./areas/sovereignty.ts";
import { assembliesEs } from "./areas/assemblies.ts";
import { assemblyOutcomesEs } from "./areas/assembly-outcomes.ts";
import { assemblyBarterEs } from "./areas/assembly-barter.ts";
import { settingsEs } from "./areas/settings.ts";
import { signinEs } from "./areas/signin.ts";
import { viewEs } from "./areas/view.ts";

/** Los mensajes de la aplicación en español. */
export const es: Record<MessageKey, string> = {
  "app.name": "{pod} — aplicación del pod",
  "app.skip": "Ir al contenido",
  "nav.label": "Principal",
  "nav.dashboard": "Inicio",
  "nav.offers": "Ofertas y necesidades",
  "nav.members": "Miembros",
  "nav.audit": "Registro de actividad",
  "nav.tokens": "Tokens de la API",
  "nav.profile": "Mi perfil",
  "nav.signOut": "Cerrar sesión",
  "nav.language": "Idioma",
  "nav.publicPage": "Página pública",

  "signIn.title": "Entrar",
  "signIn.intro": "Los miembros entran aquí. Quien se suma lo hace con un enlace de invitación de una coordinadora.",
  "signIn.username": "Nombre de usuario",
  "signIn.password": "Contraseña",
  "signIn.submit": "Entrar",
  "signIn.failed": "Ese usuario y contraseña no corresponden a ningún miembro de este pod.",
  "signIn.tooMany": "Demasiados intentos desde esta dirección. Espera un minuto y vuelve a intentarlo.",
  "signIn.setupPending":
    "Este pod aún no tiene coordinadora: abre el enlace de configuración que mostró el servidor al arrancar.",

  "setup.title": "Configura tu pod",
  "setup.intro":
    "Eres la primera coordinadora del pod. Ponle nombre al pod y elige un usuario y una contraseña; después podrás invitar a otras personas y añadir una llave de acceso en Seguridad.",
  "setup.submit": "Crear mi cuenta",

  "join.title": "Únete a {pod}",
  "join.intro": "Te invitaron como {role}. Elige el nombre que verán los demás y cómo entrar.",
  "join.submit": "Unirme al pod",

  "reset.title": "Elige una contraseña nueva",
  "reset.intro": "Contraseña nueva para {name}. Se cerrará la sesión en todos tus dispositivos.",
  "reset.submit": "Guardar la contraseña nueva",

  "invitation.used": "Este enlace ya se usó. Pide uno nuevo a una coordinadora.",
  "invitation.expired": "Este enlace caducó. Pide uno nuevo a una coordinadora.",
  "invitation.unknown": "Este enlace no es válido. Comprueba que lo copiaste entero.",
  "invitation.superseded":
    "El pod imprimió un enlace de configuración más nuevo al arrancar otra vez: usa el último que aparece en su salida.",
  "invitation.setupDone": "Este pod ya está configurado. Entra, o pide una invitación a una coordinadora.",
  "invitation.open": "Este enlace es válido.",

  "field.displayName": "Nombre que ven los demás",
  "field.username": "Nombre de usuario (para entrar)",
  "field.usernameHint": "De 2 a 30 letras minúsculas, cifras, puntos, guiones o guiones bajos.",
  "field.password": "Contraseña",
  "field.passwordHint": "Al menos 10 caracteres. Una frase corta es fácil de recordar y difícil de adivinar.",
  "field.contact": "Cómo te contacta el pod (privado)",
  "field.languages": "Idiomas que hablas",
  "field.skills": "Habilidades",
  "field.availability": "Cuándo estás disponible",
  "field.boundaries": "Tus límites: riesgos que no asumes, tareas que no aceptas",
  "field.locale": "Idioma de esta aplicación",
  "field.localeBrowser": "El de mi navegador",
  "field.role": "Rol",

  "role.coordinator": "coordinadora",
  "role.member": "miembro",

  "error.required": "Rellena este campo.",
  "error.username": "Usa de 2 a 30 letras minúsculas, cifras, puntos, guiones o guiones bajos.",
  "error.usernameTaken": "Otro miembro ya usa este nombre de usuario.",
  "error.passwordShort": "Usa al menos 10 caracteres.",
  "error.passwordLong": "Usa como mucho 200 caracteres.",
  "error.unknownMember": "No existe ese miembro.",
  "error.lastCoordinator": "El pod necesita al menos una coordinadora.",
  "error.form": "Algunos campos necesitan atención: mira las notas junto a ellos.",
  "error.csrf": "Este formulario caducó o vino de otro sitio. Vuelve atrás, recarga la página e inténtalo de nuevo.",
  "error.forbidden": "Solo las coordinadoras pueden abrir esta página.",
  "error.notFound": "Aquí no hay nada.",
  "error.date": "Elige una fecha y hora posteriores a ahora.",
  "error.number": "Escribe un número, como 12 o 2.5.",

  "errorPage.400": "Esto no funcionó",
  "errorPage.403": "No permitido",
  "errorPage.404": "No encontrado",
  "errorPage.429": "Demasiados intentos",
  "errorPage.500": "Algo falló en el pod",
  "errorPage.500detail":
    "Las coordinadoras pueden ver los detalles en el registro del servidor. Inténtalo de nuevo en un momento.",
  "errorPage.back": "Volver a la aplicación",

  "dashboard.title": "Inicio",
  "dashboard.hello": "Hola, {name}.",
  "dashboard.offers": "Ofertas abiertas: {count}",
  "dashboard.needs": "Necesidades abiertas: {count}",
  "dashboard.members": "Miembros: {count}",
  "dashboard.invitations": "Invitaciones sin usar: {count}",
  "dashboard.followRequests": "Solicitudes de seguimiento sin responder: {count}",
  "dashboard.endingSoon": "Terminan en los próximos tres días: {names}",
  "dashboard.charterDue": "La revisión mensual de la carta toca el {at}.",
  "dashboard.charterOverdue": "La revisión mensual de la carta tocaba el {at}: revísenla entre las coordinadoras.",
  "dashboard.noCharter": "El pod aún no tiene carta: digan qué servicios atiende ahora y cuál asumirá después.",
  "dashboard.next": "Siguiente paso: publica una oferta o una necesidad, o invita a quienes coordinan contigo.",
  "dashboard.newOffer": "Publicar una oferta",
  "dashboard.newNeed": "Publicar una necesidad",
  "dashboard.invite": "Invitar a un miembro",
  "dashboard.memberNext": "Mantén tu perfil al día para que las coordinadoras sepan cuándo y cómo puedes ayudar.",

  "members.title": "Miembros",
  "members.none": "Aún no hay miembros.",
  "members.invite": "Invitar a alguien",
  "members.inviteHint": "El enlace sirve una vez, durante {hours} horas. Envíalo en privado.",
  "members.inviteSubmit": "Crear un enlace de invitación",
  "members.linkMade": "Enlace de invitación (se muestra una sola vez; cópialo ahora):",
  "members.resetMade": "Enlace de contraseña para {name} (se muestra una sola vez; cópialo ahora):",
  "members.open": "Invitaciones sin usar",
  "members.revoke": "Anular",
  "members.reset": "Crear un enlace de contraseña",
  "members.makeCoordinator": "Hacer coordinadora",
  "members.makeMember": "Hacer miembro",
  "members.expires": "caduca el {at}",
  "members.joined": "se unió el {at}",

  "profile.title": "Mi perfil",
  "profile.intro": "Solo lo ven las coordinadoras de este pod. Nunca se publica ni se envía a otros servidores.",
  "profile.save": "Guardar",
  "profile.saved": "Guardado.",
  "profile.sessions": "Dónde tienes la sesión abierta",
  "profile.thisDevice": "este dispositivo",
  "profile.lastSeen": "última vez el {at}",
  "profile.endSession": "Cerrar esa sesión",
  "profile.signOutEverywhere": "Cerrar sesión en todas partes",

  "offers.title": "Ofertas y necesidades",
  "offers.none": "Aún no hay nada publicado.",
  "offers.new": "Publicar una oferta",
  "offers.newNeed": "Publicar una necesidad",
  "offers.newTitle.offer": "Publicar una oferta",
  "offers.newTitle.need": "Publicar una necesidad",
  "offers.intro.offer": "Algo que el pod puede compartir. Seguidores y pods vecinos lo ven en cuanto lo publicas.",
  "offers.intro.need": "Algo que el pod busca. Seguidores y pods vecinos lo ven en cuanto lo publicas.",
  "offers.name": "Qué",
  "offers.description": "Detalles (opcional)",
  "offers.category": "Categoría",
  "offers.quantity": "Cantidad",
  "offers.unit": "Unidad (kg, comidas, horas…)",
  "offers.area": "Zona (un barrio, no una dirección)",
  "offers.conditions": "Condiciones (opcional)",
  "offers.until": "Disponible hasta (opcional)",
  "offers.publish": "Publicar",
  "offers.published": "Publicado. Seguidores y pods vecinos lo reciben ahora.",
  "offers.publishedNoFollowers":
    "Publicado en las páginas públicas del pod. Aún nadie sigue al pod: comparte su dirección, {handle}, para que personas y pods vecinos lo sigan y reciban lo que publica.",
  "offers.kind.offer": "oferta",
  "offers.kind.need": "necesidad",
  "offers.status.open": "abierta",
  "offers.status.partly_claimed": "reservada en parte",
  "offers.status.claimed": "todo reservado",
  "offers.status.expired": "caducada",
  "offers.status.withdrawn": "retirada",
  "offers.view": "Ver la página pública",

  "tokens.title": "Tokens de la API",
  "tokens.intro":
    "Un token permite que un programa o aplicación tuya use la API de administración del pod en tu nombre. " +
    "Funciona mientras seas coordinadora.",
  "tokens.none": "No tienes tokens.",
  "tokens.label": "Para qué es",
  "tokens.create": "Crear un token",
  "tokens.made": "Tu token nuevo (se muestra una sola vez; cópialo ahora):",
  "tokens.revoke": "Anular",
  "tokens.created": "creado el {at}",

  "offer.claims": "Reservas (privado: nunca se publica)",
  "offer.noClaims": "Aún no hay reservas.",
  "offer.recordClaim": "Registrar una reserva",
  "offer.claimHint":
    "Quién se llevó una parte y cuánto. El nombre se queda en este pod; los seguidores solo ven lo que queda.",
  "offer.neighbor": "Quién (un nombre o un hogar)",
  "offer.claimQuantity": "Cuánto",
  "offer.claimNote": "Nota (opcional)",
  "offer.claimSubmit": "Registrar",
  "offer.claimed": "Reserva registrada. Los seguidores ven ahora lo que queda.",
  "offer.withdraw": "Retirar",
  "offer.withdrawHint":
    "Al retirarla, seguidores y pods vecinos sabrán que ya no está disponible. No se puede deshacer.",
  "offer.withdrawn": "Retirada. Seguidores y pods vecinos reciben el aviso.",
  "offer.details": "Gestionar",
  "offer.left": "quedan {left} de {total} {unit}",

  "audit.title": "Registro de actividad",
  "audit.none": "Aún no hay nada registrado.",
  "audit.when": "Cuándo",
  "audit.who": "Quién",
  "audit.what": "Qué",
  "audit.subject": "Sobre qué",
  ...auditEs,
  ...menuEs,
  ...categoriesEs,
  ...contentEs,
  ...memoryEs,
  ...moderationEs,
  ...publicEs,
  ...rotationEs,
  ...careEs,
  ...sovereigntyEs,
  ...assembliesEs,
  ...assemblyOutcomesEs,
  ...assemblyBarterEs,
  ...settingsEs,
  ...signinEs,
  ...viewEs,
};
