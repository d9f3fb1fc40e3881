FROM node:20-bookworm-slim
WORKDIR /app
# npm ci needs the manifest, the lock and the script its `prepare` runs (console/build.mjs, which
# skips the console build until the sources are there).
COPY package.json package-lock.json ./
COPY console/build.mjs console/
RUN npm ci
COPY . .
# tsc and the console build (console/dist), then only the production dependencies.
RUN npm run build && npm prune --omit=dev
ENV NODE_ENV=production
EXPOSE 8080
# A container is reached from outside: listen on every interface. The config comes from
# IDOCGATE_CONFIG (docker-compose.yml mounts ./config); without one the demo refuses 0.0.0.0.
CMD ["node", "dist/src/main.js", "--host", "0.0.0.0"]
