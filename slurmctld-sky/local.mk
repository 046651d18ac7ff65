# slurmctld-sky/ build fragment (included by the top Makefile.am).
sbin_PROGRAMS += slurmctld-sky/slurmctld-sky

slurmctld_sky_slurmctld_sky_SOURCES = \
	slurmctld-sky/agent_link.c slurmctld-sky/agent_link.h \
	$(SKY_AWS_SOURCES) \
	slurmctld-sky/cloud_info.c slurmctld-sky/cloud_info.h slurmctld-sky/node_cloud.h \
	slurmctld-sky/cloud_preview.c \
	slurmctld-sky/ctld.h \
	slurmctld-sky/gres_alloc.c slurmctld-sky/gres_alloc.h \
	slurmctld-sky/job_control.c slurmctld-sky/job_control.h \
	slurmctld-sky/job_array.c slurmctld-sky/job_array.h \
	slurmctld-sky/job_depend.c slurmctld-sky/job_depend.h \
	slurmctld-sky/job_features.c slurmctld-sky/job_features.h \
	slurmctld-sky/job_mail.c slurmctld-sky/job_mail.h \
	slurmctld-sky/job_launch.c slurmctld-sky/job_launch.h slurmctld-sky/job_launch_msg.c \
	sbatch-sky/array_spec.c sbatch-sky/array_spec.h \
	sbatch-sky/job_cost.c sbatch-sky/job_cost.h \
	slurmctld-sky/job_queue.c slurmctld-sky/job_queue.h \
	slurmctld-sky/job_step.c slurmctld-sky/job_step.h \
	slurmctld-sky/job_update.c slurmctld-sky/job_update.h \
	slurmctld-sky/job_will_run.c slurmctld-sky/job_will_run.h \
	slurmctld-sky/id_names.c slurmctld-sky/id_names.h \
	slurmctld-sky/listener.c slurmctld-sky/listener.h \
	slurmctld-sky/main.c \
	slurmctld-sky/node_notice.c slurmctld-sky/node_notice.h \
	slurmctld-sky/node_table.c slurmctld-sky/node_table.h \
	slurmctld-sky/node_power.h \
	slurmctld-sky/partition.c slurmctld-sky/partition.h \
	slurmctld-sky/power_ctl.c slurmctld-sky/power_int.h \
	slurmctld-sky/power_save.c slurmctld-sky/power_save.h \
	slurmctld-sky/prov_aws.c slurmctld-sky/prov_aws_int.h \
	slurmctld-sky/prov_aws_plan.c slurmctld-sky/prov_aws_worker.c \
	slurmctld-sky/wake_pipe.c slurmctld-sky/wake_pipe.h \
	slurmctld-sky/aws_userdata.c slurmctld-sky/aws_userdata.h \
	$(SKY_OPT_SOURCES) \
	slurmctld-sky/prov_local.c \
	$(SKY_K8S_CLIENT_SOURCES) \
	slurmctld-sky/prov_k8s.c slurmctld-sky/prov_k8s_int.h slurmctld-sky/prov_k8s_conf.c \
	slurmctld-sky/prov_k8s_nodes.c slurmctld-sky/prov_k8s_launch.c \
	slurmctld-sky/prov_k8s_pods.c \
	slurmctld-sky/prov_k8s_podstate.c slurmctld-sky/prov_k8s_podstate.h \
	slurmctld-sky/prov_k8s_log.c slurmctld-sky/prov_k8s_log.h \
	$(SKY_K8S_LAUNCH_SOURCES) \
	slurmctld-sky/prov_program.c \
	slurmctld-sky/provider.c slurmctld-sky/provider.h \
	slurmctld-sky/rpc.h \
	slurmctld-sky/rpc_acct.c \
	slurmctld-sky/rpc_agent.c \
	slurmctld-sky/rpc_cancel.c \
	slurmctld-sky/rpc_info.c \
	slurmctld-sky/rpc_power.c \
	slurmctld-sky/rpc_step.c \
	slurmctld-sky/rpc_submit.c \
	slurmctld-sky/rpc_table.c \
	slurmctld-sky/rpc_update.c \
	slurmctld-sky/sched_fifo.c slurmctld-sky/sched_fifo.h \
	slurmctld-sky/sched_preempt.c slurmctld-sky/sched_preempt.h
