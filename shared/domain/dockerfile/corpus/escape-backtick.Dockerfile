# escape=`
FROM alpine:3.20
RUN echo start `
    && wget -O /tmp/tool.zip https://example.com/tool_linux_amd64.zip `
    && echo "a \ b" `
    && echo done
ARG TARGETARCH
RUN wget -O /tmp/ok.zip https://example.com/tool_linux_${TARGETARCH}.zip
