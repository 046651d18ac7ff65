# sbatch-sky/ build fragment (included by the top Makefile.am).
# The client commands. Shared code lives in a small library so the unit
# tests link exactly what the programs run.
noinst_LIBRARIES += sbatch-sky/libskycli.a

sbatch_sky_libskycli_a_SOURCES = \
	sbatch-sky/array_fold.c sbatch-sky/array_fold.h \
	sbatch-sky/array_spec.c sbatch-sky/array_spec.h \
	sbatch-sky/cli_util.c sbatch-sky/cli_util.h \
	sbatch-sky/cloud_show.c sbatch-sky/cloud_show.h \
	sbatch-sky/directives.c sbatch-sky/directives.h \
	sbatch-sky/env_export.c sbatch-sky/env_export.h \
	sbatch-sky/fmt.c sbatch-sky/fmt.h \
	sbatch-sky/fmt_job.c sbatch-sky/fmt_job.h \
	sbatch-sky/fmt_node.c sbatch-sky/fmt_node.h \
	sbatch-sky/job_desc.c sbatch-sky/job_desc.h \
	sbatch-sky/job_cost.c sbatch-sky/job_cost.h \
	sbatch-sky/job_sel.c sbatch-sky/job_sel.h \
	sbatch-sky/json_out.c sbatch-sky/json_out.h \
	sbatch-sky/opt_control.c sbatch-sky/opt_control.h \
	sbatch-sky/opt_array.c sbatch-sky/opt_array.h \
	sbatch-sky/opt_env.c sbatch-sky/opt_env.h \
	sbatch-sky/opt_mail.c sbatch-sky/opt_mail.h \
	sbatch-sky/opt_parse.c sbatch-sky/opt_parse.h \
	sbatch-sky/opt_table.c sbatch-sky/opt_table.h \
	sbatch-sky/sacct_cost.c sbatch-sky/sacct_cost.h \
	sbatch-sky/sacct_fields.c sbatch-sky/sacct_fields.h \
	sbatch-sky/sacct_step.c sbatch-sky/sacct_step.h \
	sbatch-sky/sbatch_opts.h \
	sbatch-sky/scontrol_ext.c sbatch-sky/scontrol_ext.h \
	sbatch-sky/scontrol_power.c sbatch-sky/scontrol_power.h \
	sbatch-sky/scancel_confirm.c sbatch-sky/scancel_confirm.h \
	sbatch-sky/script_read.c sbatch-sky/script_read.h \
	sbatch-sky/show_job.c sbatch-sky/show_job.h \
	sbatch-sky/squeue_fields.c sbatch-sky/squeue_fields.h \
	sbatch-sky/show_node.c sbatch-sky/show_node.h \
	sbatch-sky/state_names.c sbatch-sky/state_names.h \
	sbatch-sky/task_yaml.c sbatch-sky/task_yaml.h
# End of libskycli sources
sbatch_sky_libskycli_a_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) $(YAML_CFLAGS) $(JSONC_CFLAGS)

# $(SKY_CLIENT_LIBS): see configure.ac (static small libraries, for start-up time).
SKY_CLI_LIBS = sbatch-sky/libskycli.a common/libskycommon.a $(SKY_CLIENT_LIBS)

# Built in sbatch-sky/ (contrib/sky-up looks there); installed under their
# Slurm names, so --program-suffix/--program-transform-name apply.
bin_PROGRAMS += sbatch-sky/sbatch sbatch-sky/squeue sbatch-sky/scancel \
	sbatch-sky/sinfo sbatch-sky/scontrol

sbatch_sky_sbatch_SOURCES = sbatch-sky/sbatch.c \
	sbatch-sky/spank_opts.c sbatch-sky/spank_opts.h
sbatch_sky_sbatch_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) $(SPANK_HOST_INC)
sbatch_sky_sbatch_LDADD = sbatch-sky/libskycli.a $(SPANK_HOST_LIBS) $(SKY_CLI_LIBS)
sbatch_sky_sbatch_LDFLAGS = $(AM_LDFLAGS) $(SPANK_HOST_EXPORT)

sbatch_sky_squeue_SOURCES = sbatch-sky/squeue.c
sbatch_sky_squeue_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_squeue_LDADD = $(SKY_CLI_LIBS)

sbatch_sky_scancel_SOURCES = sbatch-sky/scancel.c
sbatch_sky_scancel_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_scancel_LDADD = $(SKY_CLI_LIBS)

sbatch_sky_sinfo_SOURCES = sbatch-sky/sinfo.c
sbatch_sky_sinfo_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_sinfo_LDADD = $(SKY_CLI_LIBS)

sbatch_sky_scontrol_SOURCES = sbatch-sky/scontrol.c
sbatch_sky_scontrol_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_scontrol_LDADD = $(SKY_CLI_LIBS)

# Unit tests (Check, TAP output).
check_PROGRAMS += sbatch-sky/directives_test sbatch-sky/opts_test sbatch-sky/fmt_test
TESTS += sbatch-sky/directives_test sbatch-sky/opts_test sbatch-sky/fmt_test

sbatch_sky_directives_test_SOURCES = sbatch-sky/tests_directives.c
sbatch_sky_directives_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_directives_test_LDADD = $(SKY_CLI_LIBS) $(CHECK_LIBS)

sbatch_sky_opts_test_SOURCES = sbatch-sky/tests_opts.c
sbatch_sky_opts_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_opts_test_LDADD = $(SKY_CLI_LIBS) $(CHECK_LIBS)

