# Area: benchmarks of the tracker against Pacemaker's own C algorithm
# (issue 5). One C driver (bench/tracker_bench.c) calls, on identical
# inputs in one run, Pacemaker's leave rule as its confchg callback runs it
# (bench/pcmk_rule.c, our own code), rivalguard_classify_leaves() and
# rivalguard_tracker_confchg() + its events, through the C ABI.
#
#   make bench-tracker-build   build/tracker_bench (-O2, against the release .a)
#   make check-bench-smoke     part of `make check`: builds it, runs a few iterations
#                              (correctness and 0 steady-state allocations are
#                              asserted; no timing assertion)
#   make bench-tracker         part of `make bench`: the figures + callgrind counts;
#                              rewrites the tracker section of docs/BENCHMARKS.md

APT_PACKAGES += build-essential libcpg-dev valgrind util-linux
CHECK_STEPS += check-bench-smoke
BENCH_STEPS += bench-tracker

BENCH_TRACKER_CFLAGS := -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -g -I$(dir $(HEADER)) -Ibench
BENCH_TRACKER_SOURCES := bench/tracker_bench.c bench/pcmk_rule.c bench/alloc_count.c
BENCH_TRACKER_HEADERS := bench/pcmk_rule.h bench/alloc_count.h $(HEADER)
BENCH_TRACKER := $(BUILD)/tracker_bench
# The same library built with fat LTO and one codegen unit, for a
# comparison only (callgrind counts): the shipped profile is unchanged.
BENCH_LTO_DIR := target/bench-lto
BENCH_LTO_LIB := $(BENCH_LTO_DIR)/release/librivalguard.a
BENCH_TRACKER_LTO := $(BUILD)/tracker_bench_lto
BENCH_DOC := docs/BENCHMARKS.md

.PHONY: bench-tracker-build check-bench-smoke bench-tracker

bench-tracker-build: $(BENCH_TRACKER)

$(BENCH_TRACKER): $(BENCH_TRACKER_SOURCES) $(BENCH_TRACKER_HEADERS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_TRACKER_CFLAGS) -o $@ $(BENCH_TRACKER_SOURCES) $(LIB) $(NATIVE_LIBS)

$(BENCH_LTO_LIB): Cargo.toml Cargo.lock $(shell find src -name '*.rs')
	CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
	  $(CARGO) build --release --lib --target-dir $(BENCH_LTO_DIR)

$(BENCH_TRACKER_LTO): $(BENCH_TRACKER_SOURCES) $(BENCH_TRACKER_HEADERS) $(BENCH_LTO_LIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_TRACKER_CFLAGS) -o $@ $(BENCH_TRACKER_SOURCES) $(BENCH_LTO_LIB) $(NATIVE_LIBS)

check-bench-smoke: $(BENCH_TRACKER)
	$(BENCH_TRACKER) --smoke --out $(BUILD)/tracker_bench_smoke.md

bench-tracker: $(BENCH_TRACKER) $(BENCH_TRACKER_LTO)
	bench/bench-tracker.sh $(BENCH_TRACKER) $(BENCH_TRACKER_LTO) $(BENCH_DOC)
