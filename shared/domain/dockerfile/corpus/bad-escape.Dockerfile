# escape=x
FROM alpine:3.20
