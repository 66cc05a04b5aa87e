# SPDX-License-Identifier: MIT
#
# Strand build. ./configure writes objs/config.mk (dependencies, options); this file
# builds objs/strand, the unit tests (objs/utest, with ASan+UBSan) and runs tests.
# Each layer compiles with only its own and lower layers' include paths
# (core <- kernel <- protocol <- app <- main), so a wrong-way include fails to build.

.DEFAULT_GOAL := all
SHELL := /bin/sh

include objs/config.mk

# `make test` and `make` without -j use as many jobs as configure found cores.
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(JOBS)
endif

# `make V=1` shows the full commands.
V ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

objs/config.mk: configure
	./configure

SRC := trunk/src
LAYERS := core kernel protocol app main
INC_core := -I$(SRC)/core
INC_kernel := $(INC_core) -I$(SRC)/kernel
INC_protocol := $(INC_kernel) -I$(SRC)/protocol -Iobjs/st
# app/ is grouped into folders by concern (stream, server, rtmp, http, ...); headers
# stay flat to include: concern names are unique.
APP_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard $(SRC)/app/*/*.h))))
INC_app := $(INC_protocol) $(addprefix -I,$(APP_DIRS))
INC_main := $(INC_app) -I$(SRC)/main

WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wpointer-arith -Wstrict-prototypes
OPT := -O2 -g
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
ifeq ($(SANITIZE),yes)
OPT := -O1 -g $(SAN_FLAGS)
endif
CFLAGS_COMMON := -std=gnu11 -D_GNU_SOURCE $(WARN) -MMD -MP $(SSL_CFLAGS) $(SRTP_CFLAGS) $(SRT_CFLAGS) $(AV_CFLAGS)
# What configure builds from Debian's source packages.
THIRDPARTY_LIBS := objs/st/libst.a objs/srtp/libsrtp2.a
LIBS := objs/st/libst.a $(SRTP_LIBS) $(SSL_LIBS) $(HTTP_PARSER_LIBS) $(HIREDIS_LIBS) $(SRT_LIBS) $(AV_LIBS) -lm -lpthread

srcs_of = $(sort $(wildcard $(SRC)/$(1)/*.c $(SRC)/$(1)/*/*.c))
LIB_LAYERS := core kernel protocol app
LIB_SRCS := $(foreach l,$(LIB_LAYERS),$(call srcs_of,$(l)))
MAIN_SRCS := $(call srcs_of,main)
LIB_OBJS := $(patsubst $(SRC)/%.c,objs/obj/%.o,$(LIB_SRCS))
MAIN_OBJS := $(patsubst $(SRC)/%.c,objs/obj/%.o,$(MAIN_SRCS))
# The load generator is a tool with its own main, on the protocol layer (trunk/tools/bench).
BENCH_SRCS := $(sort $(wildcard trunk/tools/bench/*.c))
BENCH_OBJS := $(patsubst trunk/tools/%.c,objs/obj/tools/%.o,$(BENCH_SRCS))
# Its pure parts (no ST, no main) are unit tested with the rest.
BENCH_UTEST_SRCS := trunk/tools/bench/sr_bench_ts_pace.c trunk/tools/bench/sr_bench_sdp.c
BENCH_ASAN_OBJS := $(patsubst trunk/tools/%.c,objs/obj-asan/tools/%.o,$(BENCH_UTEST_SRCS))
ASAN_OBJS := $(patsubst $(SRC)/%.c,objs/obj-asan/%.o,$(LIB_SRCS))

define layer_rules
objs/obj/$(1)/%.o: $(SRC)/$(1)/%.c objs/config.mk | $(THIRDPARTY_LIBS)
	@mkdir -p $$(@D)
	@echo "CC    $$<"
	$(Q)$$(CC) $$(CFLAGS_COMMON) $$(OPT) $$(INC_$(1)) -c $$< -o $$@
objs/obj-asan/$(1)/%.o: $(SRC)/$(1)/%.c objs/config.mk | $(THIRDPARTY_LIBS)
	@mkdir -p $$(@D)
	@echo "CC    $$< (asan)"
	$(Q)$$(CC) $$(CFLAGS_COMMON) -O1 -g $$(SAN_FLAGS) -DSR_DEBUG=1 $$(INC_$(1)) -c $$< -o $$@
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rules,$(l))))

objs/obj/tools/bench/%.o: trunk/tools/bench/%.c objs/config.mk | $(THIRDPARTY_LIBS)
	@mkdir -p $(@D)
	@echo "CC    $<"
	$(Q)$(CC) $(CFLAGS_COMMON) $(OPT) $(INC_protocol) -Itrunk/tools/bench -c $< -o $@
objs/obj-asan/tools/bench/%.o: trunk/tools/bench/%.c objs/config.mk | $(THIRDPARTY_LIBS)
	@mkdir -p $(@D)
	@echo "CC    $< (asan)"
	$(Q)$(CC) $(CFLAGS_COMMON) -O1 -g $(SAN_FLAGS) -DSR_DEBUG=1 $(INC_protocol) -Itrunk/tools/bench -c $< -o $@

# rebuilt when a patch or the recipe changes (the script's stamp names the patch set)
objs/st/libst.a: 3rdparty/st/build.sh $(wildcard 3rdparty/st/patches/*.patch)
	./3rdparty/st/build.sh objs

# libsrtp2 on OpenSSL (Debian's is on NSS); the headers come with it
objs/srtp/libsrtp2.a: 3rdparty/srtp/build.sh
	./3rdparty/srtp/build.sh objs

objs/strand_bench: $(LIB_OBJS) $(BENCH_OBJS) $(THIRDPARTY_LIBS)
	@echo "LINK  $@"
	$(Q)$(CC) $(OPT) -o $@ $(filter %.o,$^) $(LIBS)

objs/strand: $(LIB_OBJS) $(MAIN_OBJS) $(THIRDPARTY_LIBS)
	@echo "LINK  $@"
	$(Q)$(CC) $(OPT) -o $@ $(filter %.o,$^) $(LIBS)

# ---- unit tests ----
UTEST_SRCS := $(sort $(wildcard trunk/utest/*.cpp))
UTEST_OBJS := $(patsubst trunk/utest/%.cpp,objs/utest-obj/%.o,$(UTEST_SRCS))
UTEST_INC := $(INC_app) -Itrunk/tools/bench -Itrunk/utest $(SRTP_CFLAGS) $(SRT_CFLAGS) $(AV_CFLAGS)

objs/utest-obj/%.o: trunk/utest/%.cpp objs/config.mk | $(THIRDPARTY_LIBS)
	@mkdir -p $(@D)
	@echo "CXX   $<"
	$(Q)$(CXX) -std=gnu++17 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -MMD -MP -O1 -g $(SAN_FLAGS) $(UTEST_INC) -c $< -o $@

objs/utest: $(ASAN_OBJS) $(BENCH_ASAN_OBJS) $(UTEST_OBJS) $(THIRDPARTY_LIBS)
	@echo "LINK  $@"
	$(Q)$(CXX) $(SAN_FLAGS) -o $@ $(filter %.o,$^) -lgtest -lpthread $(LIBS)

# ---- targets ----
.PHONY: all utest itest test run bench fuzz soak clean distclean format-check install

bench: objs/strand objs/strand_bench
	./scripts/bench.sh
all: objs/strand $(if $(BENCH_OBJS),objs/strand_bench)

utest: objs/utest

CONF ?= conf/strand.conf
run: objs/strand
	objs/strand -c $(CONF)

test: objs/strand objs/strand_bench objs/utest
	./scripts/test.sh

itest: objs/strand
	python3 trunk/itest/run.py

# Churn under load for SOAK_MINUTES (default 30; make test runs 2): leaks and lost frames.
soak: objs/strand objs/strand_bench
	python3 scripts/soak.py --report objs/soak.md

# Every libFuzzer harness for FUZZ_SECONDS each (make test runs them 6 s each, to keep CI under 30 minutes).
FUZZ_SECONDS ?= 300
fuzz:
	trunk/utest/fuzz/build.sh objs && trunk/utest/fuzz/run.sh objs $(FUZZ_SECONDS)

# `make install [PREFIX=/usr/local] [DESTDIR=] [STATEDIR=/var/lib/strand]`: the binary, the
# configs in SYSCONFDIR (strand.conf with its paths under STATEDIR and /run/strand), the
# players page under STATEDIR/html, the docs, and a hardened systemd unit
# (packaging/strand.service.in).
STATEDIR ?= /var/lib/strand
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)/strand
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
install: objs/strand
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(SYSTEMD_UNIT_DIR) \
		$(DESTDIR)$(PREFIX)/share/doc/strand $(DESTDIR)$(STATEDIR)/html/players
	install -m 755 objs/strand $(DESTDIR)$(PREFIX)/bin/strand
	install -m 644 conf/*.conf $(DESTDIR)$(SYSCONFDIR)/
	sed -e 's|\./objs/nginx/html|$(STATEDIR)/html|g' -e 's|\./objs/strand\.pid|/run/strand/strand.pid|' \
		conf/strand.conf >$(DESTDIR)$(SYSCONFDIR)/strand.conf
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@STATEDIR@|$(STATEDIR)|g' \
		packaging/strand.service.in >$(DESTDIR)$(SYSTEMD_UNIT_DIR)/strand.service
	chmod 644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/strand.service $(DESTDIR)$(SYSCONFDIR)/strand.conf
	install -m 644 objs/nginx/html/players/* $(DESTDIR)$(STATEDIR)/html/players/
	install -m 644 README.md doc/*.md $(DESTDIR)$(PREFIX)/share/doc/strand/

format-check:
	clang-format --dry-run --Werror $(LIB_SRCS) $(MAIN_SRCS) $(BENCH_SRCS)

clean:
	rm -rf objs/obj objs/obj-asan objs/utest-obj objs/strand objs/utest objs/strand_bench

distclean:
	rm -rf objs

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJS:.o=.d) $(BENCH_OBJS:.o=.d) $(BENCH_ASAN_OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(UTEST_OBJS:.o=.d)
