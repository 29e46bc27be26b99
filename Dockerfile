# syntax=docker/dockerfile:1
# AION in a container: `docker build -t aion .` then `docker compose up` (see compose.yaml) or
#   docker run -p 127.0.0.1:7000:7000 -v aion-data:/data --cap-add SYS_ADMIN --security-opt systempaths=unconfined aion
#
# Code execution sandbox (POST /api/code/execute, the execute_code / run_command tools). The server runs as the
# unprivileged `node` user; every run is confined with unshare/setpriv/prlimit (util-linux) in new user, mount, PID and
# network namespaces. Inside Docker that needs:
#   - user namespaces allowed by the host kernel (`sysctl kernel.unprivileged_userns_clone=1` where it exists; on
#     Ubuntu 24.04+ also `kernel.apparmor_restrict_unprivileged_userns=0`, or an AppArmor profile that allows them);
#   - `--cap-add SYS_ADMIN`: Docker's default seccomp profile permits unshare()/clone() with namespace flags only when
#     SYS_ADMIN is in the bounding set (the non-root server does not get the capability itself; its runs get
#     capabilities only inside their own user namespace, and setpriv drops them);
#   - `--security-opt systempaths=unconfined`: Docker masks parts of /proc, and the kernel then refuses the fresh /proc
#     mount each run's PID namespace needs. (Alternatively a custom seccomp profile allowing unshare/clone/mount.)
# `GET /api/code/capabilities` (admin) shows what is in place. Without namespaces, execution answers 503
# SANDBOX_UNAVAILABLE unless AION_EXEC_ALLOW_UNCONFINED=1 (single-user installs only) — or disable the alin-code plugin.

# ── build: runtime dependencies only, then the panel, the server bundle and the prebuilt plugins ──
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# The panel builds from runtime dependencies (esbuild, preact, marked, highlight.js, dompurify, eventsource-parser).
RUN node scripts/build.mjs

# ── runtime ──
FROM node:24-bookworm-slim
# python3: `language: python` runs; ripgrep: fast workspace search; util-linux: unshare/setpriv/prlimit (sandbox);
# tini: PID 1 that reaps the sandbox's orphans and forwards signals.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 ripgrep util-linux tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
# MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (V8's GC helpers, libuv's pool) its own malloc arena,
# and 1,000 open streams left ~80 MB of fragmented native memory spread over them (issue #16: peak RSS 295 → 215 MB).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=7000 \
    DATA_DIR=/data \
    ENV_FILE=/data/.env \
    PLUGINS_WATCH=0
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/core ./core
COPY --from=build /app/plugins ./plugins
COPY --from=build /app/prompts ./prompts
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/dist ./dist
# The built panel only (no web/src: nothing to rebuild at start, so the image can run with a read-only root).
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/web/public ./web/public
# Node uses a compile cache only in a folder it may write (core/bundle-entry.ts): the one `npm run build` warmed.
RUN mkdir -p /data /app/dist/compile-cache && chown node:node /data && chown -R node:node /app/dist/compile-cache
USER node
VOLUME ["/data"]
EXPOSE 7000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||7000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# The V8 flag of `npm start` (package.json; scripts/start.mjs says why).
CMD ["node", "--max-semi-space-size=4", "scripts/start.mjs"]
