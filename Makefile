# SPDX-License-Identifier: GPL-2.0
#
# Top-level build of brig.
#
#   make qemu-x86_defconfig | bochs-x86_defconfig   pick a board (configs/)
#   make menuconfig | olddefconfig                  adjust the build options
#   make                  hypervisor image, brig.ko, brig tool, inmates and
#                         the board's compiled cell descriptions
#   make check            every test: unit, headers, boundary, format,
#                         symbols, QEMU, Bochs
#   make format-check     the C sources as clang-format-14 writes them
#   make format           rewrite the C sources with clang-format-14
#   make demo             the main job on an emulated board
#   make fresh-machine    the first run of make demo and of make check's fast
#                         phase on a fresh Debian 12 root (not part of check)
#   make soak             the stress-ng cpu class in the root with brig enabled,
#                         100 times on an emulated board (not part of check)
#   make fuzz             libFuzzer on the checker and the description
#                         compiler, 10 million runs each (not part of check)
#   make bench            latency bare metal vs in a cell, the root's cost,
#                         ivshmem, cell start, footprint: build/bench/
#   make linux-soak       the Linux cell scenario with 6.1 and 10 boot/destroy
#                         cycles, and a Linux cell on Bochs (not part of check)
#   make slow             fresh-machine, fuzz, soak, linux-soak, then bench
#   make deb              Debian packages brig and brig-dkms in build/deb/
#                         (make deb-deps installs debhelper and dh-dkms)
#
# The hypervisor, the inmates and the tools need no kernel tree. Only the
# driver does: KDIR defaults to the running kernel's headers, and the tests
# point it at the headers matching each test kernel.

SHELL := /bin/bash
SRCTREE := $(CURDIR)
BUILD := $(SRCTREE)/build
export SRCTREE BUILD

# Kconfig output lives in the build tree, away from the ABI in include/.
KCONFIG_CONFIG := $(SRCTREE)/.config
AUTOCONF_DIR := $(BUILD)/include
AUTOCONF_H := $(AUTOCONF_DIR)/generated/autoconf.h
AUTO_CONF := $(AUTOCONF_DIR)/config/auto.conf
export KCONFIG_CONFIG

KCONF_ENV := KCONFIG_CONFIG=$(KCONFIG_CONFIG) \
	KCONFIG_AUTOCONFIG=$(AUTO_CONF) \
	KCONFIG_AUTOHEADER=$(AUTOCONF_H)

DEFAULT_DEFCONFIG := qemu-x86_defconfig

# KDIR, the kernel headers brig.ko is built against: the running kernel's,
# else (a container, a foreign kernel) the newest Debian amd64 headers
# installed. Computed only where a recipe uses it, never while this file is
# parsed, and not exported: `make check` and `make demo` are parsed before
# `make deps` has installed any headers, and the sub-makes they run after
# deps must look for themselves, not inherit the empty answer. A KDIR given
# on the command line or in the environment is used as it is.
KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	if [ -f "$$d/Makefile" ]; then echo "$$d"; else \
	for d in /usr/src/linux-headers-*-amd64; do \
		[ -f "$$d/Makefile" ] && echo "$$d"; \
	done | sort -V | tail -n1; fi)

# Configuration targets must not read (or try to remake) the configuration.
# Nor do check and demo: they install the tools that reading it needs
# (kconfig-conf) first, then read it in their sub-makes.
CONFIG_GOALS := %config %_defconfig clean distclean help deps check demo \
	format format-check fresh-machine slow
ifeq ($(filter-out $(CONFIG_GOALS),$(MAKECMDGOALS))$(if $(MAKECMDGOALS),,x),)
else
-include $(AUTO_CONF)
endif
BOARD := $(patsubst "%",%,$(CONFIG_BOARD))
ARCH := $(patsubst "%",%,$(CONFIG_ARCH))

Q := $(if $(V),,@)

.PHONY: all hypervisor driver tools inmates configs deps \
	menuconfig olddefconfig %_defconfig syncconfig \
	check test-unit test-headers test-boundary test-symbols test-qemu \
	test-bochs test-programs format format-check \
	demo demo-run fresh-machine fuzz soak linux-soak bench slow install install-tools \
	dkms-source deb deb-deps clean distclean help

