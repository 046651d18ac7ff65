# common/: the shared library every program links.
noinst_LIBRARIES += common/libskycommon.a

common_libskycommon_a_SOURCES = \
	common/auth_munge.c common/auth_munge.h \
	common/conf.c common/conf.h \
	common/conf_cloud.c common/conf_cloud.h common/conf_ignored.c \
	common/conf_priority.c \
	common/fname.c common/fname.h \
	common/gres.c common/gres.h \
	common/gres_conf.c common/gres_conf.h \
	common/hostlist.c common/hostlist.h \
	common/job_defs.h \
	common/log.c common/log.h \
	common/mail_type.c common/mail_type.h \
	common/rpc_client.c common/rpc_client.h \
	common/sky_err.c common/sky_err.h \
	common/state_journal.c common/state_journal.h \
	common/state_lmdb.c common/state_lmdb.h \
	common/text_buf.c common/text_buf.h \
	common/timefmt.c common/timefmt.h \
	common/wire.c common/wire.h \
	common/xalloc.c common/xalloc.h
# End of common sources
nodist_common_libskycommon_a_SOURCES = common/sky.pb-c.c common/sky.pb-c.h
common_libskycommon_a_CFLAGS = $(AM_CFLAGS) $(MUNGE_CFLAGS) $(LMDB_CFLAGS) \
	$(PROTOBUF_C_CFLAGS) $(LIBMD_CFLAGS)

# Every program links these after libskycommon.a.
SKY_COMMON_LIBS = common/libskycommon.a $(MUNGE_LIBS) $(LMDB_LIBS) \
	$(PROTOBUF_C_LIBS) $(LIBMD_LIBS)

# protoc-c writes both files; the stamp keeps parallel make from running it twice.
BUILT_SOURCES += common/sky.pb-c.c common/sky.pb-c.h
CLEANFILES += common/sky.pb-c.c common/sky.pb-c.h common/sky.pb-c.stamp
EXTRA_DIST += common/sky.proto
common/sky.pb-c.stamp: $(top_srcdir)/common/sky.proto
	$(AM_V_GEN)$(MKDIR_P) common && \
	$(PROTOC_C) --proto_path=$(top_srcdir)/common --c_out=common $(top_srcdir)/common/sky.proto && \
	touch $@
common/sky.pb-c.c common/sky.pb-c.h: common/sky.pb-c.stamp
	@test -f $@ || { rm -f common/sky.pb-c.stamp; $(MAKE) $(AM_MAKEFLAGS) common/sky.pb-c.stamp; }

# Unit test of GRES requests, node specs and gres.conf (Check, TAP).
check_PROGRAMS += tests/unit/gres_test
tests_unit_gres_test_SOURCES = tests/unit/gres_test.c tests/unit/unit.h
tests_unit_gres_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS)
tests_unit_gres_test_LDADD = $(SKY_COMMON_LIBS) $(CHECK_LIBS)
TESTS += tests/unit/gres_test
