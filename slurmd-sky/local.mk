# slurmd-sky/ build fragment (included by the top Makefile.am).
# The node agent: one file per concern (see slurmd-sky/README.md). Everything
# but main.c is a library, so the unit tests link the same code.
noinst_LIBRARIES += slurmd-sky/libslurmd.a
slurmd_sky_libslurmd_a_SOURCES = \
	slurmd-sky/agent.h \
	slurmd-sky/ctld_link.c slurmd-sky/ctld_link.h \
	slurmd-sky/envv.c slurmd-sky/envv.h \
	slurmd-sky/gpu_detect.c slurmd-sky/gpu_detect.h \
	slurmd-sky/hw_detect.c slurmd-sky/hw_detect.h \
	slurmd-sky/imds.c slurmd-sky/imds.h slurmd-sky/imds_agent.c \
	slurmd-sky/job_child.c slurmd-sky/job_child.h \
	slurmd-sky/job_env.c slurmd-sky/job_env.h \
	slurmd-sky/job_env_gpu.c slurmd-sky/job_env_gpu.h \
	slurmd-sky/job_env_sky.c slurmd-sky/job_env_sky.h \
	slurmd-sky/job_supervisor.c slurmd-sky/job_supervisor.h \
	slurmd-sky/job_warn.c slurmd-sky/job_warn.h \
	slurmd-sky/jobs.c slurmd-sky/jobs.h \
	slurmd-sky/proc.c slurmd-sky/proc.h \
	slurmd-sky/spank_host.c slurmd-sky/spank_host.h \
	slurmd-sky/spool.c slurmd-sky/spool.h \
	slurmd-sky/step_agent.c slurmd-sky/step_agent.h \
	slurmd-sky/step_env.c slurmd-sky/step_env.h \
	slurmd-sky/step_io.c slurmd-sky/step_io.h \
	slurmd-sky/step_spank.c slurmd-sky/step_spank.h \
	slurmd-sky/step_sup.c slurmd-sky/step_sup.h \
	slurmd-sky/step_task.c slurmd-sky/step_task.h \
	slurmd-sky/user_env.c slurmd-sky/user_env.h
# End of slurmd-sky library sources
SLURMD_CFLAGS = $(AM_CFLAGS) $(SPANK_HOST_INC) $(LIBEVENT_CFLAGS) $(HWLOC_CFLAGS) \
	$(PROTOBUF_C_CFLAGS) $(MUNGE_CFLAGS) $(LIBCURL_CFLAGS) $(JSONC_CFLAGS)
SLURMD_LIBS = slurmd-sky/libslurmd.a $(SPANK_HOST_LIBS) $(SKY_COMMON_LIBS) $(LIBEVENT_LIBS) $(HWLOC_LIBS) \
	$(LIBCURL_LIBS) $(JSONC_LIBS)
slurmd_sky_libslurmd_a_CFLAGS = $(SLURMD_CFLAGS)

sbin_PROGRAMS += slurmd-sky/slurmd-sky
slurmd_sky_slurmd_sky_SOURCES = slurmd-sky/main.c
slurmd_sky_slurmd_sky_CFLAGS = $(SLURMD_CFLAGS)
slurmd_sky_slurmd_sky_LDADD = $(SLURMD_LIBS)
slurmd_sky_slurmd_sky_LDFLAGS = $(AM_LDFLAGS) $(SPANK_HOST_EXPORT)

# Unit tests of the agent's parts (Check, TAP; helpers from tests/unit/unit.h).
SLURMD_TEST_CFLAGS = $(SLURMD_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/tests/unit
SLURMD_TEST_LIBS = $(SLURMD_LIBS) $(CHECK_LIBS)

check_PROGRAMS += slurmd-sky/job_env_test
slurmd_sky_job_env_test_SOURCES = slurmd-sky/job_env_test.c
slurmd_sky_job_env_test_CFLAGS = $(SLURMD_TEST_CFLAGS)
slurmd_sky_job_env_test_LDADD = $(SLURMD_TEST_LIBS)
TESTS += slurmd-sky/job_env_test

check_PROGRAMS += slurmd-sky/supervisor_test
slurmd_sky_supervisor_test_SOURCES = slurmd-sky/supervisor_test.c
slurmd_sky_supervisor_test_CFLAGS = $(SLURMD_TEST_CFLAGS)
slurmd_sky_supervisor_test_LDADD = $(SLURMD_TEST_LIBS)
TESTS += slurmd-sky/supervisor_test

check_PROGRAMS += slurmd-sky/spool_hw_test
slurmd_sky_spool_hw_test_SOURCES = slurmd-sky/spool_hw_test.c
slurmd_sky_spool_hw_test_CFLAGS = $(SLURMD_TEST_CFLAGS)
slurmd_sky_spool_hw_test_LDADD = $(SLURMD_TEST_LIBS)
TESTS += slurmd-sky/spool_hw_test

check_PROGRAMS += slurmd-sky/job_env_sky_test
slurmd_sky_job_env_sky_test_SOURCES = slurmd-sky/job_env_sky_test.c
slurmd_sky_job_env_sky_test_CFLAGS = $(SLURMD_TEST_CFLAGS)
slurmd_sky_job_env_sky_test_LDADD = $(SLURMD_TEST_LIBS)
TESTS += slurmd-sky/job_env_sky_test
check_PROGRAMS += slurmd-sky/job_warn_test
slurmd_sky_job_warn_test_SOURCES = slurmd-sky/job_warn_test.c
slurmd_sky_job_warn_test_CFLAGS = $(SLURMD_TEST_CFLAGS)
slurmd_sky_job_warn_test_LDADD = $(SLURMD_TEST_LIBS)
TESTS += slurmd-sky/job_warn_test
check_PROGRAMS += slurmd-sky/gpu_detect_test
slurmd_sky_gpu_detect_test_SOURCES = slurmd-sky/gpu_detect_test.c
slurmd_sky_gpu_detect_test_CFLAGS = $(SLURMD_TEST_CFLAGS) -DTEST_DATA_DIR='"$(top_srcdir)/tests/data"'
slurmd_sky_gpu_detect_test_LDADD = $(SLURMD_TEST_LIBS)
TESTS += slurmd-sky/gpu_detect_test
EXTRA_DIST += tests/data/hwloc/README.md tests/data/hwloc/nvidia-dgx2h.orig.xml \
	tests/data/hwloc/nvidia-dgx2h.xml tests/data/hwloc/nvidia-dgx2h-socket0.xml \
	tests/data/hwloc/sim-a100x8.xml
check_PROGRAMS += slurmd-sky/step_env_test
slurmd_sky_step_env_test_SOURCES = slurmd-sky/step_env_test.c
slurmd_sky_step_env_test_CFLAGS = $(SLURMD_TEST_CFLAGS)
slurmd_sky_step_env_test_LDADD = $(SLURMD_TEST_LIBS)
TESTS += slurmd-sky/step_env_test
check_PROGRAMS += slurmd-sky/imds_test
slurmd_sky_imds_test_SOURCES = slurmd-sky/imds_test.c
slurmd_sky_imds_test_CFLAGS = $(SLURMD_TEST_CFLAGS)
slurmd_sky_imds_test_LDADD = $(SLURMD_TEST_LIBS)
TESTS += slurmd-sky/imds_test
# End of slurmd-sky tests
EXTRA_DIST += slurmd-sky/README.md
