ARG VERSION=1.2.3
ARG TARGETARCH
FROM --platform=$BUILDPLATFORM alpine:3.20 AS fetch
RUN echo "fetching for $TARGETARCH"
RUN wget -O /tmp/app.tgz "https://example.com/app-${VERSION}.tgz"

FROM alpine:3.20 AS good
ARG TARGETARCH
ARG VERSION
RUN echo "$TARGETARCH $VERSION"
RUN echo \$TARGETPLATFORM is literal here

FROM alpine:3.20 AS late
RUN echo "platform: ${TARGETPLATFORM:-unknown}"
ARG TARGETPLATFORM
COPY --from=fetch /tmp/app.tgz /tmp/${TARGETOS}.tgz
RUN <<EOF
# $TARGETVARIANT is mentioned in a comment only
echo "built on $BUILDARCH"
EOF
