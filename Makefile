# gap-patchkit: build the tools, run the tests, build GAP.
#   make              build tools/applypatch, tools/upstream, tools/verify
#   make check        unit tests (cmocka, under valgrind), end-to-end tests,
#                     then all of it again built with ASan and UBSan
#   make setup        install the Debian packages (root; .ci/deps.sh)
#   make gap          the main job: fetch the pinned GAP (or take UPSTREAM=
#                     TARBALL|DIR, or UPSTREAM_GIT=REPO REV=REV), apply
#                     patches/ for each platform, build, verify the pool
#   make fetch        only download and check the pinned tarball
#   make install      PREFIX=/usr/local DESTDIR=
#   make sage-package the package folder for Sage's build/pkgs/gap/ in
#                     SAGE_PKG (default BUILD/sage-pkg/gap): spkg-install,
#                     spkg-check (mode 0644, no shebang), patches/, the pin;
#                     only patches/ is replaced, Sage's other files stay
#   make spkg         GAP_PREFIX=DIR: the standalone Sage-style build:
#                     src/ prepared (from UPSTREAM= or UPSTREAM_GIT= REV=,
#                     or the pinned tarball) when missing, then
#                     sh ./spkg-install and sh ./spkg-check
#   make fuzz         build the libFuzzer targets (clang) and run each for
#                     FUZZ_SECONDS (default 60) on its corpus, by hand

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
DEPS := libcrypto libgit2 libarchive libcurl
CFLAGS ?= -O2 -g
WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
# The library: one folder per side (each has a README of what it owns and
# may call); the command lines stay at tools/*.c, with the helpers they
# share in tools/cli/ (linked from the same archive, called by no library side).
LIB_DIRS := base patchset worktree source check drift cli
CPPFLAGS += -D_GNU_SOURCE -Itools $(addprefix -Itools/,$(LIB_DIRS))
# -pthread: the patch loader reads a long series on a few threads (loaded_series.c)
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DEPS)) -pthread
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(DEPS)) -pthread
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka)

