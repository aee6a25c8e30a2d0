# gap-patchkit: build the tools, run the tests.
#   make              build tools/applypatch (and tools/verify)
#   make check        unit + end-to-end tests, then the same under ASan/UBSan
#   make install      PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
DEPS := libcrypto
CFLAGS ?= -O2 -g
WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -Itools
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DEPS))
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(DEPS))

# BUILD selects the object directory: build/ normally, build-san/ for the
# sanitizer build that `make check` also runs.
BUILD ?= build
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC := tools/error.c tools/buf.c tools/lines.c tools/path.c tools/patch.c tools/place.c \
	tools/series.c tools/strmap.c tools/tree.c tools/txn.c tools/hash.c tools/state.c \
	tools/vtree.c tools/apply.c tools/worktree.c tools/json.c tools/report.c
LIB_OBJ := $(LIB_SRC:tools/%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libpatchkit.a

ifeq ($(BUILD),build)
BIN_DIR := tools
else
BIN_DIR := $(BUILD)/bin
endif
APPLYPATCH := $(BIN_DIR)/applypatch

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all check check-fast check-san unit e2e clean install
all: $(APPLYPATCH)

$(BUILD)/%.o: tools/%.c $(wildcard tools/*.h) | $(BUILD)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(DEP_CFLAGS) -c $< -o $@

$(BUILD):
	mkdir -p $(BUILD)/tests $(BIN_DIR)

$(LIB): $(LIB_OBJ)
	$(AR) rcs $@ $^

$(APPLYPATCH): $(BUILD)/applypatch.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(DEP_LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(LIB)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(DEP_CFLAGS) -Itests/unit -o $@ $< $(LIB) \
		$(DEP_LIBS) $$($(PKG_CONFIG) --libs cmocka)

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

e2e: $(APPLYPATCH)
	@APPLYPATCH=$(abspath $(APPLYPATCH)) sh tests/e2e/run.sh

# the default build: units (and valgrind on them when present), end-to-end
check-fast: unit e2e

check-san:
	$(MAKE) BUILD=build-san CFLAGS="-O1 -g $(SAN_FLAGS)" check-fast

check: check-fast
	$(MAKE) check-san

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(APPLYPATCH) $(DESTDIR)$(BINDIR)/applypatch
	install -m 0644 man/applypatch.1 $(DESTDIR)$(MANDIR)/man1/applypatch.1

clean:
	rm -rf build build-san tools/applypatch tools/verify
