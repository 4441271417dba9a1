# factopic: the two set-up commands are `make run` and `make test`; both install what they need.
.PHONY: all build run test test-unit test-asan fuzz bench deps clean

JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
CORPUS ?= data/20news-4cat.tar.gz
CATEGORIES ?= alt.atheism,talk.religion.misc,comp.graphics,sci.space
# The sanitizer build is clang's: libFuzzer needs clang, and one build then serves the fuzz
# targets, the ASan+UBSan CLI and the unit tests.
SAN_CC ?= clang-14
SAN_CXX ?= clang++-14
# make fuzz: seconds per target; FUZZ_TARGETS empty means all (archive folder lines jsonl text mtx npy model).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
# ccache when the machine has it; nothing requires it.
# Sanitizer stack traces name file:line through llvm-symbolizer (Debian's llvm-14 has it off PATH).
SYMBOLIZER := $(firstword $(shell command -v llvm-symbolizer 2>/dev/null) $(wildcard /usr/lib/llvm-14/bin/llvm-symbolizer))
SAN_ENV := $(if $(SYMBOLIZER),ASAN_SYMBOLIZER_PATH=$(SYMBOLIZER) UBSAN_SYMBOLIZER_PATH=$(SYMBOLIZER))
LAUNCHER := $(if $(shell command -v ccache 2>/dev/null),-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# WERROR=1 (what .ci/run passes): the release build treats warnings as errors, so CI checks the
# warnings without building the dev preset as well. Without it the build directory is set back
# to warnings that do not stop the build.
WERROR ?= 0
WERROR_CMAKE := $(if $(filter 1 ON on yes,$(WERROR)),ON,OFF)

all: build

deps-%:
	@bash tools/install-deps.sh $*

$(BUILD)/build.ninja: CMakeLists.txt tests/CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DFACTOPIC_WERROR=$(WERROR_CMAKE) $(LAUNCHER)

build: deps-build $(BUILD)/build.ninja
	@grep -qx 'FACTOPIC_WERROR:BOOL=$(WERROR_CMAKE)' $(BUILD)/CMakeCache.txt || \
	    cmake -S . -B $(BUILD) -DFACTOPIC_WERROR=$(WERROR_CMAKE)
	cmake --build $(BUILD) -j $(JOBS)

# The main job on the embedded corpus: the matrix, its exact full SVD with the proof (--check),
# the singular-value plot and the SVD topics, then `factopic topics`: the lecture's NMF topics
# (tf-idf, k = 6) with their coherence, sizes and labels.
run: build
	./$(BUILD)/factopic vectorize $(CORPUS) --subset train --categories $(CATEGORIES) \
	    --remove headers,footers,quotes --weighting count --top-terms 10
	./$(BUILD)/factopic svd $(CORPUS) --subset train --categories $(CATEGORIES) \
	    --remove headers,footers,quotes --weighting count --full --check --plot $(BUILD)/singular-values.svg --topics 10
	./$(BUILD)/factopic topics $(CORPUS) --subset train --categories $(CATEGORIES) \
	    --remove headers,footers,quotes -k 6 --top 8

# A build-asan configured by an older Makefile with gcc is configured again with clang.
$(ASAN_BUILD)/build.ninja: CMakeLists.txt tests/CMakeLists.txt tests/fuzz/CMakeLists.txt
	@if [ -f $(ASAN_BUILD)/CMakeCache.txt ] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang' $(ASAN_BUILD)/CMakeCache.txt; \
	    then echo "$(ASAN_BUILD) was configured with another compiler: starting it again with $(SAN_CXX)"; rm -rf $(ASAN_BUILD); fi
	CC=$(SAN_CC) CXX=$(SAN_CXX) cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DFACTOPIC_SANITIZE=ON -DFACTOPIC_FUZZ=ON $(LAUNCHER)

# Every test: unit (GoogleTest), oracle (scikit-learn), CLI and trust, then in the sanitizer build
# (AddressSanitizer + UndefinedBehaviorSanitizer): the unit tests, the CLI and trust scripts
# against the sanitized factopic, and each fuzz target on its seeds and saved findings plus a few
# seconds of fuzzing.
test: deps-test build $(ASAN_BUILD)/build.ninja
	cd $(BUILD) && ctest --output-on-failure -j 2
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && $(SAN_ENV) ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    ctest --output-on-failure -j 2

# The fuzz campaign: each target FUZZ_SECONDS from its seeds and the corpus grown by earlier runs
# (build-asan/fuzz-corpus); findings in build-asan/fuzz-findings; a summary table at the end.
fuzz: deps-test $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target fuzz
	$(SAN_ENV) /usr/bin/python3 tests/fuzz/fuzz.py --build $(ASAN_BUILD) --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: deps-bench build
	/usr/bin/python3 bench/bench.py --factopic $(BUILD)/factopic --data data/20news-bydate.tar.gz \
	    --json-out bench/results.json

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