# End of slurmctld-sky sources
slurmctld_sky_slurmctld_sky_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(MUNGE_CFLAGS) \
	$(LMDB_CFLAGS) $(PROTOBUF_C_CFLAGS) $(SKY_AWS_CFLAGS) $(JSONC_CFLAGS) $(YAML_CFLAGS) \
	-I$(top_srcdir)/sbatch-sky $(SKY_K8S_LAUNCH_INC)
slurmctld_sky_slurmctld_sky_LDADD = $(SKY_COMMON_LIBS) $(LIBEVENT_LIBS) $(SKY_AWS_LIBS) $(JSONC_LIBS) $(YAML_LIBS) \
	-lpthread -lm
# The AWS provider's default Catalog=: the installed catalogs, else this source tree's.
slurmctld_sky_slurmctld_sky_CFLAGS += -DSKY_CATALOG_DIR=\"$(pkgdatadir)/catalogs\" \
	-DSKY_SRC_CATALOG_DIR=\"$(abs_top_srcdir)/conf/catalogs\"
skycatalogsdir = $(pkgdatadir)/catalogs
skycatalogs_DATA = conf/catalogs/README.md conf/catalogs/aws.csv conf/catalogs/gcp.csv \
	conf/catalogs/azure.csv conf/catalogs/lambda.csv
EXTRA_DIST += slurmctld-sky/README.md

# Unit test of -C expressions and --mail-type values (Check, TAP).
check_PROGRAMS += slurmctld-sky/features_test
slurmctld_sky_features_test_SOURCES = slurmctld-sky/features_test.c slurmctld-sky/job_features.c
slurmctld_sky_features_test_CFLAGS = $(slurmctld_sky_slurmctld_sky_CFLAGS) $(CHECK_CFLAGS) \
	-I$(top_srcdir)/tests/unit
