# Permanence — the two commands of the README, and the tools around them.
#   make demo    set up, then run the appliance on its built-in line simulator
#   make test    set up, then run the whole test suite
#   make lint    ruff + mypy + no import cycle + no unreferenced code + no function over 60 lines
#   make bench   benchmarks: prints each figure beside its target, writes bench/results.json
#   make image-check   build an arm64 rootfs under qemu and run the package in it (slow)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Debian packages the tests and the demo need: a real MQTT broker, espeak-ng (French
# synthesis), sox, libatomic1 (vosk on arm64), Chromium + driver (browser tests), socat,
# libportaudio2 (the demo's microphone and speakers, through sounddevice), openssl (the status page's
# self-signed certificate when web.https is on).
APT_PACKAGES := mosquitto mosquitto-clients espeak-ng sox libatomic1 chromium chromium-driver socat libportaudio2 openssl
EXTRAS := dev,whisper,models,audio,bench
# The demo speaks English by default: its simulated English caller (piper) is recognised almost
# word for word; the French one (espeak-ng) is robotic. `make demo DEMO_ARGS="--lang fr"` for French;
# DEMO_ARGS="--lang fr --type" to type the caller's turns yourself, "--lang fr --mic" to speak them.
DEMO_ARGS ?= --lang en

.PHONY: setup apt venv test demo lint bench screenshots image-check clean

setup: apt venv

apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "apt-get install:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "missing Debian packages:$$missing — run as root: apt-get install$$missing" >&2; exit 1; \
	  fi; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[$(EXTRAS)]"
	touch $@

test: setup
	$(BIN)/python -m pytest -q

demo: setup
	$(BIN)/permanence demo $(DEMO_ARGS)

lint: venv
	$(BIN)/ruff check appliance tests bench tools
	$(BIN)/mypy
	$(BIN)/python tools/imports.py
	$(BIN)/python tools/deadcode.py
	$(BIN)/python tools/funclen.py

bench: setup
	$(BIN)/python bench/run.py

screenshots: setup
	PERMANENCE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q tests/web/test_web_browser.py

image-check:
	bash image/check.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
