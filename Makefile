# parkreport - see README.md. `make report` and `make check` set up a fresh
# Debian machine (scripts/setup.sh) before building.

CC = gcc
BUILD = build
PKGS = libxml-2.0

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
       -Wwrite-strings -Wundef -Wold-style-definition
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) -MMD -MP -Isrc \
             -DPARKREPORT_TEMPLATE_DIR='"$(CURDIR)/templates"' -DPARKREPORT_FONT_DIR='"$(CURDIR)/fonts"'
# Evaluated when a recipe runs, after set-up has installed pkg-config.
# libcurl's headers only: the program loads it when it sends mail (mail.h).
# Debian 13's xlsxwriter.pc names minizip, which its -dev package does not
# install; pkg-config then refuses it whole, and the library alone serves.
XLSX_CFLAGS = $(shell pkg-config --cflags xlsxwriter 2>/dev/null)
XLSX_LIBS = $(shell pkg-config --libs xlsxwriter 2>/dev/null || echo -lxlsxwriter)
XML_CFLAGS = $(shell pkg-config --cflags $(PKGS) libcurl) $(XLSX_CFLAGS)
XML_LIBS = $(shell pkg-config --libs $(PKGS)) $(XLSX_LIBS)
# HarfBuzz only for the font test, which checks the font reader against it.
HB_CFLAGS = $(shell pkg-config --cflags harfbuzz)
HB_LIBS = $(shell pkg-config --libs harfbuzz)
LIBS = -lhpdf -ldeflate -lz $(XML_LIBS) -lm -pthread

SRC = util.c report.c batch.c model_input.c model_xml.c model_xml_tree.c model.c model_chain.c model_frame.c scaffold.c model_tmpl.c tmpl.c tmpl_render.c tmpl_filters.c doc.c layout.c layout_items.c layout_style.c layout_table.c layout_frame.c font_ttf.c flate.c pdf_pack.c pdf_font.c pdf_haru.c xlsx_lxw.c xlsx_file.c \
      mail.c mail_curl.c
