# The README's two commands. Everything else is CMake (see docs/building.md).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: demo test build deps clean

deps:
	@bash scripts/install-deps.sh

# Unity batches for the layer libraries: a clean build of the tuna program in half the time
# (docs/building.md, "Unity builds"); CMAKE_FLAGS=-DTUNA_UNITY_BUILD=OFF for one file at a time.
UNITY = -DTUNA_UNITY_BUILD=ON

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(UNITY) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Tunes an example kernel on the best device present, with progress and the result. It builds
# only the tuna program (the bench worker is the same program), not the tests and benchmarks
# (bench/results/build.md: 176 s of a 505 s clean build on the 2-core development machine).
demo: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target tuna
	@bash scripts/demo.sh $(BUILD_DIR)

# Builds and runs the whole test suite (GPU tests skip without a GPU), then the Python package's:
# its wheel built, installed in a fresh virtual environment and tested with pytest. The triton
# backend's compile tests use Triton from a virtual environment of its own (no GPU needed).
TRITON_PYTHON = $(abspath $(BUILD_DIR))/triton-venv/bin/python
test: build
	bash scripts/triton-venv.sh $(BUILD_DIR)/triton-venv
	cd $(BUILD_DIR) && TUNA_TEST_TRITON_PYTHON=$(TRITON_PYTHON) \
	  ctest --output-on-failure -j $(JOBS) --timeout 600
	TUNA_TEST_TRITON_PYTHON=$(TRITON_PYTHON) bash scripts/test-python.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)

# ---- Sanitizers and fuzzing (docs/building.md, "Sanitizers" and "Fuzzing") ---------------------
SANITIZE_DIR ?= build-sanitize
SANITIZE_CTEST_FLAGS ?=
# -O1, as the sanitizers' documentation advises: shorter compiles, reports still readable.
SANITIZE_OPT ?= -O1 -DNDEBUG
FUZZ_DIR ?= build-fuzz
# A smoke run: long enough to exercise every target's seeds and mutations, short enough for CI
# (docs/building.md, "Fuzzing" says how to fuzz for longer).
FUZZ_SECONDS ?= 20
SANITIZER_LOGS = $(abspath $(SANITIZE_DIR))/sanitizer-logs
# Every process writes its sanitizer reports to SANITIZER_LOGS (log_path), the tuna children
# included, whose output tuna shortens to one line; the target fails when any report is there.
# Kernels that crash on purpose must die by their own signal, as they do without sanitizers (the
# fault tests expect SIGSEGV, SIGFPE, ...), so the sanitizers leave those signals alone.
# intercept_tls_get_addr=0: GCC 12's runtime takes some dynamic TLS blocks for glibc 2.19's, reads
# past them, and LeakSanitizer's tracer then dies at exit ("Tracer caught signal 11") after a test
# has passed: seen in NVRTC's tests (docs/building.md, "LeakSanitizer's tracer").
SANITIZER_COMMON = log_path=$(SANITIZER_LOGS)/report:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0:intercept_tls_get_addr=0
# The LLM panel's replay test replays every 10th recorded run under the sanitizers (all of them
# run in `make test`): tests/integration/test_llm_panel_replay.cpp says why.
SANITIZE_ENV = TUNA_TEST_PANEL_REPLAY_STRIDE=10 ASAN_OPTIONS=$(SANITIZER_COMMON):detect_leaks=1:check_initialization_order=1 \
  UBSAN_OPTIONS=$(SANITIZER_COMMON):print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0 \
  OMPI_MCA_mca_base_component_disable_dlclose=1

.PHONY: test-sanitize fuzz-smoke

# Tests whose processes load OpenMPI or PoCL, which keep memory until exit on purpose: they run
# in a second pass with full stack unwinding, so that tests/sanitizers/lsan.supp can name the
# library function that kept it (fast unwinding loses those frames; it is too slow for the rest).
SANITIZE_FULL_UNWIND_TESTS ?= OpenCl|Cluster|MpiSession|CrossBackend

# The whole test suite built with AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer.
test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(UNITY) \
	  -DTUNA_SANITIZE=address,undefined -DTUNA_BUILD_BENCH=OFF -DTUNA_SHARED_LAYERS=ON \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$(SANITIZE_OPT)" $(CMAKE_FLAGS)
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	rm -rf $(SANITIZER_LOGS) && mkdir -p $(SANITIZER_LOGS)
	cd $(SANITIZE_DIR) || exit 1; status=0; \
	$(SANITIZE_ENV) ctest --output-on-failure -j $(JOBS) --timeout 1200 \
	  -E '$(SANITIZE_FULL_UNWIND_TESTS)' $(SANITIZE_CTEST_FLAGS) || status=1; \
	$(SANITIZE_ENV) ASAN_OPTIONS=$(SANITIZER_COMMON):detect_leaks=1:fast_unwind_on_malloc=0 \
	  ctest --output-on-failure -j 1 --timeout 1200 \
	  -R '$(SANITIZE_FULL_UNWIND_TESTS)' $(SANITIZE_CTEST_FLAGS) || status=1; \
	if ls $(SANITIZER_LOGS)/report.* >/dev/null 2>&1; then \
	  echo "test-sanitize: sanitizer reports in $(SANITIZER_LOGS):"; head -n 60 $(SANITIZER_LOGS)/report.*; \
	  status=1; fi; exit $$status

# Each libFuzzer target for FUZZ_SECONDS from its seeds; skipped (with a line saying so) without clang.
fuzz-smoke: deps
	@if ! command -v clang++ >/dev/null 2>&1; then \
	  echo "fuzz-smoke: SKIPPED: clang++ not found (the libFuzzer targets need clang)"; exit 0; fi; \
	set -e; \
	cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DTUNA_BUILD_FUZZ=ON \
	  -DTUNA_SANITIZE=address,undefined -DTUNA_BUILD_TESTS=OFF -DTUNA_BUILD_BENCH=OFF \
	  -DTUNA_WITH_CUDA=OFF -DTUNA_WITH_OPENCL=OFF -DTUNA_WITH_MPI=OFF $(CMAKE_FLAGS); \
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_expr fuzz_spec fuzz_llm_configs; \
	bash tests/fuzz/smoke.sh $(FUZZ_DIR) $(FUZZ_SECONDS)
