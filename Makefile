# c2watch — passive C2 domain sensor.  Plain make, pkg-config, no autotools.
#   make            build build/c2watchd (installs missing -dev packages first)
#   make run        build and start the daemon live on its embedded defaults
#   make test       build and run every test (unit, corpus, bad input, live)
#   make faults     live faults and resource bounds, larger floods: the README table
#   make SANITIZE=address,undefined test   the same under ASan+UBSan
#   make CC=clang   any C11 compiler
#   make fuzz       every libFuzzer harness for FUZZ_TIME seconds (clang; tests/fuzz/)

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := libpcap yaml-0.1 libmicrohttpd zlib libcrypto
BUILD   ?= build

# Install the -dev packages only when pkg-config cannot find one of them.
DEPS_OK := $(shell pkg-config --exists $(PKGS) && echo yes)
ifneq ($(DEPS_OK),yes)
  $(info c2watch: missing libraries, running contrib/install-deps)
  $(shell contrib/install-deps >&2)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wformat=2 -Wno-unused-parameter
OPT     ?= -O2 -g
CFLAGS  ?=
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(PKG_CFLAGS) -pthread
LDLIBS  += $(PKG_LIBS) -pthread
ifneq ($(SANITIZE),)
  CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
  LDFLAGS += -fsanitize=$(SANITIZE)
endif