slurmctld_sky_features_test_LDADD = $(SKY_COMMON_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/features_test

# Unit test of GPU device allocation (Check, TAP).
check_PROGRAMS += slurmctld-sky/gres_alloc_test
slurmctld_sky_gres_alloc_test_SOURCES = slurmctld-sky/gres_alloc_test.c slurmctld-sky/gres_alloc.c
slurmctld_sky_gres_alloc_test_CFLAGS = $(slurmctld_sky_slurmctld_sky_CFLAGS) $(CHECK_CFLAGS) \
	-I$(top_srcdir)/tests/unit
slurmctld_sky_gres_alloc_test_LDADD = $(SKY_COMMON_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/gres_alloc_test

# SigV4 for the EC2 provider, against AWS's published test-suite signatures.
check_PROGRAMS += slurmctld-sky/sigv4_test
slurmctld_sky_sigv4_test_SOURCES = slurmctld-sky/sigv4_test.c \
	slurmctld-sky/aws_sigv4.c slurmctld-sky/aws_sigv4.h
slurmctld_sky_sigv4_test_CFLAGS = $(AM_CFLAGS) $(LIBCRYPTO_CFLAGS) $(CHECK_CFLAGS) \
	-I$(top_srcdir)/tests/unit
slurmctld_sky_sigv4_test_LDADD = $(SKY_COMMON_LIBS) $(LIBCRYPTO_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/sigv4_test

# Unit test of job steps: layout, checks against the allocation, completion (helper S).
check_PROGRAMS += slurmctld-sky/step_test
slurmctld_sky_step_test_SOURCES = slurmctld-sky/step_test.c slurmctld-sky/job_step.c
slurmctld_sky_step_test_CFLAGS = $(slurmctld_sky_slurmctld_sky_CFLAGS) $(CHECK_CFLAGS) \
	-I$(top_srcdir)/tests/unit
slurmctld_sky_step_test_LDADD = $(SKY_COMMON_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/step_test

# The EC2 client (helper E): credential chain, signed Query API calls, XML replies.
SKY_AWS_SOURCES = slurmctld-sky/aws_creds.c slurmctld-sky/aws_creds.h \
	slurmctld-sky/aws_ec2.c slurmctld-sky/aws_ec2.h \
	slurmctld-sky/aws_http.c slurmctld-sky/aws_http.h \
	slurmctld-sky/aws_sigv4.c slurmctld-sky/aws_sigv4.h \
	slurmctld-sky/aws_spot.c \
	slurmctld-sky/aws_xml.c slurmctld-sky/aws_xml.h
SKY_AWS_CFLAGS = $(LIBCURL_CFLAGS) $(LIBXML2_CFLAGS) $(LIBCRYPTO_CFLAGS)
SKY_AWS_LIBS = $(LIBCURL_LIBS) $(LIBXML2_LIBS) $(LIBCRYPTO_LIBS)

# Unit test of the AWS provider's user-data templates (Check, TAP).
check_PROGRAMS += slurmctld-sky/aws_userdata_test
slurmctld_sky_aws_userdata_test_SOURCES = slurmctld-sky/aws_userdata_test.c \
	slurmctld-sky/aws_userdata.c slurmctld-sky/aws_userdata.h
slurmctld_sky_aws_userdata_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/tests/unit
slurmctld_sky_aws_userdata_test_LDADD = $(SKY_COMMON_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/aws_userdata_test

# Unit test of the credential chain (Check, TAP): temp files and env, no network.
check_PROGRAMS += slurmctld-sky/aws_creds_test
slurmctld_sky_aws_creds_test_SOURCES = slurmctld-sky/aws_creds_test.c $(SKY_AWS_SOURCES)
slurmctld_sky_aws_creds_test_CFLAGS = $(AM_CFLAGS) $(SKY_AWS_CFLAGS) $(CHECK_CFLAGS) \
	-I$(top_srcdir)/tests/unit
slurmctld_sky_aws_creds_test_LDADD = $(SKY_COMMON_LIBS) $(SKY_AWS_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/aws_creds_test

# The e2e tests' driver of the EC2 client (tests/aws/, 0830-0849).
check_PROGRAMS += tests/aws/ec2-probe
tests_aws_ec2_probe_SOURCES = tests/aws/ec2_probe.c $(SKY_AWS_SOURCES)
tests_aws_ec2_probe_CFLAGS = $(AM_CFLAGS) $(SKY_AWS_CFLAGS) -I$(top_srcdir)/slurmctld-sky
tests_aws_ec2_probe_LDADD = $(SKY_COMMON_LIBS) $(SKY_AWS_LIBS)
EXTRA_DIST += tests/aws/README.md tests/aws/fault_proxy.py tests/aws/aws.bash

# Price catalogs, placement optimizer and launch-error blocklist (helper O);
# the provider glue adds $(SKY_OPT_SOURCES) to the daemon.
SKY_OPT_SOURCES = slurmctld-sky/catalog.c slurmctld-sky/catalog.h \
	slurmctld-sky/optimizer.c slurmctld-sky/optimizer.h \
	slurmctld-sky/blocklist.c slurmctld-sky/blocklist.h
check_PROGRAMS += slurmctld-sky/optimizer_test
slurmctld_sky_optimizer_test_SOURCES = slurmctld-sky/optimizer_test.c $(SKY_OPT_SOURCES)
slurmctld_sky_optimizer_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/tests/unit \
	-DSKY_TOP_SRCDIR=\"$(abs_top_srcdir)\"
slurmctld_sky_optimizer_test_LDADD = $(SKY_COMMON_LIBS) $(CHECK_LIBS) -lm
TESTS += slurmctld-sky/optimizer_test
# bench/optimizer: placement time over the shipped catalogs (bench/README.md).
noinst_PROGRAMS += bench/optimizer
bench_optimizer_SOURCES = bench/optimizer.c $(SKY_OPT_SOURCES)
bench_optimizer_CFLAGS = $(AM_CFLAGS) -O2 -I$(top_srcdir)/slurmctld-sky \
	-DSKY_TOP_SRCDIR=\"$(abs_top_srcdir)\"
bench_optimizer_LDADD = $(SKY_COMMON_LIBS) -lm
EXTRA_DIST += conf/catalogs/README.md conf/catalogs/aws.csv conf/catalogs/gcp.csv \
	conf/catalogs/azure.csv conf/catalogs/lambda.csv contrib/catalog-refresh

# Fair share and multifactor priority (issue 6, helper F): the association tree,
# usage/decay/Fair Tree ranking and the priority formula; not yet in the daemon.
SKY_FAIR_SOURCES = slurmctld-sky/assoc.c slurmctld-sky/assoc.h slurmctld-sky/assoc_int.h \
	slurmctld-sky/assoc_pack.c \
	slurmctld-sky/fairshare.c slurmctld-sky/fairshare.h slurmctld-sky/fairshare_tree.c \
	slurmctld-sky/priority.c slurmctld-sky/priority.h
check_PROGRAMS += slurmctld-sky/fairshare_test
slurmctld_sky_fairshare_test_SOURCES = slurmctld-sky/fairshare_test.c $(SKY_FAIR_SOURCES)
# QOS records and sacctmgr's qos operations (issue 6, helper Q); the daemon
# adds qos_limits.c and rpc_qos.c.
SKY_QOS_SOURCES = slurmctld-sky/qos.c slurmctld-sky/qos.h slurmctld-sky/qos_ops.c \
	slurmctld-sky/qos_ops.h
check_PROGRAMS += slurmctld-sky/qos_test
slurmctld_sky_qos_test_SOURCES = slurmctld-sky/qos_test.c $(SKY_FAIR_SOURCES) \
	slurmctld-sky/assoc_ops.c slurmctld-sky/assoc_ops.h $(SKY_QOS_SOURCES)
slurmctld_sky_qos_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS) \
	-I$(top_srcdir)/tests/unit
slurmctld_sky_qos_test_LDADD = $(SKY_COMMON_LIBS) $(CHECK_LIBS) -lm
TESTS += slurmctld-sky/qos_test
# Fair share in the daemon (issue 6, helper G).
slurmctld_sky_slurmctld_sky_SOURCES += $(SKY_FAIR_SOURCES) \
	slurmctld-sky/assoc_ops.c slurmctld-sky/assoc_ops.h \
	slurmctld-sky/fs_conf.c slurmctld-sky/fs_ctld.c slurmctld-sky/fs_ctld.h slurmctld-sky/fs_int.h \
	slurmctld-sky/fs_jobs.c slurmctld-sky/fs_time_limits.c slurmctld-sky/rpc_assoc.c $(SKY_QOS_SOURCES) \
	slurmctld-sky/qos_ctld.h slurmctld-sky/qos_limits.c slurmctld-sky/rpc_qos.c
slurmctld_sky_slurmctld_sky_LDADD += -lm
check_PROGRAMS += slurmctld-sky/assoc_ops_test
slurmctld_sky_assoc_ops_test_SOURCES = slurmctld-sky/assoc_ops_test.c $(SKY_FAIR_SOURCES) \
	slurmctld-sky/assoc_ops.c slurmctld-sky/assoc_ops.h slurmctld-sky/fs_conf.c $(SKY_QOS_SOURCES)
slurmctld_sky_assoc_ops_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PROTOBUF_C_CFLAGS) \
	$(LMDB_CFLAGS) -I$(top_srcdir)/tests/unit
slurmctld_sky_assoc_ops_test_LDADD = $(SKY_COMMON_LIBS) $(CHECK_LIBS) -lm
TESTS += slurmctld-sky/assoc_ops_test
slurmctld_sky_fairshare_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/tests/unit
slurmctld_sky_fairshare_test_LDADD = $(SKY_COMMON_LIBS) $(CHECK_LIBS) -lm
TESTS += slurmctld-sky/fairshare_test

# Unit test of node prices and job cost (Check, TAP).
check_PROGRAMS += slurmctld-sky/cloud_info_test
slurmctld_sky_cloud_info_test_SOURCES = slurmctld-sky/cloud_info_test.c slurmctld-sky/cloud_info.c \
	sbatch-sky/job_cost.c
slurmctld_sky_cloud_info_test_CFLAGS = $(slurmctld_sky_slurmctld_sky_CFLAGS) $(CHECK_CFLAGS) \
	-I$(top_srcdir)/tests/unit
slurmctld_sky_cloud_info_test_LDADD = $(SKY_COMMON_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/cloud_info_test

# Backfill (issue 6, helper B): the pass and its node-time profile.
SKY_BF_SOURCES = slurmctld-sky/sched_backfill.c slurmctld-sky/sched_backfill.h \
	slurmctld-sky/sched_profile.c slurmctld-sky/sched_profile.h
slurmctld_sky_slurmctld_sky_SOURCES += $(SKY_BF_SOURCES)
check_PROGRAMS += slurmctld-sky/sched_profile_test
slurmctld_sky_sched_profile_test_SOURCES = slurmctld-sky/sched_profile_test.c \
	slurmctld-sky/sched_profile.c slurmctld-sky/sched_profile.h
slurmctld_sky_sched_profile_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/tests/unit
slurmctld_sky_sched_profile_test_LDADD = $(SKY_COMMON_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/sched_profile_test

# The Kubernetes client (issue 7): kubeconfig and credentials, REST calls and
# watches, node GPU normalisation; aws_xml.c gives it base64, aws_http.c curl's init.
SKY_K8S_CLIENT_SOURCES = slurmctld-sky/k8s_config.c slurmctld-sky/k8s_config.h \
	slurmctld-sky/k8s_exec.c \
	slurmctld-sky/k8s_api.c slurmctld-sky/k8s_api.h slurmctld-sky/k8s_api_int.h \
	slurmctld-sky/k8s_watch.c \
	slurmctld-sky/k8s_gpu.c slurmctld-sky/k8s_gpu.h
SKY_K8S_SOURCES = $(SKY_K8S_CLIENT_SOURCES) $(SKY_AWS_SOURCES)
SKY_K8S_CFLAGS = $(SKY_AWS_CFLAGS) $(YAML_CFLAGS) $(JSONC_CFLAGS)
SKY_K8S_LIBS = $(SKY_AWS_LIBS) $(YAML_LIBS) $(JSONC_LIBS) -lpthread
check_PROGRAMS += slurmctld-sky/k8s_config_test
slurmctld_sky_k8s_config_test_SOURCES = slurmctld-sky/k8s_config_test.c $(SKY_K8S_SOURCES)
slurmctld_sky_k8s_config_test_CFLAGS = $(AM_CFLAGS) $(SKY_K8S_CFLAGS) $(CHECK_CFLAGS) \
	-I$(top_srcdir)/tests/unit
slurmctld_sky_k8s_config_test_LDADD = $(SKY_COMMON_LIBS) $(SKY_K8S_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/k8s_config_test
check_PROGRAMS += slurmctld-sky/k8s_gpu_test
slurmctld_sky_k8s_gpu_test_SOURCES = slurmctld-sky/k8s_gpu_test.c \
	slurmctld-sky/k8s_gpu.c slurmctld-sky/k8s_gpu.h
slurmctld_sky_k8s_gpu_test_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(CHECK_CFLAGS) \
	-I$(top_srcdir)/tests/unit
slurmctld_sky_k8s_gpu_test_LDADD = $(SKY_COMMON_LIBS) $(JSONC_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/k8s_gpu_test
# Pods -> job ends and the log streams' line handling (helper W).
check_PROGRAMS += slurmctld-sky/prov_k8s_pods_test
slurmctld_sky_prov_k8s_pods_test_SOURCES = slurmctld-sky/prov_k8s_pods_test.c \
	slurmctld-sky/prov_k8s_podstate.c slurmctld-sky/prov_k8s_log.c $(SKY_K8S_SOURCES)
slurmctld_sky_prov_k8s_pods_test_CFLAGS = $(AM_CFLAGS) $(SKY_K8S_CFLAGS) $(CHECK_CFLAGS) \
	-I$(top_srcdir)/tests/unit
slurmctld_sky_prov_k8s_pods_test_LDADD = $(SKY_COMMON_LIBS) $(SKY_K8S_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/prov_k8s_pods_test
# The Kubernetes provider's ProviderName record (issue 7, helper N).
check_PROGRAMS += slurmctld-sky/prov_k8s_conf_test
slurmctld_sky_prov_k8s_conf_test_SOURCES = slurmctld-sky/prov_k8s_conf_test.c \
	slurmctld-sky/prov_k8s_conf.c slurmctld-sky/k8s_gpu.c sbatch-sky/job_cost.c
slurmctld_sky_prov_k8s_conf_test_CFLAGS = $(slurmctld_sky_slurmctld_sky_CFLAGS) $(CHECK_CFLAGS) \
	-I$(top_srcdir)/tests/unit
slurmctld_sky_prov_k8s_conf_test_LDADD = $(SKY_COMMON_LIBS) $(JSONC_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/prov_k8s_conf_test
# Pods of the Kubernetes provider (helper J): their manifests, and their
# environment from slurmd-sky's own builder and spank/'s sky_dist rules.
SKY_K8S_LAUNCH_SOURCES = slurmctld-sky/prov_k8s_env.c slurmctld-sky/prov_k8s_env.h \
	slurmctld-sky/prov_k8s_manifest.c slurmctld-sky/prov_k8s_manifest.h \
	slurmd-sky/envv.c slurmd-sky/envv.h slurmd-sky/user_env.c slurmd-sky/user_env.h \
	slurmd-sky/job_env.c slurmd-sky/job_env.h slurmd-sky/job_env_gpu.c slurmd-sky/job_env_gpu.h \
	slurmd-sky/job_env_sky.c slurmd-sky/job_env_sky.h \
	spank/dist_logic.c spank/dist_logic.h
SKY_K8S_LAUNCH_INC = -I$(top_srcdir)/slurmd-sky -I$(top_srcdir)/spank
check_PROGRAMS += slurmctld-sky/prov_k8s_manifest_test
slurmctld_sky_prov_k8s_manifest_test_SOURCES = slurmctld-sky/prov_k8s_manifest_test.c \
	$(SKY_K8S_LAUNCH_SOURCES)
slurmctld_sky_prov_k8s_manifest_test_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(PROTOBUF_C_CFLAGS) \
	$(YAML_CFLAGS) $(CHECK_CFLAGS) $(SKY_K8S_LAUNCH_INC) -I$(top_srcdir)/tests/unit
slurmctld_sky_prov_k8s_manifest_test_LDADD = $(SKY_COMMON_LIBS) $(JSONC_LIBS) $(CHECK_LIBS)
TESTS += slurmctld-sky/prov_k8s_manifest_test
# The e2e tests' driver of the Kubernetes client (tests/k8s/, 0960-0969).
check_PROGRAMS += tests/k8s/k8s-probe
tests_k8s_k8s_probe_SOURCES = tests/k8s/k8s_probe.c $(SKY_K8S_SOURCES)
tests_k8s_k8s_probe_CFLAGS = $(AM_CFLAGS) $(SKY_K8S_CFLAGS) -I$(top_srcdir)/slurmctld-sky
tests_k8s_k8s_probe_LDADD = $(SKY_COMMON_LIBS) $(SKY_K8S_LIBS)
# bench/sched_bench: one scheduling cycle on 10k simulated nodes (bench/README.md),
# built by `make bench`. It links the daemon's own objects except main() and
# job_launch() (no agents), which automake cannot express: plain rules.
SKY_BENCH_SCHED = bench/sched_bench$(EXEEXT)
CLEANFILES += $(SKY_BENCH_SCHED) bench/sched_bench.$(OBJEXT)
EXTRA_DIST += bench/sched_bench.c
# No dependency tracking for it: rebuilt whenever a daemon object is (a header changed).
bench/sched_bench.$(OBJEXT): $(top_srcdir)/bench/sched_bench.c common/sky.pb-c.h \
	  $(slurmctld_sky_slurmctld_sky_OBJECTS)
	$(AM_V_CC)$(MKDIR_P) bench && $(CC) $(DEFS) $(DEFAULT_INCLUDES) $(INCLUDES) $(AM_CPPFLAGS) \
	  $(CPPFLAGS) $(slurmctld_sky_slurmctld_sky_CFLAGS) $(CFLAGS) \
	  -I$(top_srcdir)/slurmctld-sky -c -o $@ $(top_srcdir)/bench/sched_bench.c
$(SKY_BENCH_SCHED): bench/sched_bench.$(OBJEXT) $(slurmctld_sky_slurmctld_sky_OBJECTS) \
	  common/libskycommon.a
	$(AM_V_CCLD)objs=`for o in $(slurmctld_sky_slurmctld_sky_OBJECTS); do \
	  case $$o in *-main.$(OBJEXT)|*-job_launch.$(OBJEXT)) ;; *) echo $$o ;; esac; done`; \
	  $(CCLD) $(CFLAGS) $(LDFLAGS) -o $@ bench/sched_bench.$(OBJEXT) $$objs \
	  $(slurmctld_sky_slurmctld_sky_LDADD) $(LIBS)
.PHONY: bench
bench: $(SKY_BENCH_SCHED)
