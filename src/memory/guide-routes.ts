import fastifyMultipart, { type MultipartFile } from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ChartersService } from "../charters/service.ts";
import { notFound, ProblemError, problemFor, sendProblem } from "../http/problem.ts";
import type { OffersService } from "../offers/service.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { AppKit } from "../webapp/plugin.ts";
import {
  guidesListPage,
  handoutPage,
  subjectGuidesPage,
  uploadsPage,
  type GuideSubject,
  type UploadFormState,
} from "./guide-pages.ts";
import { GUIDE_KINDS } from "./schema.ts";
import type { MemoryService, Subject } from "./service.ts";
import {
  isPdf,
  MAX_GUIDE_BYTES,
  MAX_POD_GUIDE_BYTES,
  MAX_UPLOADS_PER_MEMBER_DAY,
  safeFileName,
  type Upload,
  type UploadProblem,
} from "./uploads.ts";
import { sendGuideFile } from "./guide-file.ts";
import { CHARTER_REPUBLISH_MS, coalesced } from "./coalesce.ts";

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  memory: MemoryService;
  offers: OffersService;
  charters: ChartersService;
}

/** An uploaded file as the multipart parser leaves it in the body: its bytes, its name, whether it was cut. */
interface FilePart {
  bytes: Buffer;
  fileName: string;
  truncated: boolean;
}

/** Status, field and message of each way an upload is refused. */
const REFUSAL: Record<UploadProblem | "title" | "summary", { status: number; field: string }> = {
  missing: { status: 400, field: "file" },
  fileName: { status: 400, field: "file" },
  notPdf: { status: 415, field: "file" },
  tooLarge: { status: 413, field: "file" },
  quota: { status: 507, field: "file" },
  daily: { status: 429, field: "file" },
  duplicate: { status: 409, field: "file" },
  title: { status: 400, field: "title" },
  summary: { status: 400, field: "summary" },
};
const DETAIL: Record<keyof typeof REFUSAL, string> = {
  missing: "file: a PDF file is required",
  fileName: "file: the file name must be a plain name (no folders, no '..', no control characters)",
  notPdf: "file: only PDF files are taken (the file must begin with %PDF-)",
  tooLarge: `file: the file is larger than ${MAX_GUIDE_BYTES / 1024 / 1024} MB`,
  quota: `file: the pod's uploaded guides would pass their limit of ${MAX_POD_GUIDE_BYTES / 1024 / 1024} MB`,
  daily: `file: at most ${MAX_UPLOADS_PER_MEMBER_DAY} uploads per member in 24 hours`,
  duplicate: "file: this exact file is already an uploaded guide (see existing)",
  title: "title: must not be empty (at most 200 characters)",
  summary: "summary: must not be empty (at most 1000 characters)",
};

/** A script or tool asking for JSON gets problem+json; a browser gets the form again with the error beside it. */
const wantsProblem = (request: FastifyRequest) => /\bjson\b/i.test(request.headers.accept ?? "");

const isCoordinator = (request: FastifyRequest) => request.appMember?.role === "coordinator";
const forbidden = (detail: string) => new ProblemError(problemFor(403, detail));
/** Only its uploader or a coordinator may change or remove an uploaded guide. */
const mayChange = (request: FastifyRequest, upload: Upload) =>
  isCoordinator(request) || upload.uploadedBy === request.appMember?.id;

/**
 * Guides with aid: offers, needs and charter services carry practices, public workflows or uploaded guides;
 * a printable hand-out with QR codes; members upload PDF guides.
 */
