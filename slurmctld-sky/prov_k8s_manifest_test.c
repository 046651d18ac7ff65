/*
 * prov_k8s_manifest_test.c: the Kubernetes objects of a job
 * (prov_k8s_manifest.h) and each pod's environment (prov_k8s_env.h): a
 * 2-node GPU job's pods (resources, affinity, tolerations, labels, owner,
 * command, env), a CPU job's, a task YAML's, the Service and the ConfigMap.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "job_env.h"
#include "prov_k8s_env.h"
#include "prov_k8s_int.h"
#include "prov_k8s_manifest.h"
#include "unit.h"
#include "xalloc.h"

/* The value at a '/'-separated path ("spec/containers/0/name"), or NULL. */
static json_object *at(json_object *o, const char *path)
{
	char *p = xstrdup(path), *s = p, *slash;

	while (o && s) {
		slash = strchr(s, '/');
		if (slash)
			*slash = '\0';
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(s));
		else if (!json_object_object_get_ex(o, s, &o))
			o = NULL;
		s = slash ? slash + 1 : NULL;
	}
	free(p);
	return o;
}

static void str_is(json_object *o, const char *path, const char *want)
{
	json_object *v = at(o, path);
	const char *got = v ? json_object_get_string(v) : NULL;

	ck_assert_msg(got && !strcmp(got, want), "%s = '%s', want '%s'", path,
		      got ? got : "(none)", want);
}

static void absent(json_object *o, const char *path)
{
	ck_assert_msg(!at(o, path), "%s present: %s", path,
		      json_object_to_json_string(at(o, path)));
}

/* The value of NAME in the pod's env list, or NULL. */
static const char *env_of(json_object *pod, const char *name)
{
	json_object *l = at(pod, "spec/containers/0/env");

	for (size_t i = 0; l && i < json_object_array_length(l); i++) {
		json_object *e = json_object_array_get_idx(l, i);
		if (!strcmp(json_object_get_string(at(e, "name")), name))
			return json_object_get_string(at(e, "value"));
	}
	return NULL;
}

static void env_is(json_object *pod, const char *name, const char *want)
{
	const char *got = env_of(pod, name);

	ck_assert_msg(got && !strcmp(got, want), "env %s = '%s', want '%s'", name,
		      got ? got : "(none)", want);
}

/* A job as the controller holds it, and the record's pieces. */
struct fixture {
	Sky__JobRecord rec;
	Sky__JobDesc desc;
	Sky__GresAlloc ga[2], *gap[2];
	Sky__LaunchJob lj;
	char *env[4];
	char *argv[2];
	struct k8s_pconf pc;
	char *tols[1], *labels[1];
	struct k8s_manifest m;
};

static void fixture_init(struct fixture *f, bool gpus, bool task_yaml)
{
	static const char *const slots[] = { "k8s-0", "k8s-1" };
	static const char *const nodes[] = { "gke-h100-a", "gke-h100-b" };

	memset(f, 0, sizeof(*f));
	sky__job_record__init(&f->rec);
	sky__job_desc__init(&f->desc);
	sky__launch_job__init(&f->lj);
	f->rec.job_id = 42;
	f->rec.desc = &f->desc;
	f->rec.user_id = 1000;
	f->rec.group_id = 1000;
	f->rec.user_name = "alice";
	f->rec.cluster = "sky";
	f->rec.partition = "k8s";
	f->rec.node_list = "k8s-[0-1]";
	f->rec.has_num_nodes = f->rec.has_cpus_per_node = f->rec.has_start_time = true;
	f->rec.num_nodes = 2;
	f->rec.cpus_per_node = 8;
	f->rec.start_time = 1700000000;
	f->rec.batch_host = "k8s-0";
	f->desc.name = "train";
	f->desc.task_yaml = task_yaml;
	f->env[0] = "PATH=/usr/bin:/bin";
	f->env[1] = "MASTER_PORT=1234";      /* the user's own: kept */
	f->env[2] = "SLURM_GET_USER_ENV=1";  /* the controller's login shell is not run */
	f->argv[0] = "--epochs=3";
	for (int i = 0; gpus && i < 2; i++) {
		sky__gres_alloc__init(&f->ga[i]);
		f->ga[i].node = (char *)slots[i];
		f->ga[i].name = "gpu";
		f->ga[i].type = "h100";
		f->ga[i].has_count = true;
		f->ga[i].count = 2;
		f->ga[i].indices = i ? "0-1" : "4-5";
		f->gap[i] = &f->ga[i];
	}
	if (gpus) {
		f->rec.n_gres_alloc = 2;
		f->rec.gres_alloc = f->gap;
	}
	f->lj.job_id = 42;
	f->lj.job = &f->rec;
	f->lj.env = f->env;
	f->lj.n_env = 3;

	f->pc.ns = "default";
	f->pc.image = "debian:stable";
	f->pc.service_account = "trainer";
	f->pc.priority_class = "batch";
	f->tols[0] = "dedicated=ml:NoSchedule";
	f->pc.tolerations = f->tols;
	f->pc.n_tolerations = 1;
	f->labels[0] = "team=ml";
	f->pc.labels = f->labels;
	f->pc.n_labels = 1;

	f->m.pc = &f->pc;
	f->m.cluster = xstrdup("sky");
	f->m.name = xstrdup("sky-sky-42");
	f->m.job_id = 42;
	f->m.restart = 3;
	f->m.uid = 1000;
	f->m.grace_secs = 30;
	f->m.gid = 1000;
	f->m.every_rank = task_yaml;
	f->m.work_dir = xstrdup("/home/alice/run");
	f->m.args = xcalloc(2, sizeof(char *));
	f->m.args[0] = xstrdup(f->argv[0]);
	f->m.n_args = 1;
	f->m.pods = xcalloc(2, sizeof(*f->m.pods));
	f->m.n_pods = 2;
	for (int i = 0; i < 2; i++) {
		f->m.pods[i].slot = xstrdup(slots[i]);
		f->m.pods[i].k8s_node = xstrdup(nodes[i]);
		f->m.pods[i].hostname_label = gpus ? xstrdup(nodes[i]) : NULL;
		f->m.pods[i].cpus = 8;
		f->m.pods[i].mem_mb = gpus ? 65536 : 0;
		f->m.pods[i].gpus = gpus ? 2 : 0;
	}
}

