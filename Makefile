# Thin wrapper over Meson for the README's commands. Every target first makes
# sure the Debian packages it needs are installed (scripts/deps.sh).
#
#   make         build build/headroom (optimised, no sanitizers)
#   make demo    set up, build, plan the shipped example and write its HTML report
#   make test    set up, build with ASan+UBSan, run unit + integration tests
#   make fuzz    build the libFuzzer targets with clang and run each a while
#   make bench   the benchmarks under bench/ (not tests; they print figures)
#   make install     build and install under PREFIX (default /usr/local), into
#                    DESTDIR when set (a staging root for packages)
#   make uninstall   remove exactly what `make install` installed
#   make package     build the Debian package into build-deb/

BUILD      ?= build
TESTBUILD  ?= build-asan
FUZZBUILD  ?= build-fuzz
FUZZ_SECONDS ?= 60
DEMO       ?= examples/altius.yaml
PREFIX     ?= /usr/local
DESTDIR    ?=

.PHONY: all deps demo test fuzz bench clean install uninstall package package-test

all: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --prefix=$(PREFIX) >/dev/null
	@meson configure $(BUILD) -Dprefix=$(PREFIX) >/dev/null
	ninja -C $(BUILD)
	@ln -sf $(BUILD)/headroom headroom

deps:
	@sh scripts/deps.sh

demo: all
	./$(BUILD)/headroom plan -f $(DEMO)
	./$(BUILD)/headroom plan -f $(DEMO) --format html -o $(BUILD)/demo-report.html
	@echo "The HTML report of $(DEMO): $(BUILD)/demo-report.html (open it in a browser)"

test: deps
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

install: all
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir $(DESTDIR))

# Meson logs every file and folder it installed or created (DESTDIR
# included): remove the files, then those folders that are left empty,
# deepest first.
uninstall:
	@[ -f $(BUILD)/meson-logs/install-log.txt ] || { echo "nothing installed from $(BUILD)" >&2; exit 1; }
	@grep -v '^#' $(BUILD)/meson-logs/install-log.txt | while read -r f; do [ -d "$$f" ] || rm -f "$$f"; done
	@grep -v '^#' $(BUILD)/meson-logs/install-log.txt | awk '{ print length, $$0 }' | sort -rn | cut -d' ' -f2- | \
		while read -r d; do [ -d "$$d" ] && rmdir "$$d" 2>/dev/null; true; done
	@echo "removed what $(BUILD)/meson-logs/install-log.txt lists"

package: deps
	@sh scripts/deps.sh --package
	sh scripts/package.sh build-deb

package-test: package
	sh tests/package/run.sh build-deb

clean:
	rm -rf $(BUILD) $(TESTBUILD) $(FUZZBUILD) build-deb headroom
