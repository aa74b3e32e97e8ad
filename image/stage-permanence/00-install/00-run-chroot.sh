#!/bin/bash -e
# Runs inside the arm64 image (pi-gen chroot, qemu-user-static on an x86 build host).
set -o pipefail
VENV=/opt/permanence/venv

# The service's user and directories (same files systemd applies at boot).
systemd-sysusers /usr/lib/sysusers.d/permanence.conf
systemd-tmpfiles --create /usr/lib/tmpfiles.d/permanence.conf

# The package in its own venv. --system-site-packages: python3-lgpio (Pi 5 GPIO) comes from Debian.
python3 -m venv --system-site-packages "${VENV}"
"${VENV}/bin/pip" install --no-cache-dir --prefer-binary /tmp/permanence/permanence-*.whl
"${VENV}/bin/permanence" --version

# Device configuration: the example with the SIM7600 HAT's stable port names.
if [ ! -f /etc/permanence/permanence.toml ]; then
    sed -f /tmp/permanence/device-config.sed /tmp/permanence/permanence.toml > /etc/permanence/permanence.toml
fi
chown root:permanence /etc/permanence/permanence.toml
chmod 0640 /etc/permanence/permanence.toml
"${VENV}/bin/permanence" config check --config /etc/permanence/permanence.toml > /dev/null

# Models were fetched on the host into /var/lib/permanence/models; make them readable.
chown -R root:root /var/lib/permanence/models
chmod -R a+rX /var/lib/permanence/models

# Render the fixed prompts once, so calls only synthesise variable sentences.
# (`permanence prompts render` is the speech area's subcommand.)
runuser -u permanence -- "${VENV}/bin/permanence" prompts render --config /etc/permanence/permanence.toml

# Local MQTT broker for alerts: localhost only, no anonymous access from the network.
if [ -d /etc/mosquitto/conf.d ]; then
    printf 'listener 1883 127.0.0.1\nallow_anonymous true\n' > /etc/mosquitto/conf.d/permanence.conf
fi

# The serial console must not grab the modem UART; ModemManager must not probe the modem.
systemctl mask serial-getty@ttyAMA0.service serial-getty@serial0.service || true
systemctl disable ModemManager.service 2>/dev/null || true

systemctl enable permanence-firstboot.service permanence.service

# No secret may be baked into the image: remove anything a build step may have created.
rm -rf /var/lib/permanence/web /var/lib/permanence/secrets/* /tmp/permanence
