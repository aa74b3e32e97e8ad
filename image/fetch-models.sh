#!/bin/bash
# Download the French speech models into DEST (default /var/lib/permanence/models), each verified
# against a pinned SHA-256 before it is used. Run by the SD image build (00-run.sh) and usable on a
# running box (sudo /opt/permanence/fetch-models.sh) to restore deleted models.
#
#   vosk-model-small-fr-0.22   (alphacephei.com, Apache-2.0, 41 MB zip) -> DEST/vosk-model-small-fr-0.22/
#   fr_FR-siwis-medium         (rhasspy/piper-voices v1.0.0 on Hugging Face, 60 MiB) -> DEST/fr_FR-siwis-medium.onnx(.json)
#
# CHECKSUMS: no SHA-256 for these files was found published in the sources searchable while this
# was written (alphacephei publishes none; piper's voices.json lists MD5 digests only). The values
# below are PLACEHOLDERS and the script REFUSES TO RUN until someone downloads the files once over
# a trusted connection, checks them, and pins their `sha256sum` here.
#
# Options: MIRROR=<url or directory> takes the files from there instead (same file names), for
# offline builds. `fetch-models.sh --verify FILE SHA256` only checks one file.
set -euo pipefail

VOSK_URL=https://alphacephei.com/vosk/models/vosk-model-small-fr-0.22.zip
VOSK_SHA256=PLACEHOLDER-pin-the-sha256-of-vosk-model-small-fr-0.22.zip
PIPER_BASE=https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0/fr/fr_FR/siwis/medium
PIPER_ONNX_SHA256=PLACEHOLDER-pin-the-sha256-of-fr_FR-siwis-medium.onnx
PIPER_JSON_SHA256=PLACEHOLDER-pin-the-sha256-of-fr_FR-siwis-medium.onnx.json

verify() {  # file, expected sha256
    local got
    got=$(sha256sum "$1" | cut -d' ' -f1)
    if [ "$got" != "$2" ]; then
        echo "fetch-models: $1: SHA-256 mismatch: expected $2, got $got (file removed)" >&2
        rm -f "$1"
        return 1
    fi
    echo "fetch-models: $1: SHA-256 ok"
}

if [ "${1:-}" = "--verify" ]; then
    [ $# = 3 ] || { echo "usage: $0 --verify FILE SHA256" >&2; exit 2; }
    verify "$2" "$3"
    exit $?
fi

DEST=${1:-/var/lib/permanence/models}

for v in VOSK_SHA256 PIPER_ONNX_SHA256 PIPER_JSON_SHA256; do
    if ! [[ ${!v} =~ ^[0-9a-f]{64}$ ]]; then
        echo "fetch-models: $v is not pinned (${!v}): refusing to download unverified models." >&2
        echo "fetch-models: download the file once over a trusted connection, check it, and put its" >&2
        echo "fetch-models: 'sha256sum' in $0." >&2
        exit 3
    fi
done

fetch() {  # url, output file, sha256
    local url=$1 out=$2 sum=$3 name
    name=$(basename "$out")
    if [ -f "$out" ] && verify "$out" "$sum" 2>/dev/null; then return 0; fi
    if [ -n "${MIRROR:-}" ]; then
        if [ -d "$MIRROR" ]; then cp "$MIRROR/$name" "$out.part"; else url="$MIRROR/$name"; fi
    fi
    if [ ! -f "$out.part" ]; then
        curl --fail --location --retry 3 --silent --show-error -o "$out.part" "$url"
    fi
    verify "$out.part" "$sum"
    mv "$out.part" "$out"
}

mkdir -p "$DEST"
fetch "$VOSK_URL" "$DEST/vosk-model-small-fr-0.22.zip" "$VOSK_SHA256"
rm -rf "$DEST/vosk-model-small-fr-0.22"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "$DEST/vosk-model-small-fr-0.22.zip" "$DEST"
[ -f "$DEST/vosk-model-small-fr-0.22/am/final.mdl" ] || { echo "fetch-models: vosk zip has no am/final.mdl" >&2; exit 1; }
rm -f "$DEST/vosk-model-small-fr-0.22.zip"
fetch "$PIPER_BASE/fr_FR-siwis-medium.onnx" "$DEST/fr_FR-siwis-medium.onnx" "$PIPER_ONNX_SHA256"
fetch "$PIPER_BASE/fr_FR-siwis-medium.onnx.json" "$DEST/fr_FR-siwis-medium.onnx.json" "$PIPER_JSON_SHA256"
# The speech area's default locations (appliance/speech/models.py) are DEST/vosk-fr and
# DEST/piper/<voice>.onnx; examples/permanence.toml names the files above explicitly. Both work.
ln -sfn vosk-model-small-fr-0.22 "$DEST/vosk-fr"
mkdir -p "$DEST/piper"
ln -sf ../fr_FR-siwis-medium.onnx "$DEST/piper/fr_FR-siwis-medium.onnx"
ln -sf ../fr_FR-siwis-medium.onnx.json "$DEST/piper/fr_FR-siwis-medium.onnx.json"
echo "fetch-models: models ready in $DEST"
