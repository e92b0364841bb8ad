# One pod per container. Build: docker build -t pods .   Run: see README "Docker".
FROM node:24-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    NODE_COMPILE_CACHE=/app/.compile-cache
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
COPY migrations-pg ./migrations-pg
RUN mkdir -p /data /app/.compile-cache && chown node:node /data /app/.compile-cache
USER node
# Fill Node's compile cache now: a started pod then neither strips types nor compiles its modules again, nor
# resolves its package imports (kept in the same folder; bin/loading.mjs says what each saves). Every role's
# modules, and PostgreSQL's (loaded only with DATABASE_URL). As the user the pod runs as: Node keeps each user's
# cache in a folder of its own.
RUN node --input-type=module -e "const { prepareLoading } = await import('./bin/loading.mjs'); prepareLoading(); \
      for (const m of ['pod', 'app', 'roles/web', 'roles/worker', 'roles/storage-postgres']) \
        await import('./src/' + m + '.ts');"
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Exec form, node itself as PID 1 (no npm, no shell): `docker stop`'s SIGTERM reaches the pod, which
# finishes in-flight requests and exits 0. The pod starts no child processes, so nothing needs reaping.
# A young generation of 8 MB semi-spaces: V8's default (16 MB) was within noise of it in CPU a delivery and
# peaked 23-42 MB higher under ingest; 2 MB cost 10-15% more CPU. The pod gives memory back when idle.
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=8", "bin/start.mjs"]
