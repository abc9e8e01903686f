# syntax=docker/dockerfile:1
#
# palermo: build with `docker build -t palermo .`, run with
#   docker run -p 8080:8080 -v palermo-data:/data -e PALERMO_JWT_SECRET=... palermo
#
# The build needs only the Rust toolchain, a C compiler, make and perl: SQLite, libpq, jemalloc and
# OpenSSL are compiled from source by the bundled/vendored features of their -sys crates, so
# no -dev packages are installed and the binary links only against glibc (libc, libm, libgcc_s).

############################################################################################
# Builder
############################################################################################
FROM rust:1-bookworm AS builder
WORKDIR /build

# 1) Dependencies only, cached until Cargo.toml or Cargo.lock change: build the whole
#    dependency graph against a dummy library and binary (the manifest names src/lib.rs and
#    src/main.rs explicitly). If Cargo.toml ever gains [[test]], [[bench]] or [[example]]
#    entries with explicit paths, create dummy files for them here too.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src \
    && printf 'fn main() {}\n' > src/main.rs \
    && : > src/lib.rs \
    && cargo build --release --locked --package palermo \
    && rm -rf src

# 2) The application. migrations/ is embedded into the binary at compile time
#    (diesel's embed_migrations!), so it must be in place before this build.
COPY migrations ./migrations
COPY src ./src
# COPY keeps the files' own modification times, which can be older than the dummy build:
# touch the crate roots so cargo rebuilds palermo itself (the dependencies stay cached).
RUN touch src/lib.rs src/main.rs \
    && cargo build --release --locked --package palermo \
    && install -D -m 0755 target/release/palermo /out/palermo

############################################################################################
# Runtime
############################################################################################
FROM debian:bookworm-slim

# ca-certificates: TLS to PostgreSQL; curl: the HEALTHCHECK below.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user that owns /data (numeric ids, so `runAsNonRoot` checks can verify them).
RUN groupadd --system --gid 10001 palermo \
    && useradd --system --uid 10001 --gid palermo --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin palermo \
    && mkdir -p /data \
    && chown palermo:palermo /data

COPY --from=builder /out/palermo /usr/local/bin/palermo

# SQLite file in the volume by default; set DATABASE_URL=postgres://... to use PostgreSQL.
# OpenSSL is vendored (its built-in certificate paths point at /usr/local/ssl): point it at
# Debian's CA bundle.
ENV DATABASE_URL=/data/palermo.db \
    PALERMO_BIND=0.0.0.0:8080 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_DIR=/etc/ssl/certs

# Declared after the chown so a new named volume starts out owned by palermo.
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8080

# Liveness only (/health/ready also needs the database). The port follows PALERMO_BIND.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${PALERMO_BIND##*:}/health/live" || exit 1

ENTRYPOINT ["palermo"]
CMD ["serve"]
