# SPDX-License-Identifier: GPL-2.0
# unmapbench: top-level entry points. `make help` lists them.

SHELL := /bin/bash
KDIR ?= /lib/modules/$(shell uname -r)/build
UB_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/unmapbench
export UB_CACHE
PROFILE ?= default
# KERNEL=pre-patch: the testbed kernel with testbed/patches/pre-pfn-unmap.patch
ifneq ($(KERNEL),)
export UB_FLAVOUR := $(KERNEL)
endif

all: kmod harness ## build the module (for KDIR) and the harness

help: ## list the targets
	@echo "unmapbench targets (variables: KDIR=, KSRC=, KERNEL=, PROFILE=, RUNS=, CODEGEN=0, UB_CACHE=, A= B=; README.md: Environment):"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		sed -E 's/^([a-z-]+):.*## (.*)/  \1|\2/' | column -t -s '|'

kmod: ## build unmap_bench.ko against KDIR (default: the running kernel)
	$(MAKE) -C kmod KDIR=$(KDIR)

harness: ## build the userspace harness (unmapbench)
	$(MAKE) -C harness

tests-bin: ## build the test programs that run inside the testbed guest
	$(MAKE) -C tests

deps: ## install the Debian packages the suite needs (as root)
	.ci/deps.sh

test: ## run every test: host unit tests, the QEMU testbed suite and the debug-kernel suite
	tests/run

bench: ## build, load, run PROFILE (default) on this host, report; RUNS=N runs per configuration
	RUNS=$(RUNS) bench/bench.sh $(PROFILE)

testbed: ## fetch and build the testbed kernel (cached in UB_CACHE)
	testbed/build-kernel.sh

# Everything a guest needs: the kernel, the module built against it into
# the cache (so the tree's own build for the host kernel is untouched), the
# static harness and the guest test programs.
# KDIR= on the command line: your own built kernel tree (configured with
# testbed/kernel.config merged) instead of the cached testbed kernel;
# run-vm.sh boots the same tree (command-line variables are exported).
vm-prep: ## build what the testbed guest needs (KDIR=: your own built kernel tree)
	@kdir=$(if $(filter command line,$(origin KDIR)),$(KDIR),$$(testbed/build-kernel.sh)) && \
	 testbed/build-module.sh $$kdir >/dev/null && \
	 $(MAKE) -C harness static && $(MAKE) -C tests

vm-bench: vm-prep ## run PROFILE (default) in the QEMU testbed, report; RUNS=N runs per configuration
	RUNS=$(RUNS) testbed/vm-bench.sh $(PROFILE)

# Guest teardown at scale in a larger testbed (UB_SCALE_MEM MiB per node,
# default 5120): single guests up to 8 GiB and 64 at once, prefault and
# touch, the harness's peak RSS. Recorded, not asserted; about 10 min on 2 cores under TCG.
vm-bench-scale: vm-prep ## teardown at scale in the testbed (>= 10 GiB), results into results/
	testbed/vm-bench-scale.sh

# The instrument's own test on this CPU (no module needed): the userspace
# build of the module's timing engine times the ground-truth ops with both
# timers; plot/instrument.py reports linearity, resolution and precision
# against the map_benchmark-style baseline. Recorded, not asserted.
# In the testbed: make vm-bench PROFILE=instrument.
bench-layout: harness ## do the native verdicts survive -O2, -Os and 64-byte alignment? (recorded)
	RUNS=$(or $(RUNS),5) bench/layout.sh

bench-instrument: harness ## validate the timer natively (results/, instrument.txt)
	@set -o pipefail; d=$$(harness/unmapbench instrument --where native \
		--repeat $(or $(REPEAT),10) $(INSTRUMENT_ARGS)) && \
	 python3 plot/instrument.py "$$d" && \
	 python3 plot/report.py --no-plots "$$d" >/dev/null && \
	 echo "run directory: $$d"

# The machine code of the unmap tail before and after the PFN patch
# (issue 13), from a kernel source tree: KSRC= (or KDIR= given on the
# command line); default: the testbed's fetched tree. Run directory in
# results/ with codegen.txt and codegen.json.
codegen: ## unmap tail machine code before/after the patch (KSRC=tree)
	testbed/codegen.sh $(or $(KSRC),$(if $(filter command line,$(origin KDIR)),$(KDIR)))

compare: ## compare two run directories: make compare A=dir B=dir
	@[ -n "$(A)" ] && [ -n "$(B)" ] || { echo "usage: make compare A=RUNDIR B=RUNDIR" >&2; exit 2; }
	python3 plot/compare.py $(A) $(B)

clean: ## remove build products (not results/ and not the cache)
	-$(MAKE) -C kmod clean KDIR=$(KDIR) 2>/dev/null
	$(MAKE) -C harness clean
	$(MAKE) -C tests clean

.PHONY: all help kmod harness tests-bin deps test bench testbed vm-prep \
	vm-bench vm-bench-scale bench-instrument bench-layout codegen compare clean

stress: ## the debug-flavour reliability suite at full fuzz count (slow)
	UB_FLAVOUR=debug $(MAKE) vm-prep
	UB_FLAVOUR=debug UB_APPEND="ub.fuzz=$(or $(FUZZ),200000)" \
		UB_VM_TIMEOUT=$(or $(STRESS_TIMEOUT),7200) tests/run --suite debug --keep
.PHONY: stress
