# oddsflow: one image for every role (`run --role connectors|processors|sinks|all`) and the CLI.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The postinstall step fixes a kafkajs file (patches/README.md).
COPY patches patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY connectors connectors
COPY processors processors
COPY sinks sinks
COPY stack stack
COPY schemas schemas
COPY examples examples
COPY bench bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# The health/metrics server listens on every interface of the container (its own network
# namespace: nothing reaches it unless the port is published, which docker-compose.yml does on the
# host's loopback only); outside a container the default is 127.0.0.1.
ENV NODE_ENV=production \
    ODDSFLOW_STATE_DIR=/data/state \
    ODDSFLOW_HTTP_PORT=9464 \
    ODDSFLOW_HTTP_HOST=0.0.0.0
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Read at run time from the package root: schemas, alias tables, and the stack's pinned versions.
COPY schemas ./schemas
COPY processors/normalize/aliases ./processors/normalize/aliases
COPY stack/pom.xml stack/log4j2.properties ./stack/
RUN mkdir -p /data/state /shared && chown -R node:node /data /shared
USER node
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.ODDSFLOW_HTTP_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# V8 memory flags: src/app/node-flags.ts says why (a test keeps them the same everywhere).
ENTRYPOINT ["node", "--max-semi-space-size=8", "--heap-growing-percent=100", "dist/src/app/cli/main.js"]
CMD ["run", "--role", "all"]