SRCS    := $(wildcard daemon/*.c)
OBJS    := $(SRCS:daemon/%.c=$(BUILD)/%.o) $(BUILD)/embedded_rules.o $(BUILD)/embedded_page.o
LIBOBJS := $(filter-out $(BUILD)/main.o,$(OBJS))
UNITS   := $(wildcard tests/unit/test_*.c)
UNITBIN := $(UNITS:tests/unit/%.c=$(BUILD)/%)
FUZZERS := $(filter-out common,$(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
REPLAYBIN := $(FUZZERS:%=$(BUILD)/replay_%)

all: $(BUILD)/c2watchd

# The compiler and flags a build directory was made with: when they change
# (OPT, SANITIZE, CC), everything in it is rebuilt.
FLAGS := $(CC) $(CFLAGS) $(LDFLAGS)
$(BUILD)/.flags: FORCE | $(BUILD)
	@echo '$(FLAGS)' | cmp -s - $@ || echo '$(FLAGS)' > $@

$(BUILD)/c2watchd: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/%.o: daemon/%.c $(wildcard daemon/*.h) $(BUILD)/.flags | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/test_%: tests/unit/test_%.c tests/unit/check.h $(LIBOBJS) $(BUILD)/.flags
	$(CC) $(CFLAGS) -Idaemon $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS)

# The bundled Operation Triangulation rules, compiled in so that c2watchd runs
# with no file at all.
$(BUILD)/embedded_rules.c: rules/triangulation.yaml | $(BUILD)
	{ echo '#include <stddef.h>'; \
	  echo 'const char embedded_rules_yaml[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00};'; \
	  echo 'const size_t embedded_rules_yaml_len = sizeof embedded_rules_yaml - 1;'; } > $@

$(BUILD)/embedded_rules.o: $(BUILD)/embedded_rules.c $(BUILD)/.flags
	$(CC) $(CFLAGS) -Wno-missing-variable-declarations -c -o $@ $<

# The dashboard served at GET / (contrib/dashboard/index.html), compiled in
# the same way: one self-contained file, nothing to install beside the binary.
$(BUILD)/embedded_page.c: contrib/dashboard/index.html | $(BUILD)
	{ echo '#include <stddef.h>'; \
	  echo 'const char embedded_page_html[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00};'; \
	  echo 'const size_t embedded_page_len = sizeof embedded_page_html - 1;'; } > $@

$(BUILD)/embedded_page.o: $(BUILD)/embedded_page.c $(BUILD)/.flags
	$(CC) $(CFLAGS) -Wno-missing-variable-declarations -c -o $@ $<

$(BUILD):
	mkdir -p $@

# As root, the daemon drops to the user c2watch once the capture is open:
# created here when absent, as `make install` does.
run: $(BUILD)/c2watchd
	@if [ "$$(id -u)" = 0 ]; then contrib/mkuser; fi
	$(BUILD)/c2watchd

unit: $(UNITBIN)
	@set -e; for t in $(UNITBIN); do $$t; done

# The tests use curl, tcpreplay, iproute2 and python3 (with cryptography, to
# build QUIC Initials): installed when missing.
test: all $(UNITBIN) $(REPLAYBIN)
	@for t in curl tcpreplay ip python3 gzip; do command -v $$t >/dev/null || { contrib/install-deps --test; break; }; done
	@python3 -c 'import cryptography' 2>/dev/null || contrib/install-deps --test
	tests/run $(BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=]: binary, man pages, rules, the
# example config (never over an existing one), the systemd unit and the
# logrotate file.  Installing for real (no DESTDIR, as root) also creates the
# c2watch system user and group when absent, and /var/log/c2watch and
# /var/lib/c2watch owned by it: c2watchd drops to it (privileges).
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
C2W_USER   ?= c2watch
install: $(BUILD)/c2watchd
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/c2watch/rules \
	    $(DESTDIR)$(SYSCONFDIR)/c2watch $(DESTDIR)$(SYSCONFDIR)/logrotate.d $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)/var/log/c2watch $(DESTDIR)/var/lib/c2watch
	install -m 755 $(BUILD)/c2watchd $(DESTDIR)$(PREFIX)/sbin/
	install -m 644 man/c2watchd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 man/c2watchd.yaml.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	cp -R rules/. $(DESTDIR)$(PREFIX)/share/c2watch/rules/
	@# the paths in the example config and the unit follow PREFIX
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/c2watch/c2watchd.yaml ]; then \
	    echo "$(DESTDIR)$(SYSCONFDIR)/c2watch/c2watchd.yaml exists: left as it is"; \
	else \
	    sed 's|/usr/local/|$(PREFIX)/|g' contrib/c2watchd.yaml >$(DESTDIR)$(SYSCONFDIR)/c2watch/c2watchd.yaml && \
	    chmod 640 $(DESTDIR)$(SYSCONFDIR)/c2watch/c2watchd.yaml; \
	fi
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|; s|/etc/c2watch/|$(SYSCONFDIR)/c2watch/|' \
	    contrib/c2watchd.service >$(DESTDIR)$(UNITDIR)/c2watchd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/c2watchd.service
	install -m 644 contrib/logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/c2watchd
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	    contrib/mkuser $(C2W_USER); \
	    chown $(C2W_USER):$(C2W_USER) /var/log/c2watch /var/lib/c2watch; \
	    chmod 750 /var/log/c2watch /var/lib/c2watch; \
	    chgrp $(C2W_USER) $(SYSCONFDIR)/c2watch/c2watchd.yaml; \
	else \
	    echo "not creating user $(C2W_USER) (DESTDIR set or not root): c2watchd needs it, or privileges.allow-root"; \
	fi

clean:
	rm -rf $(BUILD)

# Throughput against the libpcap floor and the peers (bench/README.md): an optimised
# build in build-bench/, then bench/run.  BENCHFLAGS="-q -n 500000" for a quick run.
# Link-time optimisation lets the decoders' small helpers (tunnel.c, wifi.c,
# frag.c) inline into the per-packet path: ~4% of the packet loop, measured.
BENCH_OPT := -O3 -g -march=x86-64-v2 -DNDEBUG -flto=auto
bench:
	$(MAKE) BUILD=build-bench OPT="$(BENCH_OPT)" LDFLAGS="$(BENCH_OPT)" build-bench/c2watchd
	bench/run $(BENCHFLAGS) $(CURDIR)/build-bench/c2watchd

# Live faults and resource bounds at FAULTS_SCALE times the floods of make
# test (a few minutes): prints the table of README "Faults".  Uses network
# namespaces: under the shared lock where others test on the same machine.
FAULTS_SCALE ?= 5
faults: all
	tests/e2e/faults_table.sh $(BUILD) $(FAULTS_SCALE)

FORCE:

# ---- fuzzing (tests/fuzz/) ----
# Each harness tests/fuzz/fuzz_NAME.c links the daemon's objects twice:
#   $(BUILD)/replay_NAME  with the build's own compiler and tests/fuzz/driver.c,
#                         replaying tests/fuzz/corpus/NAME/ in `make test`;
#   build-fuzz/fuzz_NAME  with clang and libFuzzer, for `make fuzz`.
FUZZ_TIME ?= 60
FUZZ_JOBS ?= 1
FUZZ_SAN  := fuzzer-no-link,address,undefined
FUZZ_MAKE := $(MAKE) BUILD=build-fuzz CC=clang SANITIZE=$(FUZZ_SAN) OPT="-O1 -g"

$(BUILD)/fuzz_common.o: tests/fuzz/fuzz_common.c tests/fuzz/fuzz.h $(wildcard daemon/*.h) $(BUILD)/.flags
	$(CC) $(CFLAGS) -Idaemon -c -o $@ $<

$(BUILD)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c tests/fuzz/fuzz.h $(BUILD)/fuzz_common.o \
		$(wildcard daemon/*.h) $(LIBOBJS) $(BUILD)/.flags
	$(CC) $(CFLAGS) -Idaemon $(LDFLAGS) -o $@ $< tests/fuzz/driver.c $(BUILD)/fuzz_common.o \
	    $(LIBOBJS) $(LDLIBS)

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/fuzz_common.o $(wildcard daemon/*.h) \
		$(LIBOBJS) $(BUILD)/.flags
	$(CC) $(CFLAGS) -Idaemon $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/fuzz_common.o \
	    $(LIBOBJS) $(LDLIBS)

fuzz-replay: $(REPLAYBIN)
fuzz-bins: $(FUZZERS:%=$(BUILD)/fuzz_%)

# Run every harness (or one: make fuzz-dns) for FUZZ_TIME seconds each, with
# its seed corpus and dictionary (FUZZ_JOBS at once); new inputs go to
# build-fuzz/corpus/NAME, crashes to build-fuzz/crashes/.  Fails when a
# harness finds anything.
fuzz:
	$(FUZZ_MAKE) fuzz-bins
	tests/fuzz/run -t $(FUZZ_TIME) -j $(FUZZ_JOBS) build-fuzz $(FUZZERS)

$(FUZZERS:%=fuzz-%):
	$(FUZZ_MAKE) build-fuzz/fuzz_$(@:fuzz-%=%)
	tests/fuzz/run -t $(FUZZ_TIME) build-fuzz $(@:fuzz-%=%)

# valgrind memcheck over every corpus input, replayed by the gcc build:
# fails on a leak or an invalid access.
fuzz-memcheck: $(REPLAYBIN)
	@set -e; for n in $(FUZZERS); do \
	  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
	    --error-exitcode=9 $(BUILD)/replay_$$n tests/fuzz/corpus/$$n; done

# valgrind memcheck over a replay of the whole corpus (tests/valgrind); run
# after `make test`, whose generated captures it replays too.
valgrind: $(BUILD)/c2watchd
	tests/valgrind $(CURDIR)/$(BUILD)/c2watchd

.PHONY: all run unit test install clean bench valgrind faults FORCE fuzz fuzz-replay fuzz-bins \
	fuzz-memcheck $(FUZZERS:%=fuzz-%)
