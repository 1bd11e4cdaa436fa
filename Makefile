# vitrine: `make run` starts the default network, `make test` runs every
# test. Both install the Debian packages they need first (`make deps`).

PREFIX ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer into a
# separate tree, so the two builds never mix objects.
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined,float-cast-overflow \
            -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined,float-cast-overflow
else
BUILD ?= build
SANFLAGS :=
endif

CC ?= cc
PKGS := inih epoxy egl stb python3-embed libsystemd liblo libwebsockets \
        jansson
# Headers only: these are loaded when first needed (engine/base/lazylib.h),
# not by the dynamic linker at every start. FFmpeg with the first movie (a
# hundred libraries with it), the text stack with the first font, GLFW
# with a window, Avahi when the kiosk is advertised, PortMidi (its
# header is in /usr/include) at the first look for a MIDI device.
LAZY_PKGS := libavformat libavcodec libavutil libswscale glfw3 harfbuzz \
        freetype2 fontconfig fribidi avahi-client
# Debian's interpreter, named explicitly: the python3 first on PATH may be
# another one (without NumPy).
PYVER := $(shell pkg-config --modversion python3-embed 2>/dev/null)
PYTHON := /usr/bin/python$(PYVER)
CPPFLAGS += -D_GNU_SOURCE -DVITRINE_VERSION='"$(VERSION)"' -I$(BUILD) \
            -I$(BUILD)/gen -DVITRINE_PYTHON='"$(PYTHON)"'
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wformat=2 -Wvla -Wpointer-arith -Wundef \
          -Wno-format-nonliteral -fno-common -MMD -MP $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(LAZY_PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS += $(PKG_LIBS) -lm -ldl
# CUDA-GL interop loads the NVIDIA driver's libcuda.so.1 at run time and
# needs nothing to build; CUDA=0 leaves it out. Where a CUDA Toolkit is
# installed, its cuda.h and cudaGL.h check vitrine's declarations of the
# driver API (engine/gpu/cuda_check.c, compiled, never linked).
CUDA ?= 1
CUDA_INCLUDE ?= /usr/local/cuda/include
ifeq ($(CUDA),0)
CPPFLAGS += -DVITRINE_NO_CUDA
else ifneq ($(wildcard $(CUDA_INCLUDE)/cudaGL.h),)
CUDA_CHECK := $(BUILD)/obj/engine/gpu/cuda_check.ok
endif

ENGINE_SRC := $(filter-out engine/gpu/cuda_check.c,$(wildcard engine/*/*.c)) \
              $(wildcard control/*.c)
KIOSK_SRC := $(filter-out kiosk/main.c,$(wildcard kiosk/*.c))
GLSL_SRC := $(wildcard engine/ops/*.glsl)
PY_SRC := $(filter-out engine/py/embed.py,$(wildcard engine/py/*.py))
OPS_PY_SRC := $(wildcard engine/ops/*.py)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)

ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/obj/%.o)
KIOSK_OBJ := $(KIOSK_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/kiosk/main.o
GLSL_HDR := $(GLSL_SRC:engine/ops/%.glsl=$(BUILD)/gen/%.glsl.h) \
            $(PY_SRC:engine/py/%.py=$(BUILD)/gen/%.py.h) \
            $(OPS_PY_SRC:engine/ops/%.py=$(BUILD)/gen/%.py.h)
LIBS := $(BUILD)/libkiosk.a $(BUILD)/libvitrine.a
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

# Debian packages: building, testing, running.
DEB_PKGS := build-essential pkg-config libinih-dev libcmocka-dev python3 \
            python3-pytest python3-dev python3-numpy libepoxy-dev libglfw3-dev libegl-dev libgl-dev \
            libegl-mesa0 libgl1-mesa-dri libglx-mesa0 libstb-dev xvfb xauth \
            x11-apps liblo-dev liblo-tools python3-liblo libportmidi-dev \
            libsystemd-dev gdb groff-base \
            libavformat-dev libavcodec-dev libavutil-dev libswscale-dev ffmpeg \
            libharfbuzz-dev libfreetype-dev libfontconfig-dev libfribidi-dev \
            faketime linuxptp libwebsockets-dev libjansson-dev \
            libavahi-client-dev \
            python3-websocket chromium \
            fonts-dejavu-core libharfbuzz-bin \
            systemd

.PHONY: all deps run test bench soak install uninstall clean FORCE

all: $(BUILD)/vitrine

deps:
	@./tests/deps.sh $(DEB_PKGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c $< -o $@

# Each TOP's shader lives beside it as a .glsl file and is compiled in as a
# C string named after the file (top_noise.glsl -> top_noise_glsl).
$(BUILD)/gen/%.glsl.h: engine/ops/%.glsl
	@mkdir -p $(@D)
	@{ echo 'static const char $(subst .,_,$(notdir $<))[] ='; \
	   sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' \
	       -e 's/$$/\\n"/' $<; echo ';'; } >$@

# td, the scripting API (td.py and td_*.py), and each op type's Python
# class beside its C file (dat_execute.py) come as their text and as
# their code compiled by the embedded CPython's version (marshalled:
# dat_execute.py -> dat_execute_py, dat_execute_pyc), so that the
# interpreter's start does not compile them again (engine/py/embed.py).
$(BUILD)/gen/%.py.h: engine/py/%.py engine/py/embed.py
	@mkdir -p $(@D)
	@$(PYTHON) engine/py/embed.py $< $(notdir $<) $@

$(BUILD)/gen/%.py.h: engine/ops/%.py engine/py/embed.py
	@mkdir -p $(@D)
	@$(PYTHON) engine/py/embed.py $< $(notdir $<) $@

# The registry's list of op types: every `const struct op_type op_...`
# defined in engine/ops, so that a new op type is its one file. Rewritten
# only when the list changes.
OPS_SRC := $(wildcard engine/ops/*.c)
$(BUILD)/gen/op_types.h: $(OPS_SRC)
	@mkdir -p $(@D)
	@grep -ho '^const struct op_type op_[a-z0-9_]*' $(OPS_SRC) | \
	    sed 's/^const struct op_type \(.*\)/OP_TYPE(\1)/' | LC_ALL=C sort >$@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(ENGINE_OBJ): | $(GLSL_HDR) $(BUILD)/gen/op_types.h

# Where an installed vitrine finds its networks. Rewritten only when PREFIX
# changes, so that `make install PREFIX=/usr` rebuilds what depends on it.
$(BUILD)/paths.h: FORCE
	@mkdir -p $(@D)
	@printf '#define VITRINE_DATADIR "%s"\n' '$(DATADIR)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(MAIN_OBJ): $(BUILD)/paths.h

$(BUILD)/libkiosk.a: $(KIOSK_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/libvitrine.a: $(ENGINE_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/vitrine: $(MAIN_OBJ) $(LIBS) $(CUDA_CHECK)
	$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(LIBS) $(LDLIBS)

$(BUILD)/obj/engine/gpu/cuda_check.ok: engine/gpu/cuda_check.c \
        engine/gpu/cuda_api.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(filter-out -MMD -MP,$(CFLAGS)) \
	    -isystem $(CUDA_INCLUDE) -fsyntax-only $< && touch $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS) \
	    $(shell pkg-config --libs cmocka 2>/dev/null)

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS)

# bench_kiosk's limit: a bare headless GL program.
$(BUILD)/bench/bare_egl: $(BUILD)/obj/tests/bench/bare_egl.o \
        $(BUILD)/obj/kiosk/headless.o $(BUILD)/obj/engine/base/log.o \
        $(BUILD)/obj/engine/base/util.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs epoxy egl libsystemd)

# The tests' stand-in for NVIDIA's libcuda.so.1, so that CI runs the
# CUDA-GL interop against the driver's rules (tests/fakecuda/libcuda.c).
FAKECUDA := $(BUILD)/fakecuda/libcuda.so.1
$(FAKECUDA): tests/fakecuda/libcuda.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fPIC -shared -Wl,-soname,libcuda.so.1 $(LDFLAGS) \
	    $(shell pkg-config --cflags epoxy) -o $@ $< \
	    $(shell pkg-config --libs epoxy)

# Preloaded by the tests to count the LLVM modules llvmpipe builds
# (tests/llvmpipe/modules.c).
LLVMPIPE_MODULES := $(BUILD)/llvmpipe/modules.so
$(LLVMPIPE_MODULES): tests/llvmpipe/modules.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fPIC -shared $(LDFLAGS) -o $@ $< -ldl

# make run NETWORK=networks/osc-cues ARGS="--osc-port 9000" runs another.
NETWORK ?= networks/default
run: deps
	@$(MAKE) --no-print-directory $(BUILD)/vitrine
	./$(BUILD)/vitrine $(ARGS) $(NETWORK)

# LSan: use_tls=0 because its tracer crashes reading the main thread's
# dynamic TLS (seen with GCC 12 and glibc 2.36 once Mesa, CPython and the
# OSC reader thread are all up); heap, stacks and globals are still
# scanned.
test: deps
	@$(MAKE) --no-print-directory $(BUILD)/vitrine $(UNIT_BIN) $(FAKECUDA) \
	    $(LLVMPIPE_MODULES)
	@VITRINE=$(CURDIR)/$(BUILD)/vitrine BUILD=$(BUILD) \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0:use_tls=0 \
	    ./tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/vitrine $(BENCH_BIN) \
	    $(BUILD)/bench/bare_egl
	@# every benchmark runs, so that one over its limit hides no other's
	@# figures; the exit status says whether any was
	@fail=0; for b in $(BENCH_BIN); do ./$$b || fail=1; done; \
	VITRINE=$(CURDIR)/$(BUILD)/vitrine /usr/bin/python3 \
	    tests/bench/bench_sync.py || fail=1; exit $$fail

# The long checks (minutes): a flood with memory sampled, kill -9s while
# saving. SOAK_SECONDS and SOAK_KILLS shorten them.
soak: deps
	@$(MAKE) --no-print-directory $(BUILD)/vitrine
	@VITRINE=$(CURDIR)/$(BUILD)/vitrine /usr/bin/python3 tests/soak.py

# Where a Debian admin looks: the binary in $(PREFIX)/bin, its manual
# page in $(PREFIX)/share/man, the docs in $(PREFIX)/share/doc/vitrine,
# networks and the kiosk.ini example in $(PREFIX)/share/vitrine, units
# where systemd finds locally installed ones, the configuration in
# /etc/vitrine (never overwritten).
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DATADIR ?= $(PREFIX)/share/vitrine
DOCDIR ?= $(PREFIX)/share/doc/vitrine
MANDIR ?= $(PREFIX)/share/man
UNIT_SED := -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@DATADIR@|$(DATADIR)|g' \
            -e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@VERSION@|$(VERSION)|g'
# The example names where networks are installed.
INI_SED := -e 's|/usr/local/share/vitrine|$(DATADIR)|g'

install: $(BUILD)/vitrine
	install -Dm755 $(BUILD)/vitrine $(DESTDIR)$(PREFIX)/bin/vitrine
	mkdir -p $(DESTDIR)$(DATADIR)/networks
	cp -R networks/. $(DESTDIR)$(DATADIR)/networks/
	sed $(INI_SED) kiosk/kiosk.ini.example >$(BUILD)/kiosk.ini.example
	install -Dm644 $(BUILD)/kiosk.ini.example \
	    $(DESTDIR)$(DATADIR)/kiosk.ini.example
	install -d $(DESTDIR)$(DOCDIR)
	install -m644 README.md docs/*.md docs/*.png $(DESTDIR)$(DOCDIR)/
	sed $(UNIT_SED) kiosk/vitrine.1 >$(BUILD)/vitrine.1
	install -Dm644 $(BUILD)/vitrine.1 $(DESTDIR)$(MANDIR)/man1/vitrine.1
	install -d $(DESTDIR)$(UNITDIR)
	for u in vitrine.service vitrine-cage.service; do \
	    sed $(UNIT_SED) systemd/$$u >$(DESTDIR)$(UNITDIR)/$$u && \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
	install -Dm644 systemd/vitrine.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/vitrine.conf
	test -e $(DESTDIR)$(SYSCONFDIR)/vitrine/kiosk.ini || \
	    install -Dm644 $(BUILD)/kiosk.ini.example \
	        $(DESTDIR)$(SYSCONFDIR)/vitrine/kiosk.ini
	@echo "installed; as root: systemd-sysusers && systemctl daemon-reload" \
	    "&& systemctl enable --now vitrine (or vitrine-cage, for a screen)"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/vitrine
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/vitrine.1
	rm -f $(DESTDIR)$(UNITDIR)/vitrine.service \
	    $(DESTDIR)$(UNITDIR)/vitrine-cage.service \
	    $(DESTDIR)$(SYSUSERSDIR)/vitrine.conf

clean:
	rm -rf build build-san

-include $(ENGINE_OBJ:.o=.d) $(KIOSK_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) \
         $(UNIT_SRC:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.d) \
         $(BENCH_SRC:tests/bench/%.c=$(BUILD)/obj/tests/bench/%.d)
