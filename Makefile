# The two commands a newcomer needs:
#   make demo   install what is missing, build, run every role in one process
#   make test   install what is missing, build, pass every test
# Everything else is for developers (see DEVELOPERS.md).

BUILD_DIR   ?= build/release
ASAN_DIR    ?= build/asan
FUZZ_DIR    ?= build/fuzz
WERROR      ?= OFF
JOBS        ?= $(shell nproc)
FUZZ_SECONDS ?= 30
CTEST_ARGS  ?=

CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBACKLINE_WERROR=$(WERROR)

.PHONY: all deps build demo test unit asan fuzz bench format clean

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) > /dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	$(BUILD_DIR)/apps/backline demo

test: build
	cd $(BUILD_DIR) && ctest -j $(JOBS) --output-on-failure $(CTEST_ARGS)

# The unit and integration tests again under AddressSanitizer and UBSan.
asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBACKLINE_SANITIZE=ON \
	  -DBACKLINE_BENCH=OFF -DBACKLINE_WERROR=$(WERROR) > /dev/null
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest -j $(JOBS) -L 'unit|integration' --output-on-failure

# Every libFuzzer target for FUZZ_SECONDS each, from its seed corpus.
fuzz: deps
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DBACKLINE_FUZZ=ON -DBACKLINE_BENCH=OFF > /dev/null
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzzers
	scripts/run-fuzzers $(FUZZ_DIR) $(FUZZ_SECONDS)

bench: build
	scripts/bench $(BUILD_DIR)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build
