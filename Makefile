# factopic: the two set-up commands are `make run` and `make test`; both install what they need.
.PHONY: all build run test test-unit test-asan bench deps clean

JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
CORPUS ?= data/20news-4cat.tar.gz
CATEGORIES ?= alt.atheism,talk.religion.misc,comp.graphics,sci.space

all: build

deps-%:
	@bash tools/install-deps.sh $*

$(BUILD)/build.ninja: CMakeLists.txt tests/CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps-build $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# The main job on the embedded corpus: the matrix, its exact full SVD with the proof (--check),
# the singular-value plot and the SVD topics, then `factopic topics`: the lecture's NMF topics
# (tf-idf, k = 6) with their coherence, sizes and labels.
run: build
	./$(BUILD)/factopic vectorize $(CORPUS) --subset train --categories $(CATEGORIES) \
	    --remove headers,footers,quotes --top-terms 10
	./$(BUILD)/factopic svd $(CORPUS) --subset train --categories $(CATEGORIES) \
	    --remove headers,footers,quotes --full --check --plot $(BUILD)/singular-values.svg --topics 10
	./$(BUILD)/factopic topics $(CORPUS) --subset train --categories $(CATEGORIES) \
	    --remove headers,footers,quotes -k 6 --top 8

$(ASAN_BUILD)/build.ninja: CMakeLists.txt tests/CMakeLists.txt
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFACTOPIC_SANITIZE=ON

# Every test: unit (GoogleTest), oracle (scikit-learn), CLI, then the unit tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
test: deps-test build $(ASAN_BUILD)/build.ninja
	cd $(BUILD) && ctest --output-on-failure -j 2
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target factopic_unit_tests
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    ctest --output-on-failure -L unit -j 2

bench: deps-bench build
	/usr/bin/python3 bench/bench.py --factopic $(BUILD)/factopic --data data/20news-bydate.tar.gz \
	    --json-out bench/results.json

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
