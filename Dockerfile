# release-guard daemon image. Build: docker build -t release-guard .   Run: see README "Operations".
FROM node:20-bookworm-slim AS build
WORKDIR /app
# sqlite3 compiles its native addon from source
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
# The build exercises the CLI bundle with the rules before it saves the bundle's code cache (src/cli/code-cache.ts).
COPY rules ./rules
# `npm install` from the lock runs `prepare` (scripts/build.ts): the CLI bundled into dist/cli with its code caches, the
# review UI into dist/ui.
# tsx and typescript are dependencies only so that a git install can build (under tsx) and `npm start` can run the sources;
# the image runs dist/ with node, so they (and what only they need) are pruned from the runtime node_modules.
RUN npm install --no-audit --no-fund \
 && npm pkg delete dependencies.tsx dependencies.typescript \
 && npm prune --omit=dev --no-audit --no-fund \
 && test ! -e node_modules/typescript && test ! -e node_modules/tsx

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    RELEASE_GUARD_HOST=0.0.0.0 \
    RELEASE_GUARD_PORT=8080 \
    RELEASE_GUARD_DATA_DIR=/var/lib/release-guard \
    RELEASE_GUARD_RULES_DIR=/app/rules
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY rules ./rules
COPY dashboards ./dashboards
RUN mkdir -p /var/lib/release-guard && chown node:node /var/lib/release-guard
USER node
VOLUME ["/var/lib/release-guard"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.RELEASE_GUARD_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# RELEASE_GUARD_TOKEN must be set (env or auth.tokenFile); without it the guard refuses to start.
CMD ["node", "dist/cli/index.js", "serve"]
