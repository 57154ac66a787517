# gobp-dap — build, test, demo, bench, install.
#   make            build build/gobp-dap
#   make test       install what is missing, build, run every test (unit, e2e, nvim)
#   make demo       install what is missing, build, run a scripted session on an example
#   make bench      benchmarks (not part of the tests)
#   make soak       10M handler hits and a 10-minute trace: the adapter's RSS stays flat (bench/soak.sh)
#   make test SANITIZE=1   the same under ASan + UBSan
#   make e2e-san    the e2e suite on the ASan+UBSan build, newest Go (part of make test)
#   make valgrind   one full DAP session under valgrind memcheck (part of make test)
#   make fuzz       every libFuzzer harness for FUZZ_SECONDS (default 600) each (fuzz/README.md)
#   make fuzz-smoke the regressions, then every harness for 60 s (part of make test)

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
B       := build
PKGS    := libdwarf libelf json-c libev capstone
VERSION := 0.2.0
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror=implicit-function-declaration \
           -D_GNU_SOURCE -DGOBP_VERSION='"$(VERSION)"' -Icore -Icore/include -Iprotocol -Iadapter \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I/usr/include/libdwarf
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ldwarf -lelf -ljson-c -lev -lcapstone) -lz -ldl -lm -lpthread
ifeq ($(SANITIZE),1)
  CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
  LDFLAGS += -fsanitize=address,undefined
  B := build-san
  # a bounded quarantine keeps memory-bound checks meaningful; UBSan findings fail the run
  export ASAN_OPTIONS := quarantine_size_mb=16
  export UBSAN_OPTIONS := halt_on_error=1:print_stacktrace=1
  export GOBP_SANITIZED := 1
endif

# the libFuzzer build (fuzz/): clang, coverage instrumentation, ASan and UBSan that abort
ifeq ($(FUZZ),1)
  CC      := clang
  CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
             -fno-omit-frame-pointer -O1 -gline-tables-only
  B := build-fuzz
endif

