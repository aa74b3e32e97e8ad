#!/bin/bash
# permanence-firstboot.service: secrets that belong to this box only, generated on its first boot.
# Nothing secret is in the SD image: every box gets its own session key and one-time setup code,
# and its own SSH host keys.
set -euo pipefail
VENV=/opt/permanence/venv
DATA=/var/lib/permanence
DONE=$DATA/secrets/.done

install -d -m 0750 -o root -g permanence "$DATA/secrets"

# SSH host keys (if SSH is installed): never the ones of the build machine or of another box.
if [ -x /usr/bin/ssh-keygen ]; then
    rm -f /etc/ssh/ssh_host_*key /etc/ssh/ssh_host_*key.pub
    ssh-keygen -A >/dev/null
fi

# Status page: a random session-signing key and the one-time setup code (no default password:
# the first visitor enters the code, then chooses the administrator password).
out=$(runuser -u permanence -- "$VENV/bin/python" - <<'PY'
from appliance.web.auth import AuthStore
from appliance.web.tls import ensure_certificate, fingerprint
store = AuthStore("/var/lib/permanence")
store.secret_key()
cert, _key = ensure_certificate("/var/lib/permanence")  # for web.https = true: this box's own certificate
print(store.setup_code() or "", fingerprint(cert))
PY
)
read -r code tls_sha256 <<<"$out"
umask 077
{
    echo "Permanence status page: http://$(hostname).local:8080/"
    echo "One-time setup code: ${code}"
    echo "Enter it on the status page, then choose the administrator password."
    echo "With web.https = true: https://$(hostname).local:8080/, certificate SHA-256 ${tls_sha256}"
    echo "Lost? sudo -u permanence $VENV/bin/permanence passwd --reset --data-dir $DATA"
} > /etc/permanence/FIRST-LOGIN.txt
echo "permanence-firstboot: status page setup code: ${code} (also in /etc/permanence/FIRST-LOGIN.txt)"

touch "$DONE"