export async function guidePages(app: FastifyInstance, { kit, audit, memory, offers, charters }: Options) {
  const member = kit.guard("member");
  type SubjectParams = { Params: { kind: string; id: string } };

  /** The subject a URL names, as pages show it and as the memory room stores it; 404 when there is none. */
  async function subjectOf(kind: string, id: string): Promise<{ subject: GuideSubject; key: Subject }> {
    if (kind === "offer" || kind === "need") {
      const offer = await offers.get(kind, id);
      return { subject: { kind, id, name: offer.name }, key: { subjectKind: "offer", subjectId: offer.id } };
    }
    if (kind === "service") {
      const charter = charters.current();
      const service = [...(charter?.services ?? []), ...(charter?.planned ?? [])].find((s) => s.key === id);
      if (service)
        return { subject: { kind, id, name: service.name }, key: { subjectKind: "service", subjectId: service.key } };
    }
    throw notFound(`no ${kind} ${id}`);
  }

  /** A charter service's guides are part of the public charter: only coordinators edit the charter. */
  function mayEditGuides(request: FastifyRequest, subject: GuideSubject) {
    if (subject.kind === "service" && !isCoordinator(request))
      throw forbidden("only a coordinator changes the guides of a charter service");
  }

  // Each charter republish is an Update to every follower: toggling guides must not flood them.
  const charterUpdate = coalesced(
    () => charters.republish(),
    CHARTER_REPUBLISH_MS,
    (error) => app.log.error({ err: error }, "memory: re-sending the charter failed"),
  );
  app.addHook("onClose", async () => charterUpdate.stop());

  /** Followers get the publication again (an Update): its Note and page now list the guides as they are. */
  async function republish(subject: Subject) {
    if (subject.subjectKind === "service") return charterUpdate.request();
    for (const kind of ["offer", "need"] as const) {
      const found = await offerOrNothing(kind, subject.subjectId);
      if (found && found.status !== "withdrawn") await offers.update(kind, found.id, {});
    }
  }

  const offerOrNothing = (kind: "offer" | "need", id: string) => offers.get(kind, id).catch(() => undefined);

  const guideOf = (fields: FormFields | undefined) => {
    const [guideKind, guideId] = text(fields, "guide").split(":");
    if (!(GUIDE_KINDS as readonly string[]).includes(guideKind ?? "") || !guideId) throw notFound("no such guide");
    return { guideKind: guideKind as (typeof GUIDE_KINDS)[number], guideId };
  };

  app.get("/memory/guides", { preHandler: member }, async (request, reply) => {
    const charter = charters.current();
    const services = [...(charter?.services ?? []), ...(charter?.planned ?? [])].map((s) => ({
      subject: { kind: "service" as const, id: s.key, name: s.name },
      guides: memory.guidesOfService(s.key).length,
    }));
    const aid = (await Promise.all((["offer", "need"] as const).map((kind) => offers.list(kind, { limit: 100 }))))
      .flat()
      .filter((offer) => offer.status !== "withdrawn")
      .map((offer) => ({
        subject: { kind: offer.kind, id: offer.id, name: offer.name },
        guides: memory.guidesOfOffer(offer.id).length,
      }));
    return kit.send(request, reply, guidesListPage(kit.context(request, reply), [...services, ...aid]));
  });

  app.get<SubjectParams>("/memory/guides/:kind/:id", { preHandler: member }, async (request, reply) => {
    const { subject, key } = await subjectOf(request.params.kind, request.params.id);
    const editable = subject.kind !== "service" || isCoordinator(request);
    const choices = await memory.guideChoices();
    const page = subjectGuidesPage(kit.context(request, reply), subject, memory.guidesOf(key), choices, editable);
    return kit.send(request, reply, page);
  });

  app.post<SubjectParams>("/memory/guides/:kind/:id", { preHandler: member }, async (request, reply) => {
    const { subject, key } = await subjectOf(request.params.kind, request.params.id);
    mayEditGuides(request, subject);
    const { guideKind, guideId } = guideOf(request.body as FormFields);
    await memory.attachGuide(key, guideKind, guideId);
    await republish(key);
    audit(request.appMember!.id, "memory.guide.attach", `${subject.kind}:${subject.id}`);
    return reply.redirect(`${request.url.split("?")[0]}`, 303);
  });

  app.post<SubjectParams>("/memory/guides/:kind/:id/remove", { preHandler: member }, async (request, reply) => {
    const { subject, key } = await subjectOf(request.params.kind, request.params.id);
    mayEditGuides(request, subject);
    const { guideKind, guideId } = guideOf(request.body as FormFields);
    await memory.detachGuide(key, guideKind, guideId);
    await republish(key);
    audit(request.appMember!.id, "memory.guide.detach", `${subject.kind}:${subject.id}`);
    return reply.redirect(request.url.split("?")[0]!.replace(/\/remove$/, ""), 303);
  });

  app.get<SubjectParams>("/memory/guides/:kind/:id/handout", { preHandler: member }, async (request, reply) => {
    const { subject, key } = await subjectOf(request.params.kind, request.params.id);
    // The QR library loads on the first hand-out printed, not at every start.
    const { default: QRCode } = await import("qrcode");
    const guides = await Promise.all(
      memory.guidesOf(key).map(async (guide) => ({
        ...guide,
        qr: await QRCode.toString(guide.url, { type: "svg", margin: 2, errorCorrectionLevel: "M" }),
      })),
    );
    return kit.send(request, reply, handoutPage(kit.context(request, reply), subject, guides));
  });

  // Uploaded guides.
  type IdParams = { Params: { id: string } };
  const showUploads = async (request: FastifyRequest, reply: FastifyReply, state: UploadFormState) =>
    kit.send(request, reply, uploadsPage(kit.context(request, reply), await memory.uploads.list(), state));

  app.get("/memory/uploads", { preHandler: member }, async (request, reply) => {
    const done = text(request.query as FormFields, "done");
    return showUploads(request, reply, {
      values: {},
      notice: done === "saved" || done === "removed" ? done : undefined,
    });
  });

  app.get<IdParams>("/memory/uploads/:id/file", { preHandler: member }, async (request, reply) => {
    const upload = await memory.uploads.get(request.params.id);
    const file = upload && memory.uploads.open(upload.id);
    if (!upload || !file) throw notFound(`no uploaded guide ${request.params.id}`);
    return sendGuideFile(reply, upload, file);
  });

  app.post<IdParams>("/memory/uploads/:id/visibility", { preHandler: member }, async (request, reply) => {
    const upload = await memory.uploads.get(request.params.id);
    if (!upload) throw notFound(`no uploaded guide ${request.params.id}`);
    const visibility = text(request.body as FormFields, "visibility") === "public" ? "public" : "internal";
    if (!mayChange(request, upload)) throw forbidden("only its uploader or a coordinator changes an uploaded guide");
    if (visibility === "public" && !isCoordinator(request)) throw forbidden("only a coordinator makes a guide public");
    for (const subject of await memory.uploads.setVisibility(upload.id, visibility)) await republish(subject);
    audit(request.appMember!.id, `memory.upload.${visibility}`, upload.id);
    return reply.redirect("/app/memory/uploads?done=saved", 303);
  });

  app.post<IdParams>("/memory/uploads/:id/remove", { preHandler: member }, async (request, reply) => {
    const upload = await memory.uploads.get(request.params.id);
    if (!upload) throw notFound(`no uploaded guide ${request.params.id}`);
    if (!mayChange(request, upload)) throw forbidden("only its uploader or a coordinator removes an uploaded guide");
    for (const subject of await memory.uploads.remove(upload.id)) await republish(subject);
    audit(request.appMember!.id, "memory.upload.remove", upload.id);
    return reply.redirect("/app/memory/uploads?done=removed", 303);
  });

  // Only here is a multipart body parsed: into memory, cut at the size limit. A visitor who is not signed in
  // is turned away before any of the body is read (the guard runs on the request, not after parsing).
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      attachFieldsToBody: "keyValues",
      throwFileSizeLimit: false,
      limits: { fileSize: MAX_GUIDE_BYTES, files: 1, fields: 4, parts: 5, fieldSize: 4096 },
      // The name as sent, folders and all: a name that reaches for a path is refused, not quietly cut.
      preservePath: true,
      async onFile(part: MultipartFile) {
        const chunks: Buffer[] = [];
        for await (const chunk of part.file) chunks.push(chunk as Buffer);
        (part as MultipartFile & { value?: FilePart }).value = {
          bytes: Buffer.concat(chunks),
          fileName: part.filename,
          truncated: part.file.truncated,
        };
      },
    });
    scope.post("/memory/uploads", { onRequest: member }, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const field = (name: string) => (typeof body[name] === "string" ? (body[name] as string).trim() : "");
      const values = { title: field("title"), summary: field("summary"), visibility: field("visibility") };
      const part = body.file as FilePart | string | undefined;
      const file = part && typeof part === "object" && Buffer.isBuffer(part.bytes) ? part : null;
      const fileName = file ? safeFileName(file.fileName) : null;
      let problem: keyof typeof REFUSAL | null =
        !file || file.bytes.length === 0
          ? "missing"
          : file.truncated
            ? "tooLarge"
            : !fileName
              ? "fileName"
              : !isPdf(file.bytes)
                ? "notPdf"
                : !values.title || values.title.length > 200
                  ? "title"
                  : !values.summary || values.summary.length > 1000
                    ? "summary"
                    : null;
      const refusal = problem ? null : await memory.uploads.refusal(file!.bytes, request.appMember!.id);
      problem ??= refusal?.problem ?? null;
      if (problem) {
        const { status, field: name } = REFUSAL[problem];
        const existing = refusal?.existing && `/app/memory/uploads/${refusal.existing.id}/file`;
        if (wantsProblem(request))
          return sendProblem(reply, {
            ...problemFor(status, DETAIL[problem], name),
            ...(existing ? { existing } : {}),
          });
        const key = problem === "title" || problem === "summary" ? "error.required" : `memory.uploads.error.${problem}`;
        const errors = { [name]: key } as FieldErrors;
        return showUploads(request, reply, { values, errors, status, duplicateOf: refusal?.existing });
      }
      if (values.visibility === "public" && !isCoordinator(request)) {
        const detail = "visibility: only a coordinator makes a guide public";
        if (wantsProblem(request)) return sendProblem(reply, problemFor(403, detail, "visibility"));
        throw forbidden(detail);
      }
      const upload = await memory.uploads.add({
        title: values.title,
        summary: values.summary,
        visibility: values.visibility === "public" ? "public" : "internal",
        fileName: fileName!,
        bytes: file!.bytes,
        uploadedBy: request.appMember!.id,
      });
      audit(request.appMember!.id, "memory.upload", upload.id);
      if (wantsProblem(request)) return reply.code(201).send(upload);
      return reply.redirect("/app/memory/uploads?done=saved", 303);
    });
  });
}
