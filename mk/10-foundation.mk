# Foundation (issue 2): lint, header drift, the Rust tests, Miri, the C
# tests (plain, ASan+UBSan, valgrind, C++), the .so link test, and the
# native link flags.

FOUNDATION_RUST_TESTS := --lib --test tracker_rules --test tracker_props --test ffi --test allocations
C_STD_FLAGS := -std=c99 -Wall -Wextra -Wpedantic -Werror -g -Iinclude -Ic-tests
PANIC_LIB := target/testing-panic/release/librivalguard.a
MIRI_CASES ?= 8

CHECK_STEPS += check-lint check-header check-no-libclang check-native-libs check-rust \
               check-c check-c-sanitizers check-c-valgrind check-link check-miri

.PHONY: check-lint check-header check-no-libclang check-native-libs check-rust check-c \
        check-c-sanitizers check-c-valgrind check-link check-miri c-tests

check-lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --all-features -- -D warnings

check-header: header-verify

# Pacemaker's build runs a plain `cargo build`: it must not pull bindgen
# (and so libclang) in.
check-no-libclang:
	@if $(CARGO) tree -e normal,build --prefix none | grep -q '^bindgen '; then \
	  echo "a plain build depends on bindgen" >&2; exit 1; fi
	@echo "no-libclang: a plain build does not depend on bindgen"

# The link line written in the README must stay what rustc says.
check-native-libs:
	@actual=$$($(CARGO) rustc --release --lib --crate-type staticlib -- --print native-static-libs 2>&1 \
	  | sed -n 's/.*native-static-libs: //p' | head -n 1); \
	if [ "$$actual" != "$(NATIVE_LIBS)" ]; then \
	  echo "native-static-libs: rustc says '$$actual', Makefile/README say '$(NATIVE_LIBS)'" >&2; exit 1; fi; \
	echo "native-static-libs: $$actual"

check-rust:
	$(CARGO) test --features cpg-bindings $(FOUNDATION_RUST_TESTS) --test cpg_layout

$(BUILD)/api_test: c-tests/api_test.c c-tests/check.h $(HEADER) $(LIB)
	@mkdir -p $(BUILD)
	$(CC) $(C_STD_FLAGS) -o $@ $< $(LIB) $(NATIVE_LIBS)

$(BUILD)/api_test_asan: c-tests/api_test.c c-tests/check.h $(HEADER) $(LIB)
	@mkdir -p $(BUILD)
	$(CC) $(C_STD_FLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	  -o $@ $< $(LIB) $(NATIVE_LIBS)

$(PANIC_LIB): Cargo.toml $(shell find src -name '*.rs')
	$(CARGO) build --release --lib --features testing-panic --target-dir target/testing-panic

$(BUILD)/panic_test: c-tests/panic_test.c c-tests/check.h $(HEADER) $(PANIC_LIB)
	@mkdir -p $(BUILD)
	$(CC) $(C_STD_FLAGS) -o $@ $< $(PANIC_LIB) $(NATIVE_LIBS)

$(BUILD)/header_cxx: c-tests/header_cxx.cpp $(HEADER) $(LIB)
	@mkdir -p $(BUILD)
	$(CXX) -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude -o $@ $< $(LIB) $(NATIVE_LIBS)

c-tests: $(BUILD)/api_test $(BUILD)/api_test_asan $(BUILD)/panic_test $(BUILD)/header_cxx

check-c: $(BUILD)/api_test $(BUILD)/panic_test $(BUILD)/header_cxx
	$(BUILD)/api_test
	$(BUILD)/panic_test 2>$(BUILD)/panic_test.stderr
	@if [ -s $(BUILD)/panic_test.stderr ]; then echo "the library wrote to stderr:" >&2; cat $(BUILD)/panic_test.stderr >&2; exit 1; fi
	$(BUILD)/header_cxx

check-c-sanitizers: $(BUILD)/api_test_asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(BUILD)/api_test_asan

VALGRIND := valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
            --show-leak-kinds=definite,indirect,possible -q

check-c-valgrind: $(BUILD)/api_test $(BUILD)/panic_test
	$(VALGRIND) $(BUILD)/api_test
	$(VALGRIND) $(BUILD)/panic_test

# What Pacemaker's build does: the .a inside a C shared library whose
# version script exports our API only; a C program then uses that .so.
API_FUNCTIONS = $(shell scripts/header-functions.sh $(HEADER))

$(BUILD)/librivalguard_link.so: $(LIB) c-tests/link/exports.map $(HEADER)
	@mkdir -p $(BUILD)
	$(CC) -shared -o $@ $(addprefix -Wl$(comma)--undefined=,$(API_FUNCTIONS)) \
	  $(LIB) -Wl,--version-script=c-tests/link/exports.map $(NATIVE_LIBS)

comma := ,

$(BUILD)/api_test_so: c-tests/api_test.c c-tests/check.h $(BUILD)/librivalguard_link.so
	$(CC) $(C_STD_FLAGS) -o $@ $< -L$(BUILD) -lrivalguard_link -Wl,-rpath,$(abspath $(BUILD))

check-link: $(BUILD)/api_test_so
	@exported=$$(nm -D --defined-only $(BUILD)/librivalguard_link.so | awk '{print $$3}' | sort -u); \
	foreign=$$(echo "$$exported" | grep -v '^rivalguard_' || true); \
	if [ -n "$$foreign" ]; then echo "the .so exports non-rivalguard symbols:" >&2; echo "$$foreign" | head >&2; exit 1; fi; \
	if [ "$$exported" != "$$(echo '$(API_FUNCTIONS)' | tr ' ' '\n')" ]; then \
	  echo "exported: $$exported"; echo "header: $(API_FUNCTIONS)"; exit 1; fi; \
	echo "link: the .so exports exactly the $$(echo "$$exported" | wc -l) header functions"
	$(BUILD)/api_test_so

# Miri: the pure and FFI tests (few property cases; proptest needs the
# file system, hence isolation off). Tests that make syscalls are skipped
# under Miri by their own cfg(miri).
check-miri:
	PROPTEST_CASES=$(MIRI_CASES) MIRIFLAGS="-Zmiri-disable-isolation" \
	  $(CARGO) +nightly miri test $(FOUNDATION_RUST_TESTS)
