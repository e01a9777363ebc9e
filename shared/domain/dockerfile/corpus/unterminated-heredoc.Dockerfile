FROM alpine:3.20
RUN echo before
RUN <<EOF
echo this heredoc is never closed
echo and swallows the rest of the file
