# connector-harness as a container image: the package `npm pack` makes of this checkout, installed with the
# locked runtime dependencies, the CLI as the entrypoint and /repo (a mount of the user's repository) as the
# working folder, so relative scenario paths and the default reports/ folder are the mounted ones.
#   docker build -t connector-harness .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/repo" connector-harness run connectors -r junit -r html
# NODE_IMAGE picks the Node base: the official image by default; machines without a registry pass their local
# one (containers/build-images.sh: --build-arg NODE_IMAGE=harness-local/node:22).
ARG NODE_IMAGE=node:22-slim

FROM ${NODE_IMAGE} AS package
WORKDIR /src
# Every dependency: the build type-checks the sources against their types. No install script is needed for that
# (the `node` devDependency's fetches a Node this image has already). `.npm-ca.pe[m]` matches nothing in a normal
# checkout; containers/build-images.sh places a git-ignored copy of the machine's CA bundle there when registry
# traffic goes through an extra CA.
COPY package.json package-lock.json .npm-ca.pe[m] ./
RUN if [ -f .npm-ca.pem ]; then export NODE_EXTRA_CA_CERTS=/src/.npm-ca.pem; fi \
 && npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm pack --silent --pack-destination /tmp && mv /tmp/logto-connector-harness-*.tgz /tmp/package.tgz

FROM ${NODE_IMAGE}
WORKDIR /opt/connector-harness
# The runtime dependencies at the versions package-lock.json pins (a layer that only a dependency change
# rebuilds), then the package's files over them.
COPY package.json package-lock.json .npm-ca.pe[m] ./
RUN if [ -f .npm-ca.pem ]; then export NODE_EXTRA_CA_CERTS=/opt/connector-harness/.npm-ca.pem; fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -f .npm-ca.pem package-lock.json
COPY --from=package /tmp/package.tgz /tmp/package.tgz
RUN tar -xzf /tmp/package.tgz --strip-components=1 && rm /tmp/package.tgz \
 && ln -s /opt/connector-harness/bin/connector-harness.js /usr/local/bin/connector-harness \
 && ln -s /opt/connector-harness/bin/mock-idp.js /usr/local/bin/mock-idp \
 && connector-harness --version
WORKDIR /repo
# Exec form: the exit code is the harness's (0 passed, 1 a check failed, 2 bad input), and Ctrl-C reaches it.
ENTRYPOINT ["connector-harness"]
CMD ["--help"]