sbatch_sky_fmt_test_SOURCES = sbatch-sky/tests_fmt.c
sbatch_sky_fmt_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_fmt_test_LDADD = $(SKY_CLI_LIBS) $(CHECK_LIBS)

check_PROGRAMS += sbatch-sky/array_test
TESTS += sbatch-sky/array_test
sbatch_sky_array_test_SOURCES = sbatch-sky/tests_array.c
sbatch_sky_array_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_array_test_LDADD = $(SKY_CLI_LIBS) $(CHECK_LIBS)

check_PROGRAMS += sbatch-sky/control_test
TESTS += sbatch-sky/control_test
sbatch_sky_control_test_SOURCES = sbatch-sky/tests_control.c
sbatch_sky_control_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_control_test_LDADD = $(SKY_CLI_LIBS) $(CHECK_LIBS)

EXTRA_DIST += sbatch-sky/README.md

check_PROGRAMS += sbatch-sky/task_yaml_test
TESTS += sbatch-sky/task_yaml_test
sbatch_sky_task_yaml_test_SOURCES = sbatch-sky/tests_task_yaml.c
sbatch_sky_task_yaml_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_task_yaml_test_LDADD = $(SKY_CLI_LIBS) $(CHECK_LIBS)

# sacct and the --json documents (helper B).
bin_PROGRAMS += sbatch-sky/sacct
sbatch_sky_sacct_SOURCES = sbatch-sky/sacct.c
sbatch_sky_sacct_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_sacct_LDADD = $(SKY_CLI_LIBS)
check_PROGRAMS += sbatch-sky/sacct_test
TESTS += sbatch-sky/sacct_test
sbatch_sky_sacct_test_SOURCES = sbatch-sky/tests_sacct.c
sbatch_sky_sacct_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS) $(JSONC_CFLAGS)
sbatch_sky_sacct_test_LDADD = $(SKY_CLI_LIBS) $(CHECK_LIBS)

# srun and job steps (helper S). step_io.c is the agent's half of the same
# I/O protocol, compiled into srun as well.
bin_PROGRAMS += sbatch-sky/srun
sbatch_sky_srun_SOURCES = sbatch-sky/srun.c \
	sbatch-sky/srun_alloc.c sbatch-sky/srun_alloc.h \
	sbatch-sky/srun_io.c sbatch-sky/srun_io.h \
	sbatch-sky/srun_opts.c sbatch-sky/srun_opts.h \
	slurmd-sky/step_io.c slurmd-sky/step_io.h
sbatch_sky_srun_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) -I$(top_srcdir)/slurmd-sky
sbatch_sky_srun_LDADD = $(SKY_CLI_LIBS)
check_PROGRAMS += sbatch-sky/srun_test
TESTS += sbatch-sky/srun_test
sbatch_sky_srun_test_SOURCES = sbatch-sky/tests_srun.c \
	sbatch-sky/srun_io.c sbatch-sky/srun_opts.c slurmd-sky/step_io.c
sbatch_sky_srun_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS) \
	-I$(top_srcdir)/slurmd-sky -I$(top_srcdir)/tests/unit
sbatch_sky_srun_test_LDADD = $(SKY_CLI_LIBS) $(CHECK_LIBS)

# Cloud prices and job cost in scontrol, sinfo and sacct (helper K).
check_PROGRAMS += sbatch-sky/cost_test
TESTS += sbatch-sky/cost_test
sbatch_sky_cost_test_SOURCES = sbatch-sky/tests_cost.c
sbatch_sky_cost_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_cost_test_LDADD = $(SKY_CLI_LIBS) $(CHECK_LIBS)

# Accounts, fair share and priorities (issue 6, helper G): sacctmgr, sshare
# and sprio. sacctmgr and sshare unpack the controller's association tree
# and run its fair-share code, so they build those sources too.
bin_PROGRAMS += sbatch-sky/sacctmgr sbatch-sky/sshare sbatch-sky/sprio
SKY_ASSOC_CLI_SOURCES = sbatch-sky/acct_print.c sbatch-sky/acct_print.h \
	sbatch-sky/assoc_client.c sbatch-sky/assoc_client.h \
	slurmctld-sky/assoc.c slurmctld-sky/assoc.h slurmctld-sky/assoc_int.h \
	slurmctld-sky/assoc_pack.c slurmctld-sky/qos.c slurmctld-sky/qos.h \
	slurmctld-sky/fairshare.c slurmctld-sky/fairshare.h slurmctld-sky/fairshare_tree.c
sbatch_sky_sacctmgr_SOURCES = sbatch-sky/sacctmgr.c sbatch-sky/sacctmgr.h \
	sbatch-sky/sacctmgr_show.c sbatch-sky/sacctmgr_qos.c $(SKY_ASSOC_CLI_SOURCES)
sbatch_sky_sacctmgr_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) -I$(top_srcdir)/slurmctld-sky
sbatch_sky_sacctmgr_LDADD = $(SKY_CLI_LIBS) -lm
sbatch_sky_sshare_SOURCES = sbatch-sky/sshare.c $(SKY_ASSOC_CLI_SOURCES)
sbatch_sky_sshare_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) -I$(top_srcdir)/slurmctld-sky
sbatch_sky_sshare_LDADD = $(SKY_CLI_LIBS) -lm
sbatch_sky_sprio_SOURCES = sbatch-sky/sprio.c
sbatch_sky_sprio_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
sbatch_sky_sprio_LDADD = $(SKY_CLI_LIBS)
