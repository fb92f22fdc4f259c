# The app (the GitHub App server, `npm start`) as an image. Build: `docker build -t prebuilds .`
# Run one replica on SQLite:   docker run -p 3000:3000 -v prebuilds:/app/data --env-file .env prebuilds
# Run several on PostgreSQL:   set DATABASE_URL=postgres://… on each (see compose.yaml and docs/replicas.md).
# NODE_IMAGE: any Debian bookworm image with Node.js 20.18+ / 22 / 24 laid out as the official
# one (npm, headers, user `node`); where no registry is reachable, docker/node-local builds
# one from a local Debian base and the host's Node (test/helpers/compose.ts does).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 falls back to compiling when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY schema schema
# Only the app (src/): the demo and the benchmarks stay out of the image.
RUN echo '{ "extends": "./tsconfig.build.json", "include": ["src"] }' > tsconfig.image.json \
  && npx tsc -p tsconfig.image.json && npm prune --omit=dev

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATABASE_PATH=/app/data/prebuilds.sqlite
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/lib lib
COPY package.json app.yml ./
RUN mkdir -p data && chown node:node data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/ping').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "lib/src/main.js"]
