# Thin wrapper over Meson for the README's commands. Every target first makes
# sure the Debian packages it needs are installed (scripts/deps.sh).
#
#   make         build build/headroom (optimised, no sanitizers)
#   make demo    set up, build, and plan the shipped example
#   make test    set up, build with ASan+UBSan, run unit + integration tests
#   make fuzz    build the libFuzzer targets with clang and run each a while
#   make bench   the benchmarks under bench/ (not tests; they print figures)

BUILD      ?= build
TESTBUILD  ?= build-asan
FUZZBUILD  ?= build-fuzz
FUZZ_SECONDS ?= 60
DEMO       ?= examples/altius.yaml

.PHONY: all deps demo test fuzz bench clean

all: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) >/dev/null
	ninja -C $(BUILD)
	@ln -sf $(BUILD)/headroom headroom

deps:
	@sh scripts/deps.sh

demo: all
	./$(BUILD)/headroom plan -f $(DEMO)
	./$(BUILD)/headroom plan -f $(DEMO) --format html -o $(BUILD)/demo-report.html
	@echo "The HTML report of $(DEMO): $(BUILD)/demo-report.html (open it in a browser)"

test:
	@sh scripts/deps.sh --npm $(TESTBUILD)/npm
	@[ -f $(TESTBUILD)/build.ninja ] || meson setup $(TESTBUILD) \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null
	ninja -C $(TESTBUILD)
	sh tests/run.sh $(TESTBUILD)

fuzz: deps
	@[ -f $(FUZZBUILD)/build.ninja ] || CC=clang meson setup $(FUZZBUILD) \
		-Dfuzz=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	ninja -C $(FUZZBUILD)
	sh tests/fuzz/run.sh $(FUZZBUILD) $(FUZZ_SECONDS)

bench: all
	@sh scripts/deps.sh --bench
	@for b in bench/*.sh; do echo "== $$b"; sh $$b || exit 1; done

clean:
	rm -rf $(BUILD) $(TESTBUILD) $(FUZZBUILD) headroom
