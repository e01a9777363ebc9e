FROM golang:1.22 AS api
WORKDIR /src
COPY . .
RUN go mod download
RUN CGO_ENABLED=0 go build -o /out/api ./cmd/api

FROM rust:1.79 AS worker
WORKDIR /src
COPY . .
RUN cargo build --release

FROM debian:bookworm AS native
RUN apt-get update && apt-get install -y build-essential cmake
COPY . /src
RUN cmake -S /src -B /build && cmake --build /build

FROM node:20-bookworm AS deps
RUN apt-get update && apt-get install -y python3 make g++
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:20-alpine AS purejs
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM golang:1.22 AS pinned
RUN GOARCH=amd64 go build -o /out/tool ./cmd/tool

FROM debian:bookworm-slim
COPY --from=api /out/api /usr/local/bin/api
COPY --from=worker /src/target/release/worker /usr/local/bin/worker
