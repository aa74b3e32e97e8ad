#!/bin/bash -e
# Runs on the build host (pi-gen), with ${ROOTFS_DIR} the image's root file system.
# image/build.sh has put the project wheel and the repository's data files in files/.
HERE=$(cd "$(dirname "$0")" && pwd)
F="${HERE}/files"

ls "${F}"/permanence-*.whl >/dev/null 2>&1 || { echo "no wheel in ${F}: run image/build.sh" >&2; exit 1; }
install -d "${ROOTFS_DIR}/tmp/permanence"
install -m 0644 "${F}"/permanence-*.whl "${ROOTFS_DIR}/tmp/permanence/"
install -m 0644 "${F}/permanence.toml" "${ROOTFS_DIR}/tmp/permanence/permanence.toml"
install -m 0644 "${F}/device-config.sed" "${ROOTFS_DIR}/tmp/permanence/device-config.sed"

# systemd units, sysusers, tmpfiles
install -m 0644 "${F}/systemd/permanence.service" "${ROOTFS_DIR}/etc/systemd/system/permanence.service"
install -m 0644 "${F}/systemd/permanence-firstboot.service" \
    "${ROOTFS_DIR}/etc/systemd/system/permanence-firstboot.service"
install -D -m 0644 "${F}/systemd/permanence.sysusers" "${ROOTFS_DIR}/usr/lib/sysusers.d/permanence.conf"
install -D -m 0644 "${F}/systemd/permanence.tmpfiles" "${ROOTFS_DIR}/usr/lib/tmpfiles.d/permanence.conf"
install -D -m 0755 "${F}/firstboot.sh" "${ROOTFS_DIR}/opt/permanence/firstboot.sh"
install -D -m 0755 "${F}/fetch-models.sh" "${ROOTFS_DIR}/opt/permanence/fetch-models.sh"

# udev names for the modems; modem profiles
install -D -m 0644 "${F}/firmware/udev/99-permanence.rules" "${ROOTFS_DIR}/etc/udev/rules.d/99-permanence.rules"
install -d "${ROOTFS_DIR}/usr/share/permanence/modems"
install -m 0644 "${F}"/firmware/modems/*.toml "${ROOTFS_DIR}/usr/share/permanence/modems/"

# boot config: UART on, Bluetooth off the PL011, power key and LED pins; no serial console
BOOT="${ROOTFS_DIR}/boot/firmware"
[ -d "${BOOT}" ] || BOOT="${ROOTFS_DIR}/boot"
if ! grep -q "^# Permanence" "${BOOT}/config.txt"; then
    { echo; cat "${F}/firmware/boot/config.txt"; } >> "${BOOT}/config.txt"
fi
sed -i -e 's/console=serial0,[0-9]* *//' -e 's/console=ttyAMA0,[0-9]* *//' "${BOOT}/cmdline.txt"

# Speech models, checksum-verified (fetch-models.sh refuses a file whose SHA-256 differs from
# its pin, and the piper files whose MD5 differs from upstream's voices.json).
install -d "${ROOTFS_DIR}/var/lib/permanence/models"
"${F}/fetch-models.sh" "${ROOTFS_DIR}/var/lib/permanence/models"
