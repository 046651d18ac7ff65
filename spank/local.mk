# spank/ build fragment (included by the top Makefile.am).
#
# The sky_dist plugin is a shared object, built as a "program" linked with
# -shared (no libtool): the objects are compiled -fPIC for it alone, and the
# version script exports only what a SPANK host looks up. Sanitizers stay off
# in plugins: a host (slurmstepd) that is not instrumented cannot load them.
if HAVE_SLURM_SPANK_H
SKYPLUG_INC =
else
SKYPLUG_INC = -I$(top_srcdir)/spank/include
endif
SKYPLUG_CPP = $(AM_CPPFLAGS) -I$(top_srcdir)/spank $(SKYPLUG_INC)
SKYPLUG_CFL = $(WARN_CFLAGS) -fPIC
SKYPLUG_LDF = -shared -Wl,--version-script=$(top_srcdir)/spank/sky_dist.sym

# Installed by the rules below, not as a program: --program-prefix/suffix
# must not rename a plugin that plugstack.conf names by path.
noinst_PROGRAMS += spank/sky_dist.so
spank_sky_dist_so_SOURCES = \
	spank/sky_dist.c \
	spank/dist_logic.c spank/dist_logic.h \
	common/hostlist.c common/hostlist.h \
	common/sky_err.c common/sky_err.h \
	common/xalloc.c common/xalloc.h
spank_sky_dist_so_CPPFLAGS = $(SKYPLUG_CPP)
spank_sky_dist_so_CFLAGS = $(SKYPLUG_CFL)
spank_sky_dist_so_LDFLAGS = $(SKYPLUG_LDF)
EXTRA_spank_sky_dist_so_DEPENDENCIES = spank/sky_dist.sym
# End of spank plugin sources
EXTRA_DIST += spank/README.md spank/sky_dist.sym spank/include/slurm/spank.h

# The host side (spank_stack.h), linked into slurmd-sky and sbatch-sky. Hosts
# always use our header: they implement the interface it documents.
noinst_LIBRARIES += spank/libskyspank.a
spank_libskyspank_a_SOURCES = \
	spank/spank_api.c \
	spank/spank_int.h \
	spank/spank_stack.c spank/spank_stack.h
# End of spank host sources
SPANK_HOST_INC = -I$(top_srcdir)/spank -I$(top_srcdir)/spank/include
spank_libskyspank_a_CPPFLAGS = $(AM_CPPFLAGS) $(SPANK_HOST_INC) -DSKY_PKGLIBDIR=\"$(pkglibdir)\"
SPANK_HOST_LIBS = spank/libskyspank.a
# Hosts export the SPANK API to the plugins they dlopen.
SPANK_HOST_EXPORT = -Wl,--dynamic-list=$(top_srcdir)/spank/host.sym
EXTRA_DIST += spank/host.sym

# Unit test of the plugin's pure logic.
check_PROGRAMS += spank/dist_logic_test
spank_dist_logic_test_SOURCES = spank/dist_logic_test.c spank/dist_logic.c spank/dist_logic.h \
	common/hostlist.c common/sky_err.c common/xalloc.c
spank_dist_logic_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/spank -I$(top_srcdir)/tests/unit
spank_dist_logic_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
spank_dist_logic_test_LDADD = $(CHECK_LIBS)
TESTS += spank/dist_logic_test

# A stand-in for a site's own plugin, for the end-to-end tests.
check_PROGRAMS += tests/data/spank/site_env.so
tests_data_spank_site_env_so_SOURCES = tests/data/spank/site_env.c
tests_data_spank_site_env_so_CPPFLAGS = $(SKYPLUG_CPP)
tests_data_spank_site_env_so_CFLAGS = $(SKYPLUG_CFL)
tests_data_spank_site_env_so_LDFLAGS = $(SKYPLUG_LDF)
EXTRA_tests_data_spank_site_env_so_DEPENDENCIES = spank/sky_dist.sym

install-exec-local: spank/sky_dist.so
	$(MKDIR_P) "$(DESTDIR)$(pkglibdir)"
	$(INSTALL_PROGRAM) spank/sky_dist.so "$(DESTDIR)$(pkglibdir)/sky_dist.so"
uninstall-local:
	rm -f "$(DESTDIR)$(pkglibdir)/sky_dist.so"

# Unit test of the host core, with a real plugin loaded into it.
check_PROGRAMS += spank/spank_stack_test
spank_spank_stack_test_SOURCES = spank/spank_stack_test.c
spank_spank_stack_test_CPPFLAGS = $(AM_CPPFLAGS) $(SPANK_HOST_INC) -I$(top_srcdir)/tests/unit \
	-DSITE_PLUGIN=\"$(abs_top_builddir)/tests/data/spank/site_env.so\"
spank_spank_stack_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
spank_spank_stack_test_LDADD = $(SPANK_HOST_LIBS) $(SKY_COMMON_LIBS) $(CHECK_LIBS)
spank_spank_stack_test_LDFLAGS = $(AM_LDFLAGS) $(SPANK_HOST_EXPORT)
EXTRA_spank_spank_stack_test_DEPENDENCIES = tests/data/spank/site_env.so
TESTS += spank/spank_stack_test
