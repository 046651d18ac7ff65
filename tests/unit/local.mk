# tests/unit/: Check unit tests, one program per module. Each prints TAP
# (CK_TAP_LOG_FILE_NAME=- from the top Makefile.am), so every test function
# is one result counted by make check.
UNIT_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS) $(LMDB_CFLAGS)
UNIT_TEST_LIBS = $(SKY_COMMON_LIBS) $(CHECK_LIBS)
EXTRA_DIST += tests/unit/unit.h

check_PROGRAMS += tests/unit/hostlist_test
tests_unit_hostlist_test_SOURCES = tests/unit/hostlist_test.c tests/unit/unit.h
tests_unit_hostlist_test_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_hostlist_test_LDADD = $(UNIT_TEST_LIBS)
TESTS += tests/unit/hostlist_test

check_PROGRAMS += tests/unit/timefmt_test
tests_unit_timefmt_test_SOURCES = tests/unit/timefmt_test.c tests/unit/unit.h
tests_unit_timefmt_test_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_timefmt_test_LDADD = $(UNIT_TEST_LIBS)
TESTS += tests/unit/timefmt_test

check_PROGRAMS += tests/unit/fname_test
tests_unit_fname_test_SOURCES = tests/unit/fname_test.c tests/unit/unit.h
tests_unit_fname_test_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_fname_test_LDADD = $(UNIT_TEST_LIBS)
TESTS += tests/unit/fname_test

check_PROGRAMS += tests/unit/conf_test
tests_unit_conf_test_SOURCES = tests/unit/conf_test.c tests/unit/unit.h
tests_unit_conf_test_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_conf_test_LDADD = $(UNIT_TEST_LIBS)
TESTS += tests/unit/conf_test

check_PROGRAMS += tests/unit/store_test
tests_unit_store_test_SOURCES = tests/unit/store_test.c tests/unit/unit.h
tests_unit_store_test_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_store_test_LDADD = $(UNIT_TEST_LIBS)
TESTS += tests/unit/store_test

check_PROGRAMS += tests/unit/wire_test
tests_unit_wire_test_SOURCES = tests/unit/wire_test.c tests/unit/unit.h
tests_unit_wire_test_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_wire_test_LDADD = $(UNIT_TEST_LIBS)
TESTS += tests/unit/wire_test
# End of unit tests
