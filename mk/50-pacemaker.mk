# Real Pacemaker (issue 6): rivalguard against Debian's Pacemaker 2.1.5
# daemons, each scenario on a private corosync + Pacemaker in its own
# namespaces (scripts/pacemaker-ns.sh, tests/pacemaker/), and the
# `rivalguard` admin command (src/bin/rivalguard, cargo feature `cli`).
# Needs root. See docs/PACEMAKER.md and docs/CLI.md.

APT_PACKAGES += pacemaker pacemaker-cli-utils corosync util-linux iproute2

CHECK_STEPS += check-cli check-pacemaker

CLI_BIN := target/release/rivalguard

.PHONY: cli check-cli check-pacemaker pacemaker-probe

# The admin command (its own binary: the static library's link line is unchanged).
cli:
	$(CARGO) build --release --features cli --bin rivalguard
	@echo "cli: $(CLI_BIN)"

# The CLI's own unit tests, then its help, usage errors and ordinary
# failures (no corosync, not root) against a private corosync.
check-cli:
	$(CARGO) test --features cli --bin rivalguard
	$(CARGO) test --features cli --test pacemaker -- cli_errors

# The five scenarios against real Pacemaker (and the CLI's probe and watch
# in them); each scenario prints its timing and what Pacemaker did.
# `make check` runs its steps one at a time, so nothing else touches the
# host meanwhile: any change under /run, /dev/shm or Pacemaker's host
# directories during a scenario fails it (RIVALGUARD_HOST_STRICT).
check-pacemaker:
	RIVALGUARD_HOST_STRICT=1 $(CARGO) test --features cli --test pacemaker -- scenario

# `rivalguard probe --pacemaker` against a freshly started real Pacemaker
# (the output shown in docs/CLI.md).
pacemaker-probe: cli
	@dir=$$(mktemp -d /tmp/rivalguard-pacemaker.XXXXXX); \
	trap 'scripts/pacemaker-ns.sh down "$$dir" >/dev/null; rm -rf "$$dir"' EXIT; \
	scripts/pacemaker-ns.sh up "$$dir" >/dev/null; \
	scripts/pacemaker-ns.sh pacemaker "$$dir"; \
	scripts/pacemaker-ns.sh ready "$$dir" 40; \
	echo '$$ rivalguard probe --pacemaker'; \
	scripts/pacemaker-ns.sh enter "$$dir" $(CURDIR)/$(CLI_BIN) probe --pacemaker