static void fixture_env(struct fixture *f)
{
	char *slots[2] = { f->m.pods[0].slot, f->m.pods[1].slot };
	char *addrs[2] = { "sky-sky-42-0.sky-sky-42", "sky-sky-42-1.sky-sky-42" };
	uint32_t gpus[2] = { f->m.pods[0].gpus, f->m.pods[1].gpus };
	struct k8s_env_job e = { .lj = &f->lj, .cluster = "sky", .slots = slots, .addrs = addrs,
				 .gpus = gpus, .n = 2 };

	for (uint32_t r = 0; r < 2; r++)
		f->m.pods[r].env = k8s_env_rank(&e, r);
}

START_TEST(test_gpu_pods)
{
	struct fixture f;
	json_object *p0, *p1;

	fixture_init(&f, true, false);
	fixture_env(&f);
	p0 = k8s_manifest_pod(&f.m, 0, "uid-cm");
	p1 = k8s_manifest_pod(&f.m, 1, "uid-cm");
	str_is(p1, "apiVersion", "v1");
	str_is(p1, "kind", "Pod");
	str_is(p1, "metadata/name", "sky-sky-42-1");
	str_is(p1, "metadata/namespace", "default");
	/* labels (json paths cannot hold '/': check them by key) */
	{
		json_object *l = at(p1, "metadata/labels");
		struct { const char *k, *v; } want[] = {
			{ K8S_LABEL_MANAGED, "slurm-sky" }, { K8S_LABEL_CLUSTER, "sky" },
			{ K8S_LABEL_JOB, "42" }, { K8S_LABEL_RESTART, "3" },
			{ K8S_LABEL_NODE, "k8s-1" }, { K8S_LABEL_RANK, "1" }, { "team", "ml" },
		};
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			json_object *v = NULL;
			ck_assert_msg(json_object_object_get_ex(l, want[i].k, &v) &&
				      !strcmp(json_object_get_string(v), want[i].v),
				      "label %s: %s", want[i].k, json_object_to_json_string(l));
		}
	}
	str_is(p1, "metadata/ownerReferences/0/kind", "ConfigMap");
	str_is(p1, "metadata/ownerReferences/0/name", "sky-sky-42");
	str_is(p1, "metadata/ownerReferences/0/uid", "uid-cm");
	str_is(p1, "spec/hostname", "sky-sky-42-1");
	str_is(p1, "spec/subdomain", "sky-sky-42");
	str_is(p1, "spec/restartPolicy", "Never");
	str_is(p1, "spec/terminationGracePeriodSeconds", "30");
	str_is(p1, "spec/priorityClassName", "batch");
	str_is(p1, "spec/serviceAccountName", "trainer");
	str_is(p1, "spec/securityContext/runAsUser", "1000");
	absent(p1, "spec/nodeName");
	str_is(p1, "spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
	       "nodeSelectorTerms/0/matchExpressions/0/key", "kubernetes.io/hostname");
	str_is(p1, "spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
	       "nodeSelectorTerms/0/matchExpressions/0/operator", "In");
	str_is(p1, "spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
	       "nodeSelectorTerms/0/matchExpressions/0/values/0", "gke-h100-b");
	str_is(p0, "spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
	       "nodeSelectorTerms/0/matchExpressions/0/values/0", "gke-h100-a");
	str_is(p1, "spec/tolerations/0/key", "dedicated");
	str_is(p1, "spec/tolerations/0/operator", "Equal");
	str_is(p1, "spec/tolerations/0/value", "ml");
	str_is(p1, "spec/tolerations/0/effect", "NoSchedule");
	str_is(p1, "spec/tolerations/1/key", "nvidia.com/gpu");
	str_is(p1, "spec/tolerations/1/operator", "Exists");
	str_is(p1, "spec/tolerations/1/effect", "NoSchedule");
	str_is(p1, "spec/containers/0/image", "debian:stable");
	str_is(p1, "spec/containers/0/workingDir", "/home/alice/run");
	str_is(p1, "spec/containers/0/resources/requests/cpu", "8");
	str_is(p1, "spec/containers/0/resources/requests/memory", "65536Mi");
	str_is(p1, "spec/containers/0/resources/limits/cpu", "8");
	str_is(p1, "spec/containers/0/resources/limits/memory", "65536Mi");
	{
		json_object *rq = at(p1, "spec/containers/0/resources/requests"), *v = NULL;
		json_object *lm = at(p1, "spec/containers/0/resources/limits");
		ck_assert(json_object_object_get_ex(rq, "nvidia.com/gpu", &v));
		ck_assert_str_eq(json_object_get_string(v), "2");
		ck_assert(json_object_object_get_ex(lm, "nvidia.com/gpu", &v));
		ck_assert_str_eq(json_object_get_string(v), "2");
	}
	str_is(p1, "spec/containers/0/volumeMounts/0/mountPath", "/sky/job");
	str_is(p1, "spec/volumes/0/configMap/name", "sky-sky-42");
	str_is(p1, "spec/volumes/0/configMap/defaultMode", "493");
	/* rank 0 runs the script with its arguments, rank 1 holds its node */
	str_is(p0, "spec/containers/0/command/0", "/sky/job/script");
	str_is(p0, "spec/containers/0/args/0", "--epochs=3");
	str_is(p1, "spec/containers/0/command/0", "/bin/sh");
	absent(p1, "spec/containers/0/args");
	/* env: the batch environment on that node, then the distributed-training variables */
	env_is(p1, "SLURM_JOB_ID", "42");
	env_is(p1, "SLURMD_NODENAME", "k8s-1");
	env_is(p1, "SLURM_NODEID", "1");
	env_is(p0, "SLURM_NODEID", "0");
	env_is(p1, "SLURM_JOB_NODELIST", "k8s-[0-1]");
	env_is(p1, "SLURM_JOB_NUM_NODES", "2");
	env_is(p1, "SLURM_CLUSTER_NAME", "sky");
	env_is(p1, "PATH", "/usr/bin:/bin");
	ck_assert_msg(!env_of(p1, "SLURM_GET_USER_ENV"), "--get-user-env passed on");
	env_is(p0, "SLURM_JOB_GPUS", "4,5");
	env_is(p0, "CUDA_VISIBLE_DEVICES", "0,1");
	env_is(p1, "CUDA_VISIBLE_DEVICES", "0,1");
	env_is(p1, "SLURM_GPUS_ON_NODE", "2");
	env_is(p1, "MASTER_ADDR", "sky-sky-42-0.sky-sky-42");
	env_is(p1, "MASTER_PORT", "1234");
	env_is(p1, "WORLD_SIZE", "2");
	env_is(p1, "RANK", "1");
	env_is(p0, "RANK", "0");
	env_is(p1, "NODE_RANK", "1");
	env_is(p1, "LOCAL_RANK", "0");
	env_is(p1, "SKYPILOT_NODE_RANK", "1");
	env_is(p1, "SKYPILOT_NODE_IPS", "sky-sky-42-0.sky-sky-42\nsky-sky-42-1.sky-sky-42");
	env_is(p1, "SKYPILOT_NUM_NODES", "2");
	env_is(p1, "SKYPILOT_NUM_GPUS_PER_NODE", "2");
	/* as sky_dist: the coordinator port is the job's, whatever MASTER_PORT the user set */
	env_is(p1, "JAX_COORDINATOR_ADDRESS", "sky-sky-42-0.sky-sky-42:29542");
	json_object_put(p0);
	json_object_put(p1);
	/* Tolerations= already tolerating the GPU taint: not twice */
	f.tols[0] = "nvidia.com/gpu:NoSchedule";
	p1 = k8s_manifest_pod(&f.m, 1, NULL);
	str_is(p1, "spec/tolerations/0/key", "nvidia.com/gpu");
	str_is(p1, "spec/tolerations/0/operator", "Exists");
	absent(p1, "spec/tolerations/1");
	json_object_put(p1);
	k8s_manifest_free(&f.m);
}
END_TEST

