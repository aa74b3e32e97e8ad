#!/bin/bash
# Download the French speech models into DEST (default /var/lib/permanence/models), each verified
# against a pinned SHA-256 before it is used. Run by the SD image build (00-run.sh) and usable on a
# running box (sudo /opt/permanence/fetch-models.sh) to restore deleted models.
#
#   vosk-model-small-fr-0.22   (alphacephei.com, Apache-2.0, 41 MB zip) -> DEST/vosk-model-small-fr-0.22/
#   fr_FR-siwis-medium         (rhasspy/piper-voices v1.0.0 on Hugging Face, 60 MiB) -> DEST/fr_FR-siwis-medium.onnx(.json)
#
# CHECKSUMS (pinned 2026-11-27; this machine has no network beyond package registries, so they
# were taken from public sources and cross-checked, not computed from a download here):
#   vosk-model-small-fr-0.22.zip: alphacephei publishes no digest. The SHA-256 is the one pinned
#     by a public Nix expression (fetchurl, which checks the flat file's SHA-256 at build time);
#     the other hash pinned in that same file (the vosk 0.3.45 x86_64 wheel) was checked here
#     byte for byte against PyPI and matches.
#   fr_FR-siwis-medium.onnx: the Git LFS pointer of a public mirror of rhasspy/piper-voices
#     (oid sha256 = the file's SHA-256), whose size (63 201 294 bytes) equals the size in the
#     upstream voices.json. The upstream MD5 from voices.json is checked as well.
#   fr_FR-siwis-medium.onnx.json: computed here from the mirror's bytes, whose MD5 and size
#     equal those in the upstream voices.json.
# A wrong pin fails closed: the file is removed and the build stops, nothing unverified is used.
#
# Options: MIRROR=<url or directory> takes the files from there instead (same file names), for
# offline builds. `fetch-models.sh --verify FILE SHA256` only checks one file.
set -euo pipefail

VOSK_URL=https://alphacephei.com/vosk/models/vosk-model-small-fr-0.22.zip
VOSK_SHA256=cabf6180e177eb9b3a9a9d43a437bd5e549f3a7d09525e5d69a3fed787be12ad
PIPER_BASE=https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0/fr/fr_FR/siwis/medium
PIPER_ONNX_SHA256=641d1ab097da2b81128c076810edb052b385decc8be3381814802a64a73baf99
PIPER_ONNX_MD5=20e876e8c839e9b11a26085858f2300c
PIPER_JSON_SHA256=39479916c2db192b5ac9764daddd0c744d83e023ad890c6976c0633ae4df8959
PIPER_JSON_MD5=a407e7e6901feb79c2ea2a5466076cce

digest_ok() {  # file, expected digest, tool (sha256sum|md5sum), what to call it in messages
    local got
    got=$("$3" "$1" | cut -d' ' -f1)
    if [ "$got" != "$2" ]; then
        echo "fetch-models: $1: $4 mismatch: expected $2, got $got (file removed)" >&2
        rm -f "$1"
        return 1
    fi
    echo "fetch-models: $1: $4 ok"
}

verify() { digest_ok "$1" "$2" sha256sum SHA-256; }  # file, expected sha256
verify_md5() { digest_ok "$1" "$2" md5sum MD5; }  # file, the MD5 upstream voices.json publishes

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

fetch() {  # url, output file, sha256 [, md5]
    local url=$1 out=$2 sum=$3 md5=${4:-} name
    name=$(basename "$out")
    if [ -f "$out" ] && verify "$out" "$sum" 2>/dev/null; then return 0; fi
    rm -f "$out.part"
    if [ -n "${MIRROR:-}" ] && [ -d "$MIRROR" ]; then
        cp "$MIRROR/$name" "$out.part"
    else
        [ -n "${MIRROR:-}" ] && url="$MIRROR/$name"
        curl --fail --location --retry 3 --silent --show-error -o "$out.part" "$url"
    fi
    verify "$out.part" "$sum"
    if [ -n "$md5" ]; then verify_md5 "$out.part" "$md5"; fi
    mv "$out.part" "$out"
}

mkdir -p "$DEST"
fetch "$VOSK_URL" "$DEST/vosk-model-small-fr-0.22.zip" "$VOSK_SHA256"
rm -rf "$DEST/vosk-model-small-fr-0.22"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "$DEST/vosk-model-small-fr-0.22.zip" "$DEST"
[ -f "$DEST/vosk-model-small-fr-0.22/am/final.mdl" ] || { echo "fetch-models: vosk zip has no am/final.mdl" >&2; exit 1; }
rm -f "$DEST/vosk-model-small-fr-0.22.zip"
fetch "$PIPER_BASE/fr_FR-siwis-medium.onnx" "$DEST/fr_FR-siwis-medium.onnx" "$PIPER_ONNX_SHA256" "$PIPER_ONNX_MD5"
fetch "$PIPER_BASE/fr_FR-siwis-medium.onnx.json" "$DEST/fr_FR-siwis-medium.onnx.json" "$PIPER_JSON_SHA256" "$PIPER_JSON_MD5"
# The speech area's default locations (appliance/speech/models.py) are DEST/vosk-fr and
# DEST/piper/<voice>.onnx; examples/permanence.toml names the files above explicitly. Both work.
ln -sfn vosk-model-small-fr-0.22 "$DEST/vosk-fr"
mkdir -p "$DEST/piper"
ln -sf ../fr_FR-siwis-medium.onnx "$DEST/piper/fr_FR-siwis-medium.onnx"
ln -sf ../fr_FR-siwis-medium.onnx.json "$DEST/piper/fr_FR-siwis-medium.onnx.json"
echo "fetch-models: models ready in $DEST"
