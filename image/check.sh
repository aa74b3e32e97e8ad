#!/bin/bash
# make image-check: prove the package installs and runs on Debian bookworm arm64 (the Pi's OS),
# without a Pi. Builds an arm64 rootfs with debootstrap, runs it under qemu-user-static (binfmt),
# installs the project wheel built here into a venv inside it (as the SD-card image does), then runs
#   permanence --version
#   permanence config check --config examples/permanence.toml
#   echo "<a caller's sentence>" | permanence qualify
# under emulation, and prints how long each step took.
#
# Needs root (debootstrap, chroot, mounts) and network access to deb.debian.org and PyPI.
# The debootstrapped rootfs is cached in image/work/rootfs-bookworm-arm64.tar (delete it to rebuild).
# Environment: WORK=<dir> (default image/work), MIRROR=<debian mirror>, KEEP=1 keeps the chroot.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
WORK=${WORK:-$HERE/work}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
ROOT=$WORK/rootfs
CACHE=$WORK/rootfs-bookworm-arm64.tar
PY=${PY:-$REPO/.venv/bin/python}
[ -x "$PY" ] || PY=python3
DEBS="python3,python3-venv,python3-pip,libatomic1,espeak-ng,ca-certificates,libgomp1"

t0=$(date +%s)
step_start=$t0
declare -a REPORT=()
FAILED=0

