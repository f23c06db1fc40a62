# Area: real cluster proof (issue 4). A private corosync cluster in
# namespaces (scripts/cluster.sh), a Pacemaker-style daemon and its helpers
# in C (c-tests/cluster/), scenario tests and the soak (tests/cluster/), and
# the demo (scripts/demo.sh).
#
#   make cluster-build   the C programs under build/cluster/
#   make check-cluster   the scenarios + a short soak (part of `make check`)
#   make soak            the full soak; rewrites docs/SOAK.md
#   make demo            the README's main-job command

APT_PACKAGES += corosync libcpg-dev libqb-dev iproute2 util-linux procps python3 shellcheck
CHECK_STEPS += check-cluster

CLUSTER_BIN := $(BUILD)/cluster
CLUSTER_CFLAGS := -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -g
# Where rivalguard.h is looked for (the committed header by default).
CLUSTER_INCLUDE ?= $(dir $(HEADER))
CLUSTER_PROGS := $(addprefix $(CLUSTER_BIN)/,rg-peerd rg-rival rg-squat rg-peerctl)
SOAK_CHANGES ?= 1200
CHECK_SOAK_CHANGES ?= 300

.PHONY: cluster-build check-cluster soak demo

cluster-build: $(CLUSTER_PROGS)

$(CLUSTER_BIN)/rg-peerd: c-tests/cluster/peerd.c $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CLUSTER_CFLAGS) -I$(CLUSTER_INCLUDE) -o $@ $< $(LIB) -lcpg -lqb $(NATIVE_LIBS)

$(CLUSTER_BIN)/rg-rival: c-tests/cluster/rival.c
	@mkdir -p $(@D)
	$(CC) $(CLUSTER_CFLAGS) -o $@ $< -lcpg

$(CLUSTER_BIN)/rg-squat: c-tests/cluster/squat.c
	@mkdir -p $(@D)
	$(CC) $(CLUSTER_CFLAGS) -o $@ $<

$(CLUSTER_BIN)/rg-peerctl: c-tests/cluster/peerctl.c
	@mkdir -p $(@D)
	$(CC) $(CLUSTER_CFLAGS) -o $@ $< -lqb

CLUSTER_SCRIPTS := scripts/cluster.sh scripts/demo.sh $(wildcard tests/cluster/*.sh)

check-cluster: cluster-build
	shellcheck -x -P SCRIPTDIR $(CLUSTER_SCRIPTS)
	CLUSTER_BIN=$(abspath $(CLUSTER_BIN)) tests/cluster/run.sh
	CLUSTER_BIN=$(abspath $(CLUSTER_BIN)) python3 tests/cluster/soak.py --changes $(CHECK_SOAK_CHANGES)

soak: deps cluster-build
	CLUSTER_BIN=$(abspath $(CLUSTER_BIN)) python3 tests/cluster/soak.py --changes $(SOAK_CHANGES) --report docs/SOAK.md

demo: deps cluster-build
	CLUSTER_BIN=$(abspath $(CLUSTER_BIN)) scripts/demo.sh
