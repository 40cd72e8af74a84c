# syntax=docker/dockerfile:1
# Build: docker build -t parcours .
# Run:   docker run -p 8080:8080 -v parcours-data:/data \
#          -e PARCOURS_MM_URL=... -e PARCOURS_MM_TOKEN=... -e PARCOURS_PUBLIC_URL=... parcours

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Dependencies first, so that code changes reuse the module cache layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/parcours ./cmd/parcours \
    && mkdir -p /out/data

# distroless/static: no shell, no package manager, CA certificates included,
# runs as the unprivileged "nonroot" user (65532).
FROM gcr.io/distroless/static-debian12:nonroot
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
