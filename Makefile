# rivalguard — build, header, tests, demo.
#
#   make            build target/release/librivalguard.a and check the header
#   make check      install what is missing, then run every test (README's test command)
#   make demo       the main job: the demo on a private corosync
#   make bench      benchmarks, rewrites docs/BENCHMARKS.md
#   make install    install the header and the static library under PREFIX
#
# Each area of the project adds its steps in mk/NN-area.mk: APT_PACKAGES
# (installed by `make deps`) and CHECK_STEPS (run in order by `make check`).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := all

CARGO ?= cargo
CC ?= cc
CXX ?= c++
PREFIX ?= /usr/local
CBINDGEN_VERSION := 0.29.4
CBINDGEN ?= $(HOME)/.cargo/bin/cbindgen
export PATH := $(HOME)/.cargo/bin:$(PATH)

LIB := target/release/librivalguard.a
HEADER := include/rivalguard.h
# What a C program linking the .a needs besides it: asserted by a test
# against `rustc --print native-static-libs`, and written in the README.
NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
BUILD := build

APT_PACKAGES := build-essential pkg-config libcpg-dev libcorosync-common-dev libqb-dev \
                libclang-dev clang valgrind
CHECK_STEPS :=
BENCH_STEPS :=

include $(sort $(wildcard mk/*.mk))

.PHONY: all lib header deps check bench demo install clean

all: lib header-verify

lib: $(LIB)

$(LIB): Cargo.toml Cargo.lock build.rs $(shell find src -name '*.rs')
	$(CARGO) build --release --lib

header:
	$(CBINDGEN) --config cbindgen.toml --crate rivalguard --output $(HEADER)

header-verify:
	@if ! $(CBINDGEN) --config cbindgen.toml --crate rivalguard --output $(HEADER) --verify >/dev/null; then \
	  echo "$(HEADER) differs from what cbindgen $(CBINDGEN_VERSION) generates from src/: run 'make header' and commit it" >&2; exit 1; fi
	@echo "header: $(HEADER) matches src/"

deps:
	APT_PACKAGES="$(sort $(APT_PACKAGES))" CBINDGEN_VERSION=$(CBINDGEN_VERSION) scripts/install-deps.sh

check: deps
	@for step in $(CHECK_STEPS); do \
	  echo "=== make $$step"; \
	  $(MAKE) --no-print-directory $$step || { echo "=== FAILED: $$step" >&2; exit 1; }; \
	done
	@echo "=== make check: all $(words $(CHECK_STEPS)) steps passed"

bench: deps
	@for step in $(BENCH_STEPS); do $(MAKE) --no-print-directory $$step; done

install: lib
	install -D -m 0644 $(HEADER) $(DESTDIR)$(PREFIX)/include/rivalguard.h
	install -D -m 0644 $(LIB) $(DESTDIR)$(PREFIX)/lib/librivalguard.a

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
