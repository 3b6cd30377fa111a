#!/usr/bin/env bash
# Installs the Debian packages the tests use, only those that are missing.
set -euo pipefail

need=()
command -v psql >/dev/null || need+=(postgresql)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || [ -x /usr/bin/prometheus-alertmanager ] || need+=(prometheus-alertmanager)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v ip >/dev/null || need+=(iproute2)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${need[*]} (run as root, or install them with apt-get)" >&2
    exit 2
  fi
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends keeps the install small; the services are started by the tests themselves.
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts services on install where it can; the tests run their own instances.
  for svc in prometheus prometheus-alertmanager prometheus-node-exporter; do
    pkill -x "$svc" 2>/dev/null || true
  done
fi
