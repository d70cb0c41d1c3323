# API gateway container image.
#   docker build -t api-gateway .
#   docker run --read-only -p 8080:8080 -e DATABASE_URL=postgres://... api-gateway
#
# Built on a Node.js LTS line, pinned to a release (bump NODE_IMAGE deliberately). The runtime
# stage holds only the production dependencies and the compiled dist/ (dist/src, dist/migrations);
# `node dist/src/database/migrate-cli.js` is the migration Job's command, and migrations also run
# when the gateway starts.

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# --- production dependencies only -------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- build: all dependencies, compile TypeScript to dist/ -------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime ------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=deps /app/package.json /app/package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Application files stay root-owned and read-only for the process; only the data directory
# (embedded database, used when DATABASE_URL is unset) and /tmp are written. Both are volumes, so
# the container runs with a read-only root filesystem (docker run --read-only, Kubernetes
# readOnlyRootFilesystem with emptyDirs there).
RUN mkdir -p /app/data && chown 1000:1000 /app/data
VOLUME ["/app/data", "/tmp"]
# 1000 is the "node" user of the official image; numeric so that Kubernetes
# runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
# No curl in slim images: probe the liveness endpoint with node's fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The gateway drains in-flight requests on SIGTERM (up to SHUTDOWN_GRACE_MS) and exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "--single-threaded-gc", "dist/src/main.js"]
