# syntax=docker/dockerfile:1
# The scs-cert image: one static binary (operator, check driver, Job-side uploader) on
# distroless/static, running as non-root. The same binary is what `make release-binary` builds
# and tests on the host (no container engine needed there).
#
#   docker build -t ghcr.io/scs-cert-operator/scs-cert:0.1.0 .
#
# Check Jobs copy /usr/local/bin/scs-cert out of this image with `scs-cert install` (init
# container), so it must stay a static executable at that path.

FROM docker.io/library/rust:1.95-bookworm AS build
RUN rustup target add x86_64-unknown-linux-musl \
 && apt-get update \
 && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    bash hack/release-binary.sh \
 && cp target/release-binary/scs-cert /scs-cert

FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="scs-cert" \
      org.opencontainers.image.description="Sovereign Cloud Stack certification operator and check runner" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build --chown=0:0 --chmod=0755 /scs-cert /usr/local/bin/scs-cert
# distroless "nonroot": uid/gid 65532, as the chart's securityContext expects.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/scs-cert"]
CMD ["operator"]