START_TEST(test_cpu_pod)
{
	struct fixture f;
	json_object *p, *rq, *v;

	fixture_init(&f, false, false);
	f.env[1] = "PATH2=$(HOME)/x";   /* the kubelet must not expand it */
	fixture_env(&f);
	p = k8s_manifest_pod(&f.m, 0, NULL);
	str_is(p, "spec/nodeName", "gke-h100-a");
	absent(p, "spec/affinity");
	absent(p, "metadata/ownerReferences");
	absent(p, "spec/tolerations/1");
	str_is(p, "spec/tolerations/0/key", "dedicated");
	rq = at(p, "spec/containers/0/resources/requests");
	ck_assert(!json_object_object_get_ex(rq, "nvidia.com/gpu", &v));
	ck_assert(!json_object_object_get_ex(rq, "memory", &v));
	ck_assert(!env_of(p, "CUDA_VISIBLE_DEVICES"));
	env_is(p, "PATH2", "$$(HOME)/x");
	/* no user value now: the sky_dist port rule (29500 + 42 mod 500) */
	env_is(p, "MASTER_PORT", "29542");
	env_is(p, "SKYPILOT_NUM_GPUS_PER_NODE", "0");
	json_object_put(p);
	k8s_manifest_free(&f.m);
}
END_TEST

