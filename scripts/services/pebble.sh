#!/usr/bin/env bash
# Starts Let's Encrypt's ACME test server for the domains-and-TLS integration tests (run as root, idempotent):
#   - installs the Debian packages `pebble` (the ACME server and pebble-challtestsrv) and `certbot` (the ACME client
#     DeployMind drives on a host) when missing,
#   - everything lives in /var/lib/deploymind-test/pebble/: its own CA for pebble's HTTPS listener (ca.pem, the file an
#     ACME client must trust to talk to pebble; the issued certificates chain to pebble's *issuing* root, which
#     pebble makes up at start and serves on https://127.0.0.1:15000/roots/0), pebble.json, *.pid, *.log,
#   - pebble-challtestsrv answers DNS on 127.0.0.1:8053 for pebble only (no default address: a name resolves only once a
#     test adds it with POST http://127.0.0.1:8055/add-a {"host":"shop.test.","addresses":["127.0.0.1"]}),
#   - pebble serves ACME on https://127.0.0.1:14000/dir (management 127.0.0.1:15000) and validates HTTP-01 challenges on
#     port 5002 of the address a name resolves to: the tests' nginx listens for domains on 127.0.0.1:5002 (HTTPS 5443),
#   - each is started only if it is not answering (a changed pebble.json restarts pebble).
set -euo pipefail

dir=/var/lib/deploymind-test/pebble
acme_port=14000
management_port=15000
http01_port=5002
dns_port=8053
dns_management_port=8055
log() { printf '[pebble] %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "pebble.sh: run as root (e.g. sudo $0): it installs pebble and certbot" >&2
  exit 2
fi

cd /

need=()
command -v pebble >/dev/null || need+=(pebble)
command -v pebble-challtestsrv >/dev/null || need+=(pebble)
command -v certbot >/dev/null || need+=(certbot)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${need[@]}" >/dev/null
fi

install -d -m 755 /var/lib/deploymind-test
install -d -m 755 "$dir"

# pebble's HTTPS listener: a CA of our own and a certificate for 127.0.0.1 and localhost, made once.
if [ ! -s "$dir/ca.pem" ] || [ ! -s "$dir/cert.pem" ] || [ ! -s "$dir/key.pem" ]; then
  log "making pebble's listener certificate ($dir/ca.pem)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=DeployMind test pebble CA" \
    -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/key.pem" -out "$dir/cert.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$dir/cert.ext"
  openssl x509 -req -in "$dir/cert.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -days 3650 \
    -extfile "$dir/cert.ext" -out "$dir/cert.pem" 2>/dev/null
  chmod 600 "$dir/ca-key.pem" "$dir/key.pem"
  chmod 644 "$dir/ca.pem" "$dir/cert.pem"
  rm -f "$dir/cert.csr" "$dir/cert.ext"
fi

conf=$(cat <<CONFIG
{
  "pebble": {
    "listenAddress": "127.0.0.1:$acme_port",
    "managementListenAddress": "127.0.0.1:$management_port",
    "certificate": "$dir/cert.pem",
    "privateKey": "$dir/key.pem",
    "httpPort": $http01_port,
    "tlsPort": 5001,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
CONFIG
)
changed=0
if [ ! -f "$dir/pebble.json" ] || [ "$(cat "$dir/pebble.json")" != "$conf" ]; then
  printf '%s\n' "$conf" > "$dir/pebble.json"
  changed=1
fi

alive() { local pid; pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
listening() { ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }
wait_port() {
  for _ in $(seq 1 100); do listening "$1" && return 0; sleep 0.1; done
  return 1
}

# The DNS the ACME server asks: only names a test added resolve (-defaultIPv4/-defaultIPv6 empty).
if alive "$dir/challtestsrv.pid" && listening $dns_management_port; then
  log "pebble-challtestsrv already answers (pid $(cat "$dir/challtestsrv.pid"))"
else
  if listening $dns_management_port; then
    echo "pebble.sh: something else listens on 127.0.0.1:$dns_management_port; stop it, then run this again" >&2
    exit 1
  fi
  setsid nohup pebble-challtestsrv -defaultIPv4 "" -defaultIPv6 "" -dns01 "127.0.0.1:$dns_port" \
    -management "127.0.0.1:$dns_management_port" -http01 "" -https01 "" -tlsalpn01 "" \
    >"$dir/challtestsrv.log" 2>&1 < /dev/null &
  echo $! > "$dir/challtestsrv.pid"
  wait_port $dns_management_port || { tail -n 20 "$dir/challtestsrv.log" >&2; echo "pebble.sh: pebble-challtestsrv did not start" >&2; exit 1; }
  log "pebble-challtestsrv: DNS 127.0.0.1:$dns_port, management http://127.0.0.1:$dns_management_port (pid $(cat "$dir/challtestsrv.pid"))"
fi

if alive "$dir/pebble.pid" && listening $acme_port; then
  if [ $changed = 0 ]; then
    log "pebble already answers on https://127.0.0.1:$acme_port/dir (pid $(cat "$dir/pebble.pid"))"
    exit 0
  fi
  log "restarting pebble (pid $(cat "$dir/pebble.pid")): $dir/pebble.json changed"
  kill "$(cat "$dir/pebble.pid")"
  for _ in $(seq 1 50); do listening $acme_port || break; sleep 0.1; done
elif listening $acme_port; then
  echo "pebble.sh: something else listens on 127.0.0.1:$acme_port; stop it, then run this again" >&2
  exit 1
fi

# No sleeps in validation, no nonce rejections (the tests judge DeployMind, not a client's retries), no reuse of
# authorizations (every issuance validates again, so a name that stopped resolving fails).
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
  setsid nohup pebble -config "$dir/pebble.json" -dnsserver "127.0.0.1:$dns_port" \
  >"$dir/pebble.log" 2>&1 < /dev/null &
echo $! > "$dir/pebble.pid"
wait_port $acme_port || { tail -n 20 "$dir/pebble.log" >&2; echo "pebble.sh: pebble did not start" >&2; exit 1; }
log "pebble: ACME https://127.0.0.1:$acme_port/dir (trust $dir/ca.pem), management https://127.0.0.1:$management_port, HTTP-01 on port $http01_port (pid $(cat "$dir/pebble.pid"))"
