FROM debian:bookworm-slim AS node
RUN curl -fsSL https://example.com/dist/v20.15.0/node-v20.15.0-linux-x64.tar.xz | tar -xJ -C /usr/local --strip-components=1

FROM example/dotnet-sdk:8.0 AS dotnet
WORKDIR /src
COPY . .
RUN dotnet publish -c Release -r linux-x64 -o /out
