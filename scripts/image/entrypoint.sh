#!/bin/sh
# The entry point of DeployMind's image: `deploymind ARGS`. `serve` without --urls listens where the container is
# told to: server.urls (DEPLOYMIND__SERVER__URLS) when set, else http://$HOST:$PORT — the variables DeployMind gives
# every release container, so the image deploys with DeployMind like any app — else http://0.0.0.0:8090.
set -eu
if [ "${1:-}" = serve ] && [ -z "${DEPLOYMIND__SERVER__URLS:-}" ]; then
  case " $* " in
    *" --urls "*) ;;
    *) shift; exec deploymind serve --urls "http://${HOST:-0.0.0.0}:${PORT:-8090}" "$@" ;;
  esac
fi
exec deploymind "$@"
