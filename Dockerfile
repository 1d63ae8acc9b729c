# intelstream: one image for every node. Build and run one node:
#
#   docker build -t intelstream .
#   docker run --rm intelstream run quickstart --node parse \
#     --brokers kafka:9092 --registry http://schema-registry:8081 --api-addr :8080
#
# docker-compose.kafka.yml runs the quickstart topology this way, one
# container per node, on Apache Kafka (KRaft) and a schema registry.

# --- build: a static binary (no cgo), reproducible paths ---
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/intelstream ./cmd/intelstream \
 && mkdir -p /out/state

# --- run: distroless static, non-root (uid 65532), nothing but the binary ---
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/intelstream /usr/local/bin/intelstream
# Tables' local stores (LevelDB); mount a volume here for stateful nodes.
COPY --from=build --chown=65532:65532 /out/state /var/lib/intelstream
ENV INTELSTREAM_STATE_DIR=/var/lib/intelstream
USER 65532:65532
# 8080: the node's API (/healthz, /readyz) with --api-addr :8080;
# 9100: Prometheus metrics with --metrics-addr :9100.
EXPOSE 8080 9100
ENTRYPOINT ["/usr/local/bin/intelstream"]
CMD ["--help"]
