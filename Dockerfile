# syntax=docker/dockerfile:1
# Build: docker build --build-arg VERSION=$(git describe --tags --always) \
#          --build-arg COMMIT=$(git rev-parse HEAD) --build-arg BUILD_DATE=$(date -u +%FT%TZ) -t parcours .
# Run:   docker run --read-only -p 8080:8080 -v parcours-data:/data \
#          -e PARCOURS_MM_URL=... -e PARCOURS_MM_TOKEN=... -e PARCOURS_PUBLIC_URL=... parcours
#
# Base images are pinned by digest. These digests were taken from public Dockerfiles pinning the
# same tags; they could NOT be checked against the registries from where this file was written
# (no registry access). Before the first build, check and refresh them:
#   crane digest golang:1.26-bookworm
#   crane digest gcr.io/distroless/static-debian12:nonroot
# The builder must have Go >= the version in go.mod (GOTOOLCHAIN=local in the golang image).
# The image-equivalent test (scripts/test.sh, step "image") runs the binary built by
# scripts/build.sh in an empty read-only root as uid 65532, as this image does.

FROM golang:1.26-bookworm@sha256:b305420a68d0f229d91eb3b3ed9e519fcf2cf5461da4bef997bf927e8c0bfd2b AS build
WORKDIR /src
# Dependencies first, so that code changes reuse the module cache layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=inconnu
ARG BUILD_DATE=
RUN VERSION=${VERSION} COMMIT=${COMMIT} BUILD_DATE=${BUILD_DATE} scripts/build.sh /out/parcours \
    && mkdir -p /out/data

# distroless/static: no shell, no package manager, no git, CA certificates included,
# runs as the unprivileged "nonroot" user (65532). Works with a read-only root: the bot
# writes only to /data (and git checkouts go to /data/sources).
FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /out/parcours /usr/local/bin/parcours
COPY --from=build --chown=65532:65532 /out/data /data
ENV PARCOURS_LISTEN=:8080 \
    PARCOURS_DATA_DIR=/data \
    PARCOURS_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/parcours"]
CMD ["serve"]