all: hypervisor driver tools inmates configs

# --- configuration -------------------------------------------------------

# Writes the C header and the make fragment that the builds read.
define sync_config
	$(Q)mkdir -p $(dir $(AUTOCONF_H)) $(dir $(AUTO_CONF))
	$(Q)cd $(BUILD) && $(KCONF_ENV) \
		kconfig-conf --silentoldconfig $(SRCTREE)/Kconfig >/dev/null
endef

%_defconfig: configs/%_defconfig
	$(Q)$(KCONF_ENV) kconfig-conf --defconfig=$< Kconfig >/dev/null
	$(sync_config)
	@echo "configured for $$(sed -n 's/^CONFIG_BOARD="\(.*\)"/\1/p' $(KCONFIG_CONFIG))"

menuconfig: | $(KCONFIG_CONFIG)
	$(Q)$(KCONF_ENV) kconfig-mconf Kconfig
	$(sync_config)

olddefconfig: | $(KCONFIG_CONFIG)
	$(Q)$(KCONF_ENV) kconfig-conf --olddefconfig Kconfig >/dev/null
	$(sync_config)

syncconfig: | $(KCONFIG_CONFIG)
	$(sync_config)

# A fresh clone builds for the QEMU board without asking.
$(KCONFIG_CONFIG):
	@echo "no .config: using configs/$(DEFAULT_DEFCONFIG)"
	$(Q)$(KCONF_ENV) kconfig-conf \
		--defconfig=configs/$(DEFAULT_DEFCONFIG) Kconfig >/dev/null

$(AUTOCONF_H) $(AUTO_CONF): $(KCONFIG_CONFIG) Kconfig
	$(sync_config)

# --- components ----------------------------------------------------------

hypervisor: $(AUTOCONF_H)
	$(Q)$(MAKE) -C hypervisor

driver: $(AUTOCONF_H)
	@kdir='$(KDIR)'; test -f "$$kdir/Makefile" || { \
		echo "no kernel headers at KDIR='$$kdir' (make deps installs them, or give KDIR=DIR)"; \
		exit 1; }
	$(Q)$(MAKE) -C drivers KDIR='$(KDIR)'

tools:
	$(Q)$(MAKE) -C tools

inmates: $(AUTOCONF_H)
	$(Q)$(MAKE) -C inmates

# The board's descriptions, compiled by the tool itself: .dts -> .dtb -> .cell
configs: tools $(AUTOCONF_H)
	$(Q)$(MAKE) -f scripts/configs.mk BOARD=$(BOARD) ARCH=$(ARCH)

# --- installation ----------------------------------------------------------

PREFIX ?= /usr/local
DESTDIR ?=
FIRMWARE_DIR ?= /lib/firmware/brig

# install: everything; install-tools: everything but the kernel modules
# (no kernel tree needed), which DKMS can then build for every installed
# kernel from the source dkms-source puts into /usr/src/brig-VERSION.
install: install-tools driver
	$(MAKE) -C $(KDIR) M=$(SRCTREE)/drivers INSTALL_MOD_PATH=$(DESTDIR) \
		modules_install

install-tools: hypervisor tools
	install -D -m 0755 tools/brig $(DESTDIR)$(PREFIX)/sbin/brig
	install -D -m 0755 tools/brig-pingpong $(DESTDIR)$(PREFIX)/bin/brig-pingpong
	install -D -m 0644 hypervisor/brig-$(ARCH).bin \
		$(DESTDIR)$(FIRMWARE_DIR)/brig-$(ARCH).bin
	install -D -m 0644 tools/completion/brig.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/brig
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/man/man8 tools/man/brig.8 \
		tools/man/brig-cell.8 tools/man/brig-config.8
	install -D -m 0644 tools/man/brig-description.5 \
		$(DESTDIR)$(PREFIX)/share/man/man5/brig-description.5
	install -D -m 0644 tools/man/brig-pingpong.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/brig-pingpong.1

