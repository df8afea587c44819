# parkreport - see README.md. `make report` and `make check` set up a fresh
# Debian machine (scripts/setup.sh) before building.

CC = gcc
BUILD = build
PKGS = libxml-2.0 harfbuzz-subset

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
       -Wwrite-strings -Wundef -Wold-style-definition
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) -MMD -MP -Isrc \
             -DPARKREPORT_TEMPLATE_DIR='"$(CURDIR)/templates"' -DPARKREPORT_FONT_DIR='"$(CURDIR)/fonts"'
# Evaluated when a recipe runs, after set-up has installed pkg-config.
XML_CFLAGS = $(shell pkg-config --cflags $(PKGS))
XML_LIBS = $(shell pkg-config --libs $(PKGS))
LIBS = -lhpdf -lxlsxwriter -lz $(XML_LIBS) -lm

SRC = util.c model_xml.c model.c model_tmpl.c tmpl.c doc.c layout.c font_hb.c pdf_haru.c xlsx_lxw.c
OBJ = $(SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema_xsd.o
TESTS = test_util test_model test_tmpl test_doc test_layout
TEST_BINS = $(TESTS:%=$(BUILD)/tests/%)

.PHONY: all setup report check test spec clean
all: $(BUILD)/parkreport

setup:
	@sh scripts/setup.sh

report: setup
	@$(MAKE) --no-print-directory $(BUILD)/parkreport
	$(BUILD)/parkreport -o out input/park-2023.xml

check: setup
	@$(MAKE) --no-print-directory test

# The official Mustache spec; SPEC_DIR=DIR runs another copy of it.
SPEC_DIR = $(CURDIR)/../shared/mustache-spec/specs
SPEC_FILES = comments delimiters interpolation inverted partials sections

spec: setup
	@$(MAKE) --no-print-directory $(BUILD)/tests/spec_runner
	@SPEC_DIR='$(SPEC_DIR)' SPEC_FILES='$(SPEC_FILES)' sh tests/spec.sh $(BUILD)

$(BUILD)/tests/spec_runner: tests/spec_runner.c $(OBJ) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< $(OBJ) $(LIBS) -ljson-c

test: $(BUILD)/parkreport $(TEST_BINS) $(BUILD)/tests/spec_runner
	@SPEC_DIR='$(SPEC_DIR)' SPEC_FILES='$(SPEC_FILES)' CC='$(CC)' STRICT_CFLAGS='-std=c11 -D_DEFAULT_SOURCE $(WARN) -Werror -Isrc $(XML_CFLAGS)' \
	    sh tests/run.sh $(BUILD)

$(BUILD)/parkreport: $(OBJ) $(BUILD)/main.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(XML_CFLAGS) -c -o $@ $<

$(BUILD)/schema_xsd.c: schema/parkreport.xsd scripts/embed.sh | $(BUILD)
	sh scripts/embed.sh parkreport_xsd $< > $@.tmp && mv $@.tmp $@

$(BUILD)/schema_xsd.o: $(BUILD)/schema_xsd.c
	$(CC) -std=c11 -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(OBJ) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(XML_CFLAGS) -DTEST_SOURCE_DIR='"$(CURDIR)"' -o $@ $< $(OBJ) $(LIBS) -lcmocka

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

clean:
	rm -rf $(BUILD) out

-include $(wildcard $(BUILD)/*.d $(BUILD)/tests/*.d)
