#!/bin/bash
# Build the Permanence SD-card image with pi-gen (Raspberry Pi OS Lite bookworm arm64 + our stage).
# Needs: git, docker (pi-gen's build-docker.sh) or a Debian host with pi-gen's dependencies,
# ~10 GB of disk and network access. Output: image/work/pi-gen/deploy/*-permanence.img.xz
# NOT RUN YET on the project's machines (no docker there): `make image-check` is the check that runs.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
WORK=${WORK:-$HERE/work}
PIGEN_REF=${PIGEN_REF:-2024-11-19-raspios-bookworm-arm64}   # a pi-gen release tag (arm64 branch)
STAGE=$HERE/stage-permanence
FILES=$STAGE/00-install/files

mkdir -p "$WORK"
if [ ! -d "$WORK/pi-gen" ]; then
    git clone --depth 1 --branch "$PIGEN_REF" https://github.com/RPi-Distro/pi-gen.git "$WORK/pi-gen"
fi

# The stage's payload: the wheel and the repository's data files.
rm -rf "$FILES/systemd" "$FILES/firmware" "$FILES"/permanence-*.whl
rm -rf "$WORK/src" && mkdir -p "$WORK/src"   # build from a copy: nothing written into the work tree
(cd "$REPO" && git ls-files -co --exclude-standard -z | grep -zv '^image/work/' | xargs -0 tar -cf -) \
    | tar -C "$WORK/src" -xf -
python3 -m pip wheel --no-deps -q -w "$FILES" "$WORK/src"
cp -r "$REPO/systemd" "$FILES/systemd"
mkdir -p "$FILES/firmware" && cp -r "$REPO/firmware/boot" "$REPO/firmware/udev" "$REPO/firmware/modems" "$FILES/firmware/"
cp "$REPO/examples/permanence.toml" "$FILES/permanence.toml"
cp "$HERE/fetch-models.sh" "$FILES/fetch-models.sh"

cat > "$WORK/pi-gen/config" <<CFG
IMG_NAME=permanence
RELEASE=bookworm
TARGET_HOSTNAME=permanence
LOCALE_DEFAULT=fr_FR.UTF-8
KEYBOARD_KEYMAP=fr
KEYBOARD_LAYOUT="French"
TIMEZONE_DEFAULT=Europe/Paris
# No default password anywhere: the first user's password is left unset (account locked) and
# SSH is off. The status page is set up with the one-time code generated at first boot.
FIRST_USER_NAME=technicien
DISABLE_FIRST_BOOT_USER_RENAME=1
ENABLE_SSH=0
STAGE_LIST="stage0 stage1 stage2 $STAGE"
DEPLOY_COMPRESSION=xz
CFG
# stage2 must not export its own image: only ours is wanted.
touch "$WORK/pi-gen/stage2/SKIP_IMAGES"

cd "$WORK/pi-gen"
if command -v docker >/dev/null; then
    ./build-docker.sh
else
    ./build.sh
fi
ls -l deploy/