OBJ = $(SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema_xsd.o
TESTS = test_util test_model test_chain test_tmpl test_doc test_layout test_frame test_font test_flate test_pdf_pack test_pdf test_mail test_xlsx
TEST_BINS = $(TESTS:%=$(BUILD)/tests/%)

.PHONY: all setup report check test lint spec check-asan check-debian13 fuzz install bench clean
all: $(BUILD)/parkreport

setup:
	@sh scripts/setup.sh

report: setup
	@$(MAKE) --no-print-directory $(BUILD)/parkreport
	$(BUILD)/parkreport -o out input/park-2023.xml input/park-2024.xml input/park-2023-official.xml

check: setup
	@$(MAKE) --no-print-directory test

# make bench [BENCH_BATCH=1000] [BENCH_RUNS=11]: speed, memory and sizes, as
# medians over repeated runs (scripts/bench.py).
BENCH_BATCH = 1000
BENCH_RUNS = 11
bench: setup
	@$(MAKE) --no-print-directory $(BUILD)/parkreport $(BUILD)/bench_run
	@/usr/bin/python3 scripts/bench.py $(BUILD) $(BENCH_BATCH) $(BENCH_RUNS)
$(BUILD)/bench_run: scripts/bench_run.c | $(BUILD)
	$(CC) $(ALL_CFLAGS) -o $@ $<

# make install PREFIX=... DESTDIR=...: the binary finds PREFIX/share/parkreport
# beside it wherever it is run from.
PREFIX = /usr/local
SHARE = $(DESTDIR)$(PREFIX)/share/parkreport
install: $(BUILD)/parkreport
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/templates $(SHARE)/fonts $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/parkreport $(DESTDIR)$(PREFIX)/bin/parkreport
	install -m 644 templates/*.mustache templates/*.style $(SHARE)/templates/
	install -m 644 fonts/fonts.conf $(SHARE)/fonts/
	install -m 644 man/parkreport.1 $(DESTDIR)$(PREFIX)/share/man/man1/parkreport.1

# The official Mustache spec; SPEC_DIR=DIR runs another copy of it.
SPEC_DIR = $(CURDIR)/../shared/mustache-spec/specs
SPEC_FILES = comments delimiters interpolation inverted partials sections

spec: setup
	@$(MAKE) --no-print-directory $(BUILD)/tests/spec_runner
	@SPEC_DIR='$(SPEC_DIR)' SPEC_FILES='$(SPEC_FILES)' sh tests/spec.sh $(BUILD)

$(BUILD)/tests/spec_runner: tests/spec_runner.c $(OBJ) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< $(OBJ) $(LIBS) -ljson-c

test: $(BUILD)/parkreport $(TEST_BINS) $(BUILD)/tests/spec_runner
	@SPEC_DIR='$(SPEC_DIR)' SPEC_FILES='$(SPEC_FILES)' sh tests/run.sh $(BUILD)

# make report and make check in a fresh Debian 13 root (mmdebstrap; needs root).
check-debian13:
	@sh scripts/check-debian13.sh

# Rules read from the source (scripts/lint.sh), outside the test counts.
lint: setup
	@CC='$(CC)' STRICT_CFLAGS='-std=c11 -D_DEFAULT_SOURCE $(WARN) -Werror -Isrc $(XML_CFLAGS) $(HB_CFLAGS)' \
	    sh scripts/lint.sh $(BUILD)

$(BUILD)/parkreport: $(OBJ) $(BUILD)/cli.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(XML_CFLAGS) -c -o $@ $<

$(BUILD)/schema_xsd.c: schema/parkreport.xsd scripts/embed.sh | $(BUILD)
	sh scripts/embed.sh parkreport_xsd $< > $@.tmp && mv $@.tmp $@

$(BUILD)/schema_xsd.o: $(BUILD)/schema_xsd.c
	$(CC) -std=c11 -c -o $@ $<

$(BUILD)/tests/test_font: tests/test_font.c $(OBJ) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(XML_CFLAGS) $(HB_CFLAGS) -o $@ $< $(OBJ) $(LIBS) $(HB_LIBS) -lcmocka

$(BUILD)/tests/%: tests/%.c $(OBJ) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(XML_CFLAGS) -DTEST_SOURCE_DIR='"$(CURDIR)"' -o $@ $< $(OBJ) $(LIBS) -lcmocka

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer, in
# build-asan/, and the seed's report under valgrind memcheck.
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Sanitizer reports go to build-asan/san.*, so that one in a process whose
# exit status a test expects to be non-zero is not missed. The leak checker
# does not follow the dynamic TLS of libraries loaded with dlopen on another
# thread (libcurl): it takes a block's bounds for an older
# glibc's and its tracer crashes at exit in about a third of the runs that
# send mail (google/sanitizers#1322), so that tracking is left off.
check-asan: setup
	@rm -f build-asan/san.*
	@ASAN_OPTIONS=log_path=$(CURDIR)/build-asan/san:intercept_tls_get_addr=0 UBSAN_OPTIONS=print_stacktrace=1:log_path=$(CURDIR)/build-asan/san \
	    $(MAKE) --no-print-directory BUILD=build-asan CFLAGS='-O1 -g $(SAN)' test
	@if ls build-asan/san.* > /dev/null 2>&1; then cat build-asan/san.*; echo "sanitizer reports above"; exit 1; fi
	@$(MAKE) --no-print-directory $(BUILD)/parkreport
	@if valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    $(BUILD)/parkreport -o $(BUILD)/valgrind input/park-2023.xml > $(BUILD)/valgrind.log 2>&1; \
	then echo "valgrind: 1 passed, 0 failed"; else cat $(BUILD)/valgrind.log; echo "valgrind: 0 passed, 1 failed"; exit 1; fi

# libFuzzer targets (clang), each run for FUZZ_SECONDS from tests/fuzz/corpus/;
# new inputs go to build/fuzz/, crashes to build/fuzz/crash-*.
FUZZ_SECONDS = 60
FUZZERS = model tmpl docform layout mail pack font
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -g -O1 $(SAN) -Isrc
FUZZ_OBJ = $(SRC:%.c=$(BUILD)/fuzz/%.o) $(BUILD)/fuzz/schema_xsd.o
fuzz:
	@sh scripts/setup.sh fuzz
	@$(MAKE) --no-print-directory $(FUZZERS:%=$(BUILD)/fuzz/fuzz_%)
	@for f in $(FUZZERS); do \
	    mkdir -p $(BUILD)/fuzz/corpus-$$f; \
	    echo "fuzz_$$f: $(FUZZ_SECONDS) s"; \
	    $(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	        -rss_limit_mb=2048 -artifact_prefix=$(BUILD)/fuzz/ -print_final_stats=1 \
	        $(BUILD)/fuzz/corpus-$$f tests/fuzz/corpus/$$f > $(BUILD)/fuzz/$$f.log 2>&1; \
	    status=$$?; grep -E '^stat::(number_of_executed_units|new_units_added)' $(BUILD)/fuzz/$$f.log; \
	    if [ $$status -ne 0 ]; then tail -40 $(BUILD)/fuzz/$$f.log; exit 1; fi; \
	done

.SECONDARY: $(FUZZ_OBJ)

$(BUILD)/fuzz/%.o: src/%.c | $(BUILD)/fuzz
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(XML_CFLAGS) -c -o $@ $<

$(BUILD)/fuzz/schema_xsd.o: $(BUILD)/schema_xsd.c | $(BUILD)/fuzz
	clang -std=c11 -c -o $@ $<

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $(XML_CFLAGS) -o $@ $< $(FUZZ_OBJ) $(LIBS)

$(BUILD) $(BUILD)/tests $(BUILD)/fuzz:
	mkdir -p $@

clean:
	rm -rf $(BUILD) build-asan out

-include $(wildcard $(BUILD)/*.d $(BUILD)/tests/*.d)
