FROM
RUN echo hi
FROM alpine AS
FROM alpine AS app
FROM alpine AS App
FROM alpine AS 1bad