START_TEST(test_task_yaml_and_no_dist)
{
	struct fixture f;
	json_object *p;

	fixture_init(&f, false, true);
	f.desc.accelerators = "A100:8";
	fixture_env(&f);
	p = k8s_manifest_pod(&f.m, 1, NULL);
	/* SkyPilot runs `run` on every node */
	str_is(p, "spec/containers/0/command/0", "/sky/job/script");
	env_is(p, "SKYPILOT_NODE_RANK", "1");
	env_is(p, "SKYPILOT_NODE_IPS", "sky-sky-42-0.sky-sky-42\nsky-sky-42-1.sky-sky-42");
	json_object_put(p);
	k8s_manifest_free(&f.m);

	fixture_init(&f, false, false);
	f.env[1] = "_SLURM_SPANK_OPTION_sky_dist_no_dist_env=";
	fixture_env(&f);
	p = k8s_manifest_pod(&f.m, 1, NULL);
	ck_assert(!env_of(p, "MASTER_ADDR"));
	ck_assert(!env_of(p, "WORLD_SIZE"));
	env_is(p, "SLURM_NODEID", "1");
	json_object_put(p);
	k8s_manifest_free(&f.m);
}
END_TEST

START_TEST(test_service_configmap)
{
	static const char script[] = "#!/bin/sh\necho hello\n";
	struct fixture f;
	json_object *s, *cm, *sel, *v;
	char *q;

	fixture_init(&f, true, false);
	s = k8s_manifest_service(&f.m, "uid-cm");
	str_is(s, "kind", "Service");
	str_is(s, "metadata/name", "sky-sky-42");
	str_is(s, "spec/clusterIP", "None");
	str_is(s, "metadata/ownerReferences/0/uid", "uid-cm");
	sel = at(s, "spec/selector");
	ck_assert(json_object_object_get_ex(sel, K8S_LABEL_JOB, &v));
	ck_assert_str_eq(json_object_get_string(v), "42");
	ck_assert(json_object_object_get_ex(sel, K8S_LABEL_CLUSTER, &v));
	ck_assert_str_eq(json_object_get_string(v), "sky");
	cm = k8s_manifest_configmap(&f.m, (const uint8_t *)script, strlen(script));
	str_is(cm, "kind", "ConfigMap");
	str_is(cm, "metadata/name", "sky-sky-42");
	str_is(cm, "data/script", script);
	absent(cm, "metadata/ownerReferences");
	q = k8s_job_selector(f.m.cluster, f.m.job_id);
	ck_assert_str_eq(q, "app.kubernetes.io/managed-by=slurm-sky,slurm-sky/cluster=sky,"
			 "slurm-sky/job=42");
	free(q);
	json_object_put(s);
	json_object_put(cm);
	k8s_manifest_free(&f.m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("prov_k8s_manifest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_gpu_pods);
	tcase_add_test(tc, test_cpu_pod);
	tcase_add_test(tc, test_task_yaml_and_no_dist);
	tcase_add_test(tc, test_service_configmap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
