#!/usr/bin/env bash
# Starts "host2", a second Docker host for the integration tests whose image store starts empty, and two
# test registries (run as root, idempotent; what runs is left alone, what is gone or stale is started again):
#   - installs socat, docker-registry and apache2-utils (htpasswd) when missing (Debian's registry service is
#     not started: a temporary policy-rc.d unless there is one); dockerd is the one scripts/bootstrap.sh installed,
#   - the network namespace `deploymind-host2`: only `lo` (its own 127.0.0.1), no veth, no other address,
#   - a second dockerd in that namespace (entered with `nsenter --net`: `ip netns exec` remounts /sys, which hides
#     the cgroup mounts dockerd needs), overlay2, --bridge=none --iptables=false: containers run with
#     `--network host` live on host2's loopback, not this machine's. Its files: data-root
#     /var/lib/deploymind-host2/docker, exec-root /run/deploymind-host2/exec, pidfile /run/deploymind-host2/docker.pid,
#     API unix:///run/deploymind-host2/docker.sock, log /var/lib/deploymind-test/host2/dockerd.log,
#   - an sshd in the namespace on its 127.0.0.1:22, keys only, root may log in with sshd.sh's client key
#     (/var/lib/deploymind-test/ssh/id_ed25519; sshd.sh is run first if it is missing). Its sessions get
#     DOCKER_HOST=unix:///run/deploymind-host2/docker.sock and HOME=/var/lib/deploymind-host2/home (SetEnv), so
#     ~/.deploymind and ~/.docker there are host2's own. Its files live in /var/lib/deploymind-test/host2/:
#     sshd_config, host key, sshd.pid, sshd.log, and known_hosts with the [127.0.0.1]:2223 entry,
#   - registries in this machine's namespace, Debian's docker-registry (distribution 2.8), plain HTTP:
#     127.0.0.1:5000 open, 127.0.0.1:5001 htpasswd basic auth, user `deploymind`, password (generated once) in
#     /var/lib/deploymind-test/registry/password (root only). Files: /var/lib/deploymind-test/registry/{open,auth}/
#     (config.yml, storage/, registry.pid, registry.log; auth/htpasswd),
#   - forwarders (socat pairs through unix sockets in /run/deploymind-host2/, no addresses but loopback):
#     127.0.0.1:2223 here -> host2's 127.0.0.1:22 (ssh), and host2's 127.0.0.1:5000/5001 -> the registries here,
#     so host2's engine pulls from 127.0.0.1:5000 and 127.0.0.1:5001 as this machine's does (127.0.0.0/8 is an
#     insecure registry by default: plain HTTP, basic auth included, works without TLS).
# The tests read these paths from tests/DeployMind.IntegrationTests/Support/Host2.cs.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
ns=deploymind-host2
run=/run/deploymind-host2
state=/var/lib/deploymind-host2
dir=/var/lib/deploymind-test/host2
reg=/var/lib/deploymind-test/registry
client_key=/var/lib/deploymind-test/ssh/id_ed25519
host=127.0.0.1
ssh_port=2223
sock=$run/docker.sock
docker=/usr/bin/docker   # Debian's client, the same version as the engine
log() { printf '[host2] %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "host2.sh: run as root (e.g. sudo $0): it creates a network namespace and starts dockerd, sshd and registries" >&2
  exit 2
fi

cd /

need=()
command -v socat >/dev/null || need+=(socat)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v nsenter >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  # docker-registry's postinst would start Debian's registry on :5000 (every address): a policy-rc.d (unless there
  # is one already) stops services from starting during the install, and is removed afterwards.
  policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    trap 'rm -f "$policy"' EXIT
    printf '#!/bin/sh\n# Temporary, from scripts/services/host2.sh: no service starts during the install.\nexit 101\n' > "$policy"
    chmod 755 "$policy"
  fi
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${need[@]}" >/dev/null
  if [ -n "$policy" ]; then
    rm -f "$policy"
    trap - EXIT
  fi
fi
if ! [ -x /usr/sbin/dockerd ] || ! [ -x "$docker" ]; then
  echo "host2.sh: /usr/sbin/dockerd or $docker is missing; run scripts/bootstrap.sh first" >&2
  exit 1
fi
if [ ! -f "$client_key.pub" ]; then
  bash "$here/sshd.sh"
fi

install -d -m 755 /var/lib/deploymind-test "$run" "$state"
install -d -m 700 "$dir" "$reg" "$state/home" "$run/exec"

# --- the namespace -------------------------------------------------------------------------------------------
if [ ! -e "/run/netns/$ns" ]; then
  log "creating the network namespace $ns (lo only)"
  ip netns add "$ns"
fi
ip netns exec "$ns" ip link set lo up
in_ns() { nsenter --net="/run/netns/$ns" "$@"; }
ns_id=$(stat -L -c %i "/run/netns/$ns")

# The pid in $1 if that process is alive, its command line contains $2 and (with a third argument) it lives in
# host2's namespace. A pid left from before (machine restarted, namespace recreated) is not ours.
ours() {
  local pid
  pid=$(cat "$1" 2>/dev/null || true)
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
  if [ $# -ge 3 ]; then
    [ "$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null)" = "$ns_id" ] || return 1
  fi
  echo "$pid"
}
# Whether pid $1 runs (a zombie, dead but not yet reaped by init, does not).
alive() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# Stops what a pid file names when it is ours but has to go (its namespace was recreated, its config changed).
stop() {
  local pid
  pid=$(ours "$1" "$2") || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$pid" || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
# Runs "$@" in the background, detached, its output appended to $2; writes its pid to $1.
spawn() {
  local pidfile=$1 logfile=$2
  shift 2
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! > "$pidfile"
}
wait_for() {  # wait_for SECONDS DESCRIPTION LOG command...
  local tries=$(($1 * 10)) what=$2 logfile=$3
  shift 3
  for _ in $(seq 1 "$tries"); do "$@" && return 0; sleep 0.1; done
  echo "host2.sh: $what within $(( tries / 10 ))s; see $logfile" >&2
  tail -n 20 "$logfile" >&2 || true
  exit 1
}

# --- host2's dockerd --------------------------------------------------------------------------------------------
engine_answers() { "$docker" -H "unix://$sock" version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if pid=$(ours "$run/docker.pid" "$state/docker" in-ns) && engine_answers; then
  log "dockerd already answers on unix://$sock (pid $pid)"
else
  stop "$run/docker.pid" "$state/docker"
  rm -f "$run/docker.pid" "$sock"
  # dockerd starts its own containerd unless the pid file in its exec-root names a live one; a pid left by a
  # containerd that is gone (or a zombie) would make it wait for that one until it gives up.
  ours "$run/exec/containerd/containerd.pid" "$run/exec/containerd" in-ns >/dev/null || rm -f "$run/exec/containerd/containerd.pid"
  log "starting dockerd in $ns (data-root $state/docker, log $dir/dockerd.log)"
  # dockerd writes its own pid file (it refuses to start when the file names a live process, itself included).
  setsid nsenter --net="/run/netns/$ns" /usr/sbin/dockerd \
    --data-root "$state/docker" --exec-root "$run/exec" --pidfile "$run/docker.pid" -H "unix://$sock" \
    --storage-driver overlay2 --bridge=none --iptables=false --ip6tables=false --cgroup-parent=/deploymind-host2 \
    >>"$dir/dockerd.log" 2>&1 </dev/null &
  wait_for 30 "host2's dockerd did not answer on unix://$sock" "$dir/dockerd.log" engine_answers
  log "dockerd answers on unix://$sock (pid $(cat "$run/docker.pid"))"
fi

# --- registries -------------------------------------------------------------------------------------------------
if [ ! -s "$reg/password" ]; then
  (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$reg/password")
fi
chmod 600 "$reg/password"
password=$(cat "$reg/password")
install -d -m 700 "$reg/open" "$reg/open/storage" "$reg/auth" "$reg/auth/storage"
htpasswd_changed=0
if ! htpasswd -b -v "$reg/auth/htpasswd" deploymind "$password" >/dev/null 2>&1; then
  htpasswd -B -b -c "$reg/auth/htpasswd" deploymind "$password" 2>/dev/null
  chmod 600 "$reg/auth/htpasswd"
  htpasswd_changed=1  # the registry reads the file when it starts
fi

registry_config() {  # registry_config NAME PORT [auth]
  cat <<CONFIG
# Generated by scripts/services/host2.sh: a test-only registry, loopback only, plain HTTP.
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $reg/$1/storage
  delete:
    enabled: true
http:
  addr: $host:$2
CONFIG
  if [ $# -ge 3 ]; then
    cat <<CONFIG
auth:
  htpasswd:
    realm: deploymind-test
    path: $reg/$1/htpasswd
CONFIG
  fi
}
registry_answers() {  # 200 (open) or 401 (auth) from /v2/
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$host:$1/v2/" 2>/dev/null || true)
  [ "$code" = "$2" ]
}
registry() {  # registry NAME PORT EXPECTED_CODE [auth]
  local name=$1 port=$2 code=$3 conf=$reg/$1/config.yml pid
  shift 3
  if [ ! -f "$conf" ] || [ "$(registry_config "$name" "$port" "$@")" != "$(cat "$conf")" ]; then
    stop "$reg/$name/registry.pid" "$conf"
    registry_config "$name" "$port" "$@" > "$conf"
  elif [ $# -ge 1 ] && [ $htpasswd_changed = 1 ]; then
    stop "$reg/$name/registry.pid" "$conf"
  fi
  if pid=$(ours "$reg/$name/registry.pid" "$conf") && registry_answers "$port" "$code"; then
    log "registry $name already answers on $host:$port (pid $pid)"
    return
  fi
  stop "$reg/$name/registry.pid" "$conf"
  if registry_answers "$port" 200 || registry_answers "$port" 401; then
    echo "host2.sh: something else answers on $host:$port; stop it, then run this again" >&2
    exit 1
  fi
  spawn "$reg/$name/registry.pid" "$reg/$name/registry.log" docker-registry serve "$conf"
  wait_for 10 "the $name registry did not answer on $host:$port" "$reg/$name/registry.log" registry_answers "$port" "$code"
  log "registry $name answers on $host:$port (pid $(cat "$reg/$name/registry.pid")), storage $reg/$name/storage"
}
registry open 5000 200
registry auth 5001 401 auth

# --- forwarders -------------------------------------------------------------------------------------------------
# forward NAME ns|root LISTEN CONNECT [SOCKET]: a socat that accepts on LISTEN (in host2's namespace or this
# machine's) and connects each client to CONNECT in the same namespace; a pair of them (TCP -> unix socket -> TCP)
# crosses over. SOCKET, the unix socket it listens on, must exist too (socat removes it when it exits).
forward() {
  local name=$1 side=$2 listen=$3 connect=$4 socket=${5:-} pidfile=$run/$1.pid pid
  local -a check=()
  [ "$side" = ns ] && check=(in-ns)
  if pid=$(ours "$pidfile" "socat $listen $connect" "${check[@]}") && { [ -z "$socket" ] || [ -S "$socket" ]; }; then
    return
  fi
  stop "$pidfile" socat  # the pid file is this forwarder's own: whatever socat it names is an older version of it
  if [ "$side" = ns ]; then
    spawn "$pidfile" "$dir/forward.log" nsenter --net="/run/netns/$ns" socat "$listen" "$connect"
  else
    spawn "$pidfile" "$dir/forward.log" socat "$listen" "$connect"
  fi
  sleep 0.1
  if ! alive "$(cat "$pidfile")"; then
    echo "host2.sh: socat $listen ($side) exited at once (is the port taken?); see $dir/forward.log" >&2
    tail -n 5 "$dir/forward.log" >&2 || true
    exit 1
  fi
  log "forwarding $name ($side: $listen -> $connect, pid $(cat "$pidfile"))"
}
unix_listen() { echo "UNIX-LISTEN:$1,fork,unlink-early,mode=600,backlog=128"; }
tcp_listen() { echo "TCP-LISTEN:$1,bind=$host,reuseaddr,fork,backlog=128"; }
forward ssh-out root "$(tcp_listen $ssh_port)" "UNIX-CONNECT:$run/ssh.sock"
forward ssh-in ns "$(unix_listen "$run/ssh.sock")" "TCP:$host:22" "$run/ssh.sock"
for port in 5000 5001; do
  forward "registry-$port-in" ns "$(tcp_listen $port)" "UNIX-CONNECT:$run/registry-$port.sock"
  forward "registry-$port-out" root "$(unix_listen "$run/registry-$port.sock")" "TCP:$host:$port" "$run/registry-$port.sock"
done

# --- host2's sshd -----------------------------------------------------------------------------------------------
mkdir -p /run/sshd
chmod 755 /run/sshd
if [ ! -f "$dir/ssh_host_ed25519_key" ]; then
  ssh-keygen -q -t ed25519 -N '' -C deploymind-test-host2 -f "$dir/ssh_host_ed25519_key"
fi
chmod 600 "$dir/ssh_host_ed25519_key"
install -m 600 "$client_key.pub" "$dir/authorized_keys"
printf '[%s]:%s %s\n' "$host" "$ssh_port" "$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" > "$dir/known_hosts"
chmod 644 "$dir/known_hosts"

sshd_config=$(cat <<CONFIG
# Generated by scripts/services/host2.sh: host2's sshd, in the namespace $ns on its loopback, keys only.
ListenAddress $host
Port 22
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes yes
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
MaxSessions 20
MaxStartups 50:30:100
LogLevel INFO
SetEnv DOCKER_HOST=unix://$sock HOME=$state/home
Subsystem sftp internal-sftp
CONFIG
)
sshd_changed=0
if [ ! -f "$dir/sshd_config" ] || [ "$(cat "$dir/sshd_config")" != "$sshd_config" ]; then
  printf '%s\n' "$sshd_config" > "$dir/sshd_config"
  sshd_changed=1
fi

ssh_answers() { timeout 2 bash -c "exec 3<>/dev/tcp/$host/$ssh_port; head -c 4 <&3" 2>/dev/null | grep -q '^SSH-'; }
served_key() { ssh-keyscan -T 3 -t ed25519 -p "$ssh_port" "$host" 2>/dev/null | grep -v '^#' | cut -d' ' -f1-3; }

if [ $sshd_changed = 0 ] && pid=$(ours "$dir/sshd.pid" "$dir/sshd_config" in-ns) \
    && [ "$(served_key)" = "$(cut -d' ' -f1-3 "$dir/known_hosts")" ]; then
  log "sshd already answers on $host:$ssh_port (pid $pid)"
else
  stop "$dir/sshd.pid" "$dir/sshd_config"
  rm -f "$dir/sshd.pid"
  /usr/sbin/sshd -t -f "$dir/sshd_config"
  in_ns /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
  wait_for 5 "host2's sshd did not answer on $host:$ssh_port" "$dir/sshd.log" ssh_answers
  log "sshd answers on $host:$ssh_port (pid $(cat "$dir/sshd.pid")); client key $client_key, known_hosts $dir/known_hosts"
fi

# End to end, from host2's side: its engine reaches the registries at its own 127.0.0.1.
in_ns_answers() { in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$host:$1/v2/" 2>/dev/null | grep -qx "$2"; }
wait_for 5 "host2's 127.0.0.1:5000 did not reach the open registry" "$dir/forward.log" in_ns_answers 5000 200
wait_for 5 "host2's 127.0.0.1:5001 did not reach the auth registry" "$dir/forward.log" in_ns_answers 5001 401

log "ready: ssh root@$host -p $ssh_port, docker -H unix://$sock, registries $host:5000 and $host:5001 (deploymind, $reg/password)"
