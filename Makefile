# Short commands for people. CMake presets do the real work (see CMakePresets.json).
PRESET ?= dev
JOBS ?= 2
BUILD_DIR := build/$(PRESET)
CONFIG ?=

.PHONY: setup configure build run test tsan package-test bench format docs clean

setup:
	@bash scripts/setup.sh

configure: setup
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	$(BUILD_DIR)/tributary run $(if $(CONFIG),-c $(CONFIG),)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)
	@$(MAKE) --no-print-directory tsan

# The unit, collector queue and integration tests under ThreadSanitizer (part of `make
# test`): the disk queue's writer, sync thread and readers, the batcher and the sink runner
# share state, and the integration tests run a TSan-built collector, whose HTTP answers
# leave from the queue's writer thread (a report in its log fails the test that stops it).
# LogFormat's tests are left out: one thread, and a hundred times slower under TSan.
tsan: setup
	@test -f build/tsan/build.ninja || cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j$(JOBS)
	@ctest --preset tsan -j$(JOBS)

bench: setup
	@$(MAKE) --no-print-directory build PRESET=release
	@build/release/micro_bench
	@python3 bench/e2e/run.py --binary build/release/tributary --repeat 3
	@python3 bench/e2e/delivery.py --binary build/release/tributary
	@python3 bench/e2e/kafka.py --binary build/release/tributary

docs: build
	@python3 scripts/update_config_reference.py $(BUILD_DIR)/tributary README.md

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf build