CORE_SRC     := $(wildcard core/*/*.c)
PROTOCOL_SRC := $(wildcard protocol/*.c)
ADAPTER_SRC  := $(filter-out adapter/main.c,$(wildcard adapter/*.c))
CORE_OBJ     := $(CORE_SRC:%.c=$(B)/%.o)
PROTOCOL_OBJ := $(PROTOCOL_SRC:%.c=$(B)/%.o)
ADAPTER_OBJ  := $(ADAPTER_SRC:%.c=$(B)/%.o)
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
UNIT_BIN     := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all plugins setup test unit e2e e2e-san valgrind nvim vscode demo bench soak install clean fuzz fuzz-smoke fuzz-build
all: $(B)/gobp-dap plugins

# the example handler plugins (plugins/README.md)
plugins:
	$(MAKE) -C plugins OUT=$(CURDIR)/$(B)/plugins

$(B)/%.o: %.c $(wildcard core/*.h core/*/*.h core/include/gobp/*.h protocol/*.h adapter/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/libgobpcore.a: $(CORE_OBJ)
	@mkdir -p $(B); rm -f $@; ar rcs $@ $^
$(B)/libgobpprotocol.a: $(PROTOCOL_OBJ)
	@mkdir -p $(B); rm -f $@; ar rcs $@ $^

# exit, _exit and _Exit are exported so that a plugin's calls reach the plugin guard (plugin_guard.c)
EXPORT_EXIT := -Wl,--export-dynamic-symbol=exit,--export-dynamic-symbol=_exit,--export-dynamic-symbol=_Exit
$(B)/gobp-dap: $(B)/adapter/main.o $(ADAPTER_OBJ) $(B)/libgobpprotocol.a $(B)/libgobpcore.a
	$(CC) $(LDFLAGS) $(EXPORT_EXIT) -o $@ $^ $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(ADAPTER_OBJ) $(B)/libgobpprotocol.a $(B)/libgobpcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS) -lcriterion

setup:
	@scripts/setup.sh

# the fuzz harnesses (fuzz/fuzz_*.c), linked with libFuzzer against the clang-built objects
FUZZ_HARNESSES := framing requests requests_stopped eval elf
$(B)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_session.c $(wildcard fuzz/*.h tests/unit/fake_*.h) $(ADAPTER_OBJ) $(B)/libgobpprotocol.a $(B)/libgobpcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -Ifuzz -Itests/unit -o $@ $< fuzz/fuzz_session.c $(ADAPTER_OBJ) \
	    $(B)/libgobpprotocol.a $(B)/libgobpcore.a $(LDLIBS)
fuzz-build:
	$(MAKE) FUZZ=1 $(FUZZ_HARNESSES:%=build-fuzz/fuzz/fuzz_%)
fuzz: setup fuzz-build
	fuzz/run.sh $(or $(FUZZ_SECONDS),600)
fuzz-smoke: fuzz-build
	fuzz/run.sh 60

unit: $(UNIT_BIN) $(B)/gobp-dap
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; GOBP_BUILD=$(B) $$t --jobs 1; done

e2e: $(B)/gobp-dap
	cd tests/e2e && GOBP_DAP=$(CURDIR)/$(B)/gobp-dap node --test --test-force-exit --test-concurrency=1 *.test.mjs

# the whole e2e suite against build-san/gobp-dap (ASan+UBSan, LeakSanitizer) on the newest Go;
# any sanitizer report of any adapter process fails it (scripts/e2e-san.sh)
e2e-san:
	$(MAKE) SANITIZE=1 all
	scripts/e2e-san.sh $(CURDIR)/build-san/gobp-dap

# one full DAP session with build/gobp-dap under valgrind memcheck: zero errors, zero definite
# leaks (tests/valgrind/session.test.mjs; the debugged Go program runs natively)
valgrind:
	$(MAKE) SANITIZE=0 build/gobp-dap
	cd tests/valgrind && GOBP_DAP=$(CURDIR)/build/gobp-dap node --test --test-force-exit session.test.mjs

nvim: $(B)/gobp-dap
	GOBP_DAP=$(CURDIR)/$(B)/gobp-dap tests/nvim/run.sh

# the real VS Code (code-server + headless browser) driving gobp-dap through the extension
vscode: $(B)/gobp-dap plugins
	GOBP_DAP=$(CURDIR)/$(B)/gobp-dap tests/vscode/run.sh

test: setup
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) e2e
ifneq ($(SANITIZE),1)
	$(MAKE) e2e-san
endif
	$(MAKE) valgrind
	$(MAKE) fuzz-smoke
	$(MAKE) nvim
	$(MAKE) vscode

demo: setup
	$(MAKE) all
	GOBP_DAP=$(CURDIR)/$(B)/gobp-dap GOBP_PLUGINS=$(CURDIR)/$(B)/plugins node tests/e2e/demo.mjs

bench: setup
	@scripts/setup-bench.sh
	$(MAKE) all
	GOBP_DAP=$(CURDIR)/$(B)/gobp-dap bench/run.sh

# long sessions: SOAK_HITS handler hits, SOAK_TRACE_SECONDS of tracing, RSS sampled (bench/soak.py)
soak: setup
	$(MAKE) all
	GOBP_DAP=$(CURDIR)/$(B)/gobp-dap bench/soak.sh

# gobp-dap, the plugin header and its pkg-config file (cc $(pkg-config --cflags gobp-plugin))
install: $(B)/gobp-dap
	install -D -m 755 $(B)/gobp-dap $(DESTDIR)$(PREFIX)/bin/gobp-dap
	install -D -m 644 core/include/gobp/plugin.h $(DESTDIR)$(PREFIX)/include/gobp/plugin.h
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' gobp-plugin.pc.in > $(DESTDIR)$(PREFIX)/share/pkgconfig/gobp-plugin.pc
	cp $(DESTDIR)$(PREFIX)/share/pkgconfig/gobp-plugin.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/gobp-plugin.pc

clean:
	rm -rf build build-san build-fuzz
