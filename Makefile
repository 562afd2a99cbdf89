# cell: thin wrapper around meson + ninja. See README.md.
BUILD ?= build
ASAN_BUILD ?= build-asan
MESON ?= meson
DEB_PACKAGES = meson ninja-build pkg-config gcc libjansson-dev libseccomp-dev \
	busybox-static python3 python3-seccomp crun runc hyperfine strace clang \
	podman conmon iproute2 util-linux uidmap afl++ stress-ng \
	containerd docker.io buildah python3-grpcio python3-protobuf protobuf-compiler

.PHONY: all deps check check-unit check-integration demo bench bench-scale clean fuzz stress

all: $(BUILD)/build.ninja
	@ninja -C $(BUILD)

$(BUILD)/build.ninja:
	@scripts/check-deps
	$(MESON) setup $(BUILD) --buildtype=debugoptimized >/dev/null

$(ASAN_BUILD)/build.ninja:
	@scripts/check-deps
	$(MESON) setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
	  -Dfault_injection=true >/dev/null

deps:
	apt-get update -qq || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES)

# The sanitizer build is also the one with fault injection (CELL_FAULT,
# src/util/fault.h), which tests/reliability/faults.sh needs; an older
# build-asan/ gets the option here.
check: all $(ASAN_BUILD)/build.ninja
	@grep -q '"fault_injection", "value": true' $(ASAN_BUILD)/meson-info/intro-buildoptions.json || \
	  $(MESON) configure $(ASAN_BUILD) -Dfault_injection=true >/dev/null
	@ninja -C $(ASAN_BUILD)
	@tests/run-all $(BUILD) $(ASAN_BUILD)

# CELL_DEMO_DEPS=0 skips `make deps` (the apt-get part).
demo:
	@if [ "$${CELL_DEMO_DEPS:-1}" != 0 ]; then $(MAKE) deps; fi
	@$(MAKE) all
	@scripts/demo $(BUILD)

# AFL++ on every fuzz target, SECONDS each (tests/fuzz/run).
SECONDS ?= 60
fuzz:
	@tests/fuzz/run $(SECONDS)

# The long reliability run (tests/reliability/stress: env knobs there),
# ending with the table of docs/reliability.md.
stress: all $(ASAN_BUILD)/build.ninja
	@grep -q '"fault_injection", "value": true' $(ASAN_BUILD)/meson-info/intro-buildoptions.json || \
	  $(MESON) configure $(ASAN_BUILD) -Dfault_injection=true >/dev/null
	@ninja -C $(ASAN_BUILD)
	@tests/reliability/stress $(BUILD) $(ASAN_BUILD)

bench: all
	@bench/run $(BUILD) quick

bench-scale: all
	@bench/run $(BUILD) scale

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=] [CONTAINERS_CONFDIR=]: the
# binaries, man pages, plugin header and its pkg-config file, the default
# seccomp profile, bash completion and cell-agent's systemd units (the list:
# meson introspect --installed build). CONTAINERS_CONFDIR (e.g.
# /etc/containers/containers.conf.d) adds podman's drop-in for `--runtime cell`.
.PHONY: install install-prefix uninstall
DEB_PACKAGES += systemd
PREFIX ?= /usr/local
CONTAINERS_CONFDIR ?=
install-prefix: $(BUILD)/build.ninja
	@$(MESON) configure $(BUILD) -Dprefix=$(PREFIX) -Dcontainers_confdir=$(CONTAINERS_CONFDIR)
	@ninja -C $(BUILD) >/dev/null
install: install-prefix
	@DESTDIR="$(DESTDIR)" $(MESON) install -C $(BUILD) --no-rebuild --quiet
	@echo "cell: installed below $(DESTDIR)$(PREFIX)"
uninstall: install-prefix
	@scripts/uninstall $(BUILD) "$(DESTDIR)"

# make deb: the Debian package from debian/, built by dpkg-buildpackage in a
# copy of the tree under DEB_OUT, then checked by lintian (scripts/build-deb).
.PHONY: deb
DEB_PACKAGES += debhelper dpkg-dev lintian
# tests/packaging: a clone, man pages
DEB_PACKAGES += git man-db
DEB_OUT ?= $(BUILD)-deb
deb:
	@scripts/build-deb $(DEB_OUT)