# The drivers' source for DKMS (scripts/dkms.conf.in): drivers/, the ABI
# headers and the shared checker, which brig.ko compiles in.
BRIG_VERSION := $(shell sed -n 's/^\#define BRIG_VERSION "\(.*\)"/\1/p' include/brig/version.h)
DKMS_DIR := $(DESTDIR)/usr/src/brig-$(BRIG_VERSION)
dkms-source:
	rm -rf $(DKMS_DIR)
	install -d $(DKMS_DIR)/drivers $(DKMS_DIR)/include/brig $(DKMS_DIR)/hypervisor
	install -m 0644 drivers/Makefile \
		$(filter-out %.mod.c,$(wildcard drivers/*.[chS])) $(DKMS_DIR)/drivers/
	install -m 0644 include/brig/*.h $(DKMS_DIR)/include/brig/
	install -m 0644 hypervisor/config-check.c $(DKMS_DIR)/hypervisor/
	sed 's/@VERSION@/$(BRIG_VERSION)/' scripts/dkms.conf.in > $(DKMS_DIR)/dkms.conf

# Debian packages, brig and brig-dkms (debian/), into build/deb/: Debian's
# own tooling, which `make deb-deps` installs (debhelper, dh-dkms).
# They are built from a copy of the files git tracks, as they are in the
# work tree (build/deb/src): the tree's own build, whose tool is linked
# statically for the test initramfs, stays as it was.
DEB_DIR := $(BUILD)/deb
deb:
	@command -v dpkg-buildpackage >/dev/null && command -v dh_dkms >/dev/null || { \
		echo "make deb needs debhelper and dh-dkms: make deb-deps installs them"; \
		exit 1; }
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	$(Q)git ls-files -z | tar --null -T - -cf - | tar -xf - -C $(DEB_DIR)/src
	$(Q)cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc
	@ls $(DEB_DIR)/*.deb

deb-deps:
	$(Q)apt-get install -y -qq --no-install-recommends debhelper dh-dkms \
		dpkg-dev

# --- tests -----------------------------------------------------------------

deps:
	$(Q)scripts/setup-deps.sh

# cmocka: the tool and the shared checker (tests/unit), the hypervisor
# core against a host stub of the arch contract and the x86 page formats
# and decoder (tests/unit/core), the inmate library's formatter,
# command-line parser and ivshmem glue (inmates/tests).
test-unit: $(AUTOCONF_H)
	$(Q)$(MAKE) -C tests/unit run
	$(Q)$(MAKE) -C tests/unit run-san
	$(Q)$(MAKE) -C tests/unit/core run
	$(Q)$(MAKE) -C inmates unit-test

test-headers:
	$(Q)scripts/check-headers.sh

# The core includes no arch header but the type headers and compiles
# against the host stub arch (tests/unit/core/stub-arch): no x86 in it.
test-boundary:
	$(Q)scripts/check-boundary.sh

test-symbols:
	$(Q)scripts/check-symbols.sh

# Every tracked *.c and *.h as clang-format-14 writes it (.clang-format);
# `make format` rewrites the same files in place.
format-check:
	$(Q)scripts/check-format.sh

format:
	$(Q)scripts/check-format.sh --fix

# Static helper programs the scenarios run in the guest (cpuid-sig, ...);
# the test kernel modules are built per kernel by the harness itself.
test-programs:
	$(Q)$(MAKE) -C tests/tools

# The inmates on bare QEMU first (no hypervisor), then every scenario.
test-qemu: all test-programs
	$(Q)$(MAKE) -C inmates test
	$(Q)tests/harness/suite.sh qemu

test-bochs: all test-programs
	$(Q)tests/harness/suite.sh bochs

# Dependencies first (a fresh Debian 12 machine has none of them), then
# the fast checks, then the emulated boards. Everything after deps runs in
# sub-makes, which read the configuration and find KDIR afresh.
check:
	$(Q)$(MAKE) -s deps
	$(Q)$(MAKE) all
	$(Q)$(MAKE) test-unit
	$(Q)$(MAKE) test-headers
	$(Q)$(MAKE) test-boundary
	$(Q)$(MAKE) format-check
	$(Q)$(MAKE) test-symbols
	$(Q)$(MAKE) test-qemu
	$(Q)$(MAKE) test-bochs

demo:
	$(Q)$(MAKE) -s deps
	$(Q)$(MAKE) demo-run

# demo after deps: BOARD comes from a configuration read after deps.
demo-run: all test-programs
	$(Q)tests/harness/demo.sh $(BOARD)

# The README's commands on their first run on a fresh Debian 12 machine: a
# minimal bookworm root built with mmdebstrap, a clean clone of HEAD, then
# make demo and make check's phase before the emulated suites, in a chroot
# (docs/testing.md). Needs root and the Debian mirror; not part of check.
# FRESH_MACHINE_ARGS passes options (--keep, --ref REV, --root DIR, ...).
fresh-machine:
	$(Q)scripts/fresh-machine.sh $(FRESH_MACHINE_ARGS)

# The soak: `stress-ng --class cpu --all 1 --verify -t 5s` SOAK_RUNS times
# in the root with brig enabled, in one boot of SOAK_BOARD (qemu-vtd or
# qemu-amdvi) with SOAK_KERNEL, 2 CPUs (tests/harness/soak.sh,
# docs/testing.md). A hang once in tens of runs shows here, not in check.
# SOAK_ARGS passes more options (--hang S, --timeout S, --cpus N).
SOAK_RUNS ?= 100
SOAK_BOARD ?= qemu-vtd
SOAK_KERNEL ?= 6.12
soak: all test-programs
	$(Q)tests/harness/soak.sh --board $(SOAK_BOARD) --kernel $(SOAK_KERNEL) \
		--runs $(SOAK_RUNS) $(SOAK_ARGS)

# The Linux cell scenario (tests/scenarios/linux-cell.sh) with Debian's
# 6.1 kernel and LINUX_CYCLES boot/destroy cycles at its end (make check
# runs it with 6.12 and 2 cycles), on the VT-d board with 4 CPUs.
LINUX_CYCLES ?= 10
linux-soak: all test-programs
	$(Q)tests/harness/run.sh --board qemu-vtd --kernel 6.1 --cpus 4 \
		--append "brigtest.linux_cycles=$(LINUX_CYCLES)" --timeout 3000 \
		--qemu-args "$$(sed -n 's/^# qemu-args: *//p' tests/scenarios/linux-cell.sh)" \
		boot linux-cell
	$(Q)tests/harness/run.sh --board bochs --kernel 6.1 --cpus 4 \
		--timeout 3600 boot linux-cell-bochs

# libFuzzer on the shared checker and the description compiler, FUZZ_RUNS
# executions each (default 10 million), ASan and UBSan on (tests/fuzz).
FUZZ_RUNS ?= 10000000
fuzz: tools configs
	$(Q)$(MAKE) -C tests/fuzz run FUZZ_RUNS=$(FUZZ_RUNS)

# The benchmark (tests/harness/bench.sh, docs/benchmarking.md): the latency
# inmate bare metal and in a cell under QEMU's -icount, then with the root
# idle and loaded, cyclictest, the root's exits by reason, ivshmem, cell
# start by phase, footprint; build/bench/report.md, report.json, SVG charts.
# BENCH_ARGS passes options (--secs S, --shift N, --board B, --kernel K).
bench: all test-programs
	$(Q)tests/harness/bench.sh $(BENCH_ARGS)

# The one target for the runs too slow for check: the fresh-machine proof,
# the fuzzers, the soak, then the benchmark (each in a sub-make, which
# reads the configuration itself).
slow:
	$(Q)$(MAKE) fresh-machine
	$(Q)$(MAKE) fuzz
	$(Q)$(MAKE) soak
	$(Q)$(MAKE) linux-soak
	$(Q)$(MAKE) bench

# --- housekeeping --------------------------------------------------------

clean:
	-$(Q)$(MAKE) -C hypervisor clean
	-$(Q)$(MAKE) -C tools clean
	-$(Q)$(MAKE) -C inmates clean
	-$(Q)$(MAKE) -C tests/unit clean
	-$(Q)$(MAKE) -C tests/fuzz clean
	-$(Q)test -f "$(KDIR)/Makefile" && $(MAKE) -C drivers KDIR=$(KDIR) clean
	-$(Q)rm -f configs/*/*.dtb configs/*/*.cell

distclean: clean
	rm -rf $(BUILD) $(KCONFIG_CONFIG) $(KCONFIG_CONFIG).old

help:
	@sed -n 's/^#   \{0,1\}//p' Makefile | sed -n '3,20p'
