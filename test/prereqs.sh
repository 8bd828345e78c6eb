#!/usr/bin/env bash
# Installs the Debian packages the tests use when running as root; otherwise fails naming what is missing.
set -euo pipefail
declare -A need=( [mosquitto]=mosquitto [nft]=nftables [socat]=socat [chromium]=chromium [dbus-daemon]=dbus [espeak-ng]=espeak-ng [ip]=iproute2 [systemd-analyze]=systemd )
missing=()
for cmd in "${!need[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}"); done
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "test prerequisites missing: ${missing[*]} (install them: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing test prerequisites: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
