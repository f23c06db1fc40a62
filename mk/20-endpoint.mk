# Area: the libqb IPC endpoint pre-check (issue 3). A libqb test server in
# C (c-tests/endpoint_server.c), Rust integration tests against it and
# against a private corosync (tests/endpoint*.rs), a C test through the
# header with a real qb_ipcc_connect() connection, and the benchmark.
#
#   make endpoint-build   the C programs under build/
#   make check-endpoint   all endpoint tests + a bench smoke (part of `make check`; needs root)
#   make bench-endpoint   the benchmark; rewrites the "Endpoint probe" section of docs/BENCHMARKS.md
#
# The default filesystem-socket directory comes from the installed libqb,
# read by build.rs; override with RIVALGUARD_LIBQB_SOCKET_DIR at build time.

APT_PACKAGES += libqb-dev corosync util-linux iproute2 pkg-config
CHECK_STEPS += check-endpoint
BENCH_STEPS += bench-endpoint

ENDPOINT_CFLAGS := -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -g
ENDPOINT_QB_CFLAGS = $(shell pkg-config --cflags libqb)
ENDPOINT_QB_LIBS = $(shell pkg-config --libs libqb)
ENDPOINT_SERVER := $(BUILD)/endpoint_server
ENDPOINT_BENCH_ITERATIONS ?= 5000

.PHONY: endpoint-build check-endpoint bench-endpoint

endpoint-build: $(ENDPOINT_SERVER) $(BUILD)/endpoint_test $(BUILD)/endpoint_bench

$(ENDPOINT_SERVER): c-tests/endpoint_server.c
	@mkdir -p $(@D)
	$(CC) $(ENDPOINT_CFLAGS) $(ENDPOINT_QB_CFLAGS) -o $@ $< $(ENDPOINT_QB_LIBS)

$(BUILD)/endpoint_test $(BUILD)/endpoint_bench: $(BUILD)/%: c-tests/%.c c-tests/endpoint_harness.h c-tests/check.h $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ENDPOINT_CFLAGS) $(ENDPOINT_QB_CFLAGS) -I$(dir $(HEADER)) -o $@ $< $(LIB) $(ENDPOINT_QB_LIBS) $(NATIVE_LIBS)

check-endpoint: endpoint-build
	$(CARGO) test --lib -- endpoint::
	RIVALGUARD_ENDPOINT_SERVER=$(abspath $(ENDPOINT_SERVER)) $(CARGO) test --test endpoint --test endpoint_corosync
	$(BUILD)/endpoint_test $(ENDPOINT_SERVER)
	$(BUILD)/endpoint_bench $(ENDPOINT_SERVER) 100 $(BUILD)/endpoint_bench_smoke.md

bench-endpoint: endpoint-build
	scripts/bench-endpoint.sh $(BUILD)/endpoint_bench $(ENDPOINT_SERVER) $(ENDPOINT_BENCH_ITERATIONS) docs/BENCHMARKS.md