# BUILD selects the object directory: build/ normally, build-san/ for the
# sanitizer build that `make check` also runs (its binaries in build-san/bin).
BUILD ?= build
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# One .c per command line in CLI_SRC; every tools/<side>/*.c is the library.
CLI_SRC := tools/applypatch.c tools/upstream.c tools/verify.c
CLIS := $(basename $(notdir $(wildcard $(CLI_SRC))))
# Windows-only probing, compiled by the mingw check, never on Linux
WIN_SRC := tools/check/winprobe.c
LIB_SRC := $(filter-out $(CLI_SRC) $(WIN_SRC),$(wildcard tools/*.c $(addsuffix /*.c,$(addprefix tools/,$(LIB_DIRS)))))
LIB_OBJ := $(addprefix $(BUILD)/,$(notdir $(LIB_SRC:.c=.o)))
HEADERS := $(wildcard tools/*.h tools/*/*.h)
vpath %.c tools $(addprefix tools/,$(LIB_DIRS))
LIB := $(BUILD)/libpatchkit.a

ifeq ($(BUILD),build)
BIN_DIR := tools
else
BIN_DIR := $(BUILD)/bin
endif
BINS := $(addprefix $(BIN_DIR)/,$(CLIS))

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
VALGRIND ?= $(shell command -v valgrind 2>/dev/null)

.PHONY: all check check-fast check-san check-mingw unit e2e clean install lint-patches setup gap fetch fuzz \
	sage-package spkg
all: $(BINS) $(BIN_DIR)/cygwin_reserve.so

# verify's model of Cygwin's reserve-then-commit memory, preloaded into the
# emulated target's workload run (tools/shim/cygwin_reserve.c). Never built
# with the sanitizers: it is loaded into GAP, which is not.
$(BIN_DIR)/cygwin_reserve.so: tools/shim/cygwin_reserve.c | $(BUILD)/tests
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -g -shared -fPIC $< -o $@ -ldl

$(BUILD)/%.o: %.c $(HEADERS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(DEP_CFLAGS) -c $< -o $@

$(BUILD)/tests:
	mkdir -p $(BUILD)/tests $(BIN_DIR)

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN_DIR)/%: $(BUILD)/%.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(DEP_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(DEP_CFLAGS) -Itests/unit -o $@ $< $(LIB) \
		$(DEP_LIBS) $(CMOCKA_LIBS)

# Unit tests run under valgrind (no leaks allowed) in the plain build; the
# sanitizer build runs them directly (ASan and valgrind do not mix).
# A second applypatch whose write-phase system calls fail or kill on demand
# (APPLYPATCH_FAULT, _KILL, _CMD, _TARGET; see tools/worktree/tree.h), for the tests.
FAULT_DIR := $(BUILD)/fault
$(FAULT_DIR)/tree.o: tools/worktree/tree.c $(HEADERS) | $(BUILD)/tests
	mkdir -p $(FAULT_DIR)
	$(CC) $(CPPFLAGS) -DAP_FAULT_INJECTION $(WARN) $(CFLAGS) $(DEP_CFLAGS) -c $< -o $@

$(FAULT_DIR)/applypatch: $(BUILD)/applypatch.o $(FAULT_DIR)/tree.o $(filter-out $(BUILD)/tree.o,$(LIB_OBJ))
	$(CC) $(CFLAGS) -o $@ $^ $(DEP_LIBS)

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do \
		if [ "$(BUILD)" = build ] && [ -n "$(VALGRIND)" ]; then \
			$(VALGRIND) -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
				--error-exitcode=99 $$t; \
		else $$t; fi; done

e2e: $(BINS) $(BIN_DIR)/cygwin_reserve.so $(FAULT_DIR)/applypatch
	@BIN_DIR=$(abspath $(BIN_DIR)) FAULT_APPLYPATCH=$(abspath $(FAULT_DIR)/applypatch) \
		sh tests/e2e/run.sh

lint-patches: $(BIN_DIR)/applypatch
	@if [ -f patches/series ]; then $(BIN_DIR)/applypatch lint --patches patches; fi

check-fast: unit e2e

check-san:
	$(MAKE) BUILD=build-san CFLAGS="-O1 -g $(SAN_FLAGS)" check-fast

# The Windows-only probe (native Cygwin) must at least compile: with the
# mingw-w64 cross compiler, when it is installed.
MINGW_CC ?= x86_64-w64-mingw32-gcc
check-mingw: | $(BUILD)/tests
	@if command -v $(MINGW_CC) >/dev/null 2>&1; then \
		$(MINGW_CC) -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Itools/check -Itools/base \
			-c $(WIN_SRC) -o $(BUILD)/winprobe.obj && echo "mingw: winprobe.c compiles"; \
	else echo "mingw: $(MINGW_CC) not installed; winprobe.c not checked"; fi

check: check-fast lint-patches check-mingw
	$(MAKE) check-san

# The campaign is run by hand (tests/fuzz/README.md); corpora and crashes
# stay under $(BUILD)/fuzz.
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) -C tests/fuzz O=$(abspath $(BUILD))/fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz

setup:
	sh .ci/deps.sh

fetch: $(BIN_DIR)/upstream
	$(BIN_DIR)/upstream fetch

# Where the pinned download cannot be made, name the upstream instead:
#   make gap UPSTREAM=/path/to/gap-4.10.2.tar.gz   (or an unpacked tree)
#   make gap UPSTREAM_GIT=/path/to/gap.git REV=v4.10.2
UPSTREAM ?=
UPSTREAM_GIT ?=
REV ?=
GAP_BUILD_DIR ?= build-gap
gap: all
	@set -e; \
	if [ -n "$(UPSTREAM_GIT)" ]; then \
		src="--upstream-git $(UPSTREAM_GIT) --rev $(or $(REV),HEAD)"; \
	elif [ -n "$(UPSTREAM)" ]; then \
		src="--upstream $(UPSTREAM)"; \
	else \
		$(BIN_DIR)/upstream fetch || { \
			echo "make gap: the pinned tarball could not be downloaded; point at a copy:"; \
			echo "  make gap UPSTREAM=/path/to/gap-4.10.2.tar.gz   (or an unpacked tree)"; \
			echo "  make gap UPSTREAM_GIT=/path/to/gap.git REV=v4.10.2"; \
			exit 2; }; \
		src=""; \
	fi; \
	$(BIN_DIR)/verify $$src --patches patches --build-dir $(GAP_BUILD_DIR)

# Sage's package folder: what build/pkgs/gap/ holds (patches/ in the layout
# sage-spkg and sage-apply-patches -d read, checked by lint; the pin in
# Sage's checksums.ini format, read back by tools/upstream pin)
SAGE_PKG ?= $(BUILD)/sage-pkg/gap
# Writes only the files it owns (Sage's own dependencies, SPKG.txt,
# spkg-prerm, ... stay) and replaces only patches/; never the checkout.
sage-package: $(BIN_DIR)/applypatch $(BIN_DIR)/upstream
	@set -e; pkg="$(SAGE_PKG)"; \
	mkdir -p "$$pkg"; here=$$(pwd -P); there=$$(cd "$$pkg" && pwd -P); \
	case "$$here/" in "$$there"/*) \
		echo "make sage-package: SAGE_PKG=$$pkg is this checkout or a folder holding it;" \
			"give a package folder such as SAGE_ROOT/build/pkgs/gap" >&2; exit 2;; esac; \
	if [ -e "$$pkg/patches" ] && [ ! -d "$$pkg/patches" ]; then \
		echo "make sage-package: $$pkg/patches is not a folder; not replacing it" >&2; exit 2; fi; \
	rm -rf "$$pkg/patches"; \
	install -m 0644 spkg-install spkg-check upstream/package-version.txt \
		upstream/checksums.ini "$$pkg/"; \
	cp -R patches "$$pkg/patches"; \
	echo standard >"$$pkg/type"; \
	$(BIN_DIR)/applypatch lint --patches "$$pkg/patches"; \
	$(BIN_DIR)/upstream pin -C "$$pkg"; \
	grep -q '^sha1=' "$$pkg/checksums.ini" || echo "make sage-package: warning: the pin has no" \
		"sha1=, which Sage 8.8's download checks; add the sums with" \
		"'$(BIN_DIR)/upstream pin -C $$pkg --write TARBALL'"; \
	kept=$$(cd "$$pkg" && ls -A | grep -v -x -e spkg-install -e spkg-check -e package-version.txt \
		-e checksums.ini -e patches -e type | tr '\n' ' '); \
	[ -z "$$kept" ] || echo "make sage-package: kept what it does not write: $$kept"; \
	echo "make sage-package: $$pkg is a Sage package folder (copy it to SAGE_ROOT/build/pkgs/gap)"

# The Sage-style build without Sage, into GAP_PREFIX
GAP_PREFIX ?=
spkg: all
	@test -n "$(GAP_PREFIX)" || { echo "make spkg: give GAP_PREFIX=DIR (where GAP is installed)"; exit 2; }
	@set -e; \
	if [ ! -d src ]; then \
		if [ -n "$(UPSTREAM_GIT)" ]; then \
			$(BIN_DIR)/upstream prepare src --git $(UPSTREAM_GIT) --rev $(or $(REV),HEAD); \
		elif [ -f "$(UPSTREAM)" ]; then $(BIN_DIR)/upstream prepare src --tarball $(UPSTREAM); \
		elif [ -d "$(UPSTREAM)" ]; then $(BIN_DIR)/upstream prepare src --dir $(UPSTREAM); \
		else $(BIN_DIR)/upstream prepare src; fi; \
	fi
	PREFIX=$(GAP_PREFIX) sh ./spkg-install
	PREFIX=$(GAP_PREFIX) VERIFY=$(abspath $(BIN_DIR))/verify sh ./spkg-check

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	for b in $(CLIS); do install -m 0755 $(BIN_DIR)/$$b $(DESTDIR)$(BINDIR)/$$b; done
	for m in man/*.1; do install -m 0644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	install -d $(DESTDIR)$(PREFIX)/share/gap-patchkit
	install -m 0644 expectations.conf $(DESTDIR)$(PREFIX)/share/gap-patchkit/
	install -d $(DESTDIR)$(PREFIX)/lib/gap-patchkit
	install -m 0644 $(BIN_DIR)/cygwin_reserve.so $(DESTDIR)$(PREFIX)/lib/gap-patchkit/

clean:
	rm -rf build build-san $(addprefix tools/,$(CLIS))