say() { printf '[image-check %4ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
step_done() { local now; now=$(date +%s); REPORT+=("$(printf '%-58s %5ss  %s' "$1" "$((now - step_start))" "$2")"); step_start=$now; }
die() { say "FAILED: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap and chroot need it)"

# ---------------------------------------------------------------- tools
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
[ -e /usr/bin/qemu-aarch64-static ] || need+=(qemu-user-static)
command -v update-binfmts >/dev/null || need+=(binfmt-support)
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >/dev/null
fi
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc \
        || die "binfmt_misc is not mounted and cannot be (a container without privileges?): arm64 binaries cannot run here"
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    update-binfmts --enable qemu-aarch64 || die "cannot register qemu-aarch64 with binfmt_misc"
fi
grep -q '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64 || die "qemu-aarch64 binfmt entry is disabled"
grep -q 'flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 \
    || die "qemu-aarch64 binfmt entry lacks the F (fix-binary) flag needed inside a chroot"
step_done "tools (debootstrap, qemu-user-static, binfmt)" ok

# ---------------------------------------------------------------- rootfs
cleanup() {
    for m in dev/pts dev proc; do
        mountpoint -q "$ROOT/$m" 2>/dev/null && umount -l "$ROOT/$m" || true
    done
    if [ "${KEEP:-0}" != 1 ] && [ -d "$ROOT" ]; then rm -rf "$ROOT"; fi
}
trap cleanup EXIT
mkdir -p "$WORK"
cleanup
if [ -f "$CACHE" ]; then
    say "unpacking cached rootfs $CACHE"
    mkdir -p "$ROOT" && tar -C "$ROOT" -xf "$CACHE"
    step_done "rootfs from cache" ok
else
    say "debootstrap --arch=arm64 --variant=minbase bookworm (a few minutes)"
    debootstrap --arch=arm64 --variant=minbase --include="$DEBS" bookworm "$ROOT" "$MIRROR" \
        > "$WORK/debootstrap.log" 2>&1 || { tail -30 "$WORK/debootstrap.log"; die "debootstrap failed (log: $WORK/debootstrap.log)"; }
    tar -C "$ROOT" -cf "$CACHE" .
    step_done "debootstrap bookworm arm64 minbase + python3, espeak-ng, libatomic1" ok
fi
arch=$(chroot "$ROOT" /usr/bin/dpkg --print-architecture)
[ "$arch" = arm64 ] || die "rootfs architecture is $arch, expected arm64"
say "rootfs ready: $(chroot "$ROOT" /bin/uname -m), $(du -sh "$ROOT" | cut -f1)"

mount -t proc proc "$ROOT/proc"
# /sys is deliberately NOT mounted: with the x86 host's /sys visible, onnxruntime's cpuinfo (imported
# by piper) reads x86 CPU topology as if it were arm64 and segfaults under qemu-user (seen here:
# "qemu: uncaught target signal 11"). On a Pi, /sys describes the Pi's own CPU.
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"

# ---------------------------------------------------------------- wheel
say "building the project wheel here"
# from a copy of the work tree (files git tracks or would track), so the build leaves nothing in it
rm -rf "$WORK/dist" "$WORK/src" && mkdir -p "$WORK/dist" "$WORK/src"
(cd "$REPO" && git ls-files -co --exclude-standard -z | grep -zv '^image/work/' \
    | xargs -0 tar -cf - --ignore-failed-read 2>/dev/null) | tar -C "$WORK/src" -xf -
# build isolation: pip fetches a setuptools recent enough for pyproject's SPDX license string
"$PY" -m pip wheel --no-deps -q -w "$WORK/dist" "$WORK/src" \
    || die "cannot build the wheel of $REPO"
WHEEL=$(ls "$WORK/dist"/permanence-*.whl)
mkdir -p "$ROOT/tmp/permanence"
cp "$WHEEL" "$ROOT/tmp/permanence/"
cp -r "$REPO/examples" "$ROOT/tmp/permanence/examples"
sed -f "$HERE/stage-permanence/00-install/files/device-config.sed" "$REPO/examples/permanence.toml" \
    > "$ROOT/tmp/permanence/device.toml"
mkdir -p "$ROOT/usr/share/permanence/modems" && cp "$REPO"/firmware/modems/*.toml "$ROOT/usr/share/permanence/modems/"
cp "$HERE/stage-permanence/00-install/files/firstboot.sh" "$ROOT/tmp/permanence/firstboot.sh"
step_done "wheel $(basename "$WHEEL")" ok

# ---------------------------------------------------------------- install in a venv (as the image does)
say "python3 -m venv /opt/permanence/venv; pip install the wheel and its dependencies (emulated, slow)"
# The build host's CA trust goes into the chroot (a network with a TLS-intercepting proxy needs it).
CHROOT_ENV=(PATH=/opt/permanence/venv/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 PIP_DISABLE_PIP_VERSION_CHECK=1)
for var in PIP_CERT REQUESTS_CA_BUNDLE SSL_CERT_FILE; do
    if [ -n "${!var:-}" ] && [ -f "${!var}" ]; then
        cp -L "${!var}" "$ROOT/tmp/permanence/host-ca.pem"
        CHROOT_ENV+=(PIP_CERT=/tmp/permanence/host-ca.pem)
        break
    fi
done
for var in PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_DEFAULT_TIMEOUT HTTPS_PROXY https_proxy HTTP_PROXY http_proxy; do
    [ -n "${!var:-}" ] && CHROOT_ENV+=("$var=${!var}")
done
in_chroot() { chroot "$ROOT" /usr/bin/env -i "${CHROOT_ENV[@]}" "$@"; }
in_chroot /usr/bin/python3 -m venv /opt/permanence/venv
if ! in_chroot /opt/permanence/venv/bin/pip install -q --prefer-binary \
        "/tmp/permanence/$(basename "$WHEEL")" > "$WORK/pip.log" 2>&1; then
    tail -30 "$WORK/pip.log"; die "pip install failed inside the arm64 chroot (log: $WORK/pip.log)"
fi
step_done "pip install into /opt/permanence/venv (arm64, emulated)" ok

# ---------------------------------------------------------------- run it
run_check() {  # name, then the command line run inside the chroot
    local name=$1; shift
    say "$name"
    local out rc=0
    out=$(in_chroot /bin/sh -c "cd /tmp/permanence && $*" 2>&1) || rc=$?
    printf '%s\n' "$out" | sed 's/^/    | /' | tail -25
    if [ $rc -eq 0 ]; then step_done "$name" ok; else step_done "$name" "FAILED (exit $rc)"; FAILED=1; fi
}
run_check "permanence --version" "permanence --version"
run_check "import vosk, piper, gammu, gpiozero (arm64 wheels)" \
    "python -c 'import vosk, piper, gammu, gpiozero, soxr, numpy; print(\"imports ok\")'"
run_check "permanence config check --config examples/permanence.toml" \
    "permanence config check --config examples/permanence.toml >/dev/null && echo config ok"
run_check "config check of the SD image's device config (SIM7600 HAT)" \
    "permanence config check --config device.toml >/dev/null && echo device config ok"
run_check "modem profiles load (4 models x FR/GB/US)" \
    "python -c 'from appliance.modem_profiles import load_profile as l, MODELS as M, COUNTRIES as C; print(len([l(m, c) for m in M for c in C]), \"profiles\")'"
run_check "permanence doctor (simulated line) under emulation" \
    "mkdir -p data && printf '[[lines]]\\nname = \"sim1\"\\ndriver = \"sim\"\\n[speech]\\nenabled = false\\n[storage]\\ndata_dir = \"/tmp/permanence/data\"\\n' > doctor.toml && permanence doctor --config doctor.toml"
run_check "first boot: per-box secrets (firstboot.sh)" \
    "useradd --system --user-group --home-dir /var/lib/permanence --shell /usr/sbin/nologin permanence \
     && install -d -o permanence -g permanence -m 0750 /var/lib/permanence && install -d -m 0750 /etc/permanence \
     && bash /tmp/permanence/firstboot.sh && test -s /var/lib/permanence/web/secret-key \
     && grep -q 'setup code' /etc/permanence/FIRST-LOGIN.txt && test -f /var/lib/permanence/secrets/.done \
     && stat -c '%n %a %U' /var/lib/permanence/web/secret-key /etc/permanence/FIRST-LOGIN.txt"
run_check "echo ... | permanence qualify" \
    "echo \"Bonjour, ici Jean Martin de la société Durand, notre chaudière est en panne et l'atelier est inondé, rappelez-moi au 06 12 34 56 78 s'il vous plaît.\" | permanence qualify"

echo
echo "image-check on $(uname -m) host, arm64 under qemu-user-static:"
for r in "${REPORT[@]}"; do echo "  $r"; done
echo "  total: $(( $(date +%s) - t0 )) s"
[ $FAILED = 0 ] || { echo "image-check: FAILED"; exit 1; }
echo "image-check: OK"
