#!/bin/sh
# The official redis image's entrypoint, on Debian's redis-server.
set -e

# `docker run redis:7 --appendonly yes` (options or a .conf file only): they are redis-server's.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = redis-server ]; then
  # Official builds default protected mode to off (no config file and no password would refuse every client
  # that is not on loopback); an explicit --protected-mode wins.
  case " $* " in
    *" --protected-mode "*) ;;
    *) set -- "$@" --protected-mode no ;;
  esac
  # As root: give the data (a fresh bind mount is root's) to redis, then run as redis.
  if [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
  fi
fi

um=$(umask)
if [ "$um" = 0022 ]; then
  umask 0077
fi
exec "$@"
