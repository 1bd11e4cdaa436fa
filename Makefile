# vitrine: `make run` starts the default network, `make test` runs every
# test. Both install the Debian packages they need first (`make deps`).

PREFIX ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer into a
# separate tree, so the two builds never mix objects.
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS :=
endif

CC ?= cc
PKGS := inih
CPPFLAGS += -D_GNU_SOURCE -DVITRINE_VERSION='"$(VERSION)"' -I$(BUILD)
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wformat=2 -Wvla -Wpointer-arith -Wundef \
          -Wno-format-nonliteral -fno-common -MMD -MP $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS += $(PKG_LIBS) -lm

ENGINE_SRC := $(wildcard engine/*/*.c) $(wildcard control/*.c)
KIOSK_SRC := $(wildcard kiosk/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)

ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/obj/%.o)
KIOSK_OBJ := $(KIOSK_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

# Debian packages: building, testing, running.
DEB_PKGS := build-essential pkg-config libinih-dev libcmocka-dev python3 \
            python3-pytest

.PHONY: all deps run test bench install uninstall clean FORCE

all: $(BUILD)/vitrine

deps:
	@./tests/deps.sh $(DEB_PKGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c $< -o $@

# Where an installed vitrine finds its networks. Rewritten only when PREFIX
# changes, so that `make install PREFIX=/usr` rebuilds what depends on it.
$(BUILD)/paths.h: FORCE
	@mkdir -p $(@D)
	@printf '#define VITRINE_DATADIR "%s"\n' '$(PREFIX)/share/vitrine' >$@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/obj/kiosk/main.o: $(BUILD)/paths.h

$(BUILD)/libvitrine.a: $(ENGINE_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/vitrine: $(KIOSK_OBJ) $(BUILD)/libvitrine.a
	$(CC) $(LDFLAGS) -o $@ $(KIOSK_OBJ) $(BUILD)/libvitrine.a $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libvitrine.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libvitrine.a $(LDLIBS) \
	    $(shell pkg-config --libs cmocka 2>/dev/null)

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(BUILD)/libvitrine.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libvitrine.a $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/vitrine
	./$(BUILD)/vitrine $(ARGS) networks/default

test: deps
	@$(MAKE) --no-print-directory $(BUILD)/vitrine $(UNIT_BIN)
	@VITRINE=$(CURDIR)/$(BUILD)/vitrine BUILD=$(BUILD) ./tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory CFLAGS="-O2 -g" $(BUILD)/vitrine $(BENCH_BIN)
	@for b in $(BENCH_BIN); do ./$$b || exit 1; done

install: $(BUILD)/vitrine
	install -Dm755 $(BUILD)/vitrine $(DESTDIR)$(PREFIX)/bin/vitrine
	mkdir -p $(DESTDIR)$(PREFIX)/share/vitrine/networks
	cp -R networks/. $(DESTDIR)$(PREFIX)/share/vitrine/networks/
	install -Dm644 kiosk/kiosk.ini.example \
	    $(DESTDIR)$(PREFIX)/share/vitrine/kiosk.ini.example

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/vitrine
	rm -rf $(DESTDIR)$(PREFIX)/share/vitrine

clean:
	rm -rf build build-san

-include $(ENGINE_OBJ:.o=.d) $(KIOSK_OBJ:.o=.d) \
         $(UNIT_SRC:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.d) \
         $(BENCH_SRC:tests/bench/%.c=$(BUILD)/obj/tests/bench/%.d)
