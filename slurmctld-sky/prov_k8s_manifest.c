/* prov_k8s_manifest.c: see prov_k8s_manifest.h. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "job_env.h"
#include "prov_k8s_int.h"
#include "prov_k8s_manifest.h"
#include "xalloc.h"

#define GPU_RESOURCE "nvidia.com/gpu"
/* What ranks that do not run the script do: hold the node until deleted. */
#define HOLD_CMD "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"

void k8s_manifest_free(struct k8s_manifest *m)
{
	for (size_t i = 0; i < m->n_pods; i++) {
		free(m->pods[i].slot);
		free(m->pods[i].k8s_node);
		free(m->pods[i].hostname_label);
		job_env_free(m->pods[i].env);
	}
	free(m->pods);
	for (size_t i = 0; i < m->n_args; i++)
		free(m->args[i]);
	free(m->args);
	free(m->cluster);
	free(m->name);
	free(m->work_dir);
	memset(m, 0, sizeof(*m));
}

char *k8s_manifest_pod_name(const struct k8s_manifest *m, uint32_t rank)
{
	return xasprintf("%s-%" PRIu32, m->name, rank);
}

char *k8s_job_selector(const char *cluster, uint32_t job_id)
{
	return xasprintf(K8S_LABEL_MANAGED "=" K8S_MANAGED_VALUE "," K8S_LABEL_CLUSTER "=%s,"
			 K8S_LABEL_JOB "=%" PRIu32, cluster, job_id);
}

static void add_str(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

static json_object *obj_new(const char *kind)
{
	json_object *o = json_object_new_object();

	add_str(o, "apiVersion", "v1");
	add_str(o, "kind", kind);
	return o;
}

static void add_label(json_object *l, const char *key, const char *fmt, uint32_t v)
{
	char *s = xasprintf(fmt, v);

	add_str(l, key, s);
	free(s);
}

/* The labels of every object of the job, plus the pod's own when rank >= 0. */
static json_object *labels(const struct k8s_manifest *m, int64_t rank)
{
	json_object *l = json_object_new_object();

	/* The admin's Labels= first: ours must not be overridden by them. */
	for (size_t i = 0; m->pc && i < m->pc->n_labels; i++) {
		const char *eq = strchr(m->pc->labels[i], '=');
		char *k;
		if (!eq)
			continue;
		k = xstrndup(m->pc->labels[i], (size_t)(eq - m->pc->labels[i]));
		add_str(l, k, eq + 1);
		free(k);
	}
	add_str(l, K8S_LABEL_MANAGED, K8S_MANAGED_VALUE);
	add_str(l, K8S_LABEL_CLUSTER, m->cluster);
	add_label(l, K8S_LABEL_JOB, "%" PRIu32, m->job_id);
	add_label(l, K8S_LABEL_RESTART, "%" PRIu32, m->restart);
	if (rank >= 0) {
		add_str(l, K8S_LABEL_NODE, m->pods[rank].slot);
		add_label(l, K8S_LABEL_RANK, "%" PRIu32, (uint32_t)rank);
	}
	return l;
}

static json_object *metadata(const struct k8s_manifest *m, const char *name, int64_t rank,
			     const char *owner_uid)
{
	json_object *md = json_object_new_object(), *refs, *ref;

	add_str(md, "name", name);
	if (m->pc && m->pc->ns)
		add_str(md, "namespace", m->pc->ns);
	json_object_object_add(md, "labels", labels(m, rank));
	if (owner_uid) {
		refs = json_object_new_array();
		ref = json_object_new_object();
		add_str(ref, "apiVersion", "v1");
		add_str(ref, "kind", "ConfigMap");
		add_str(ref, "name", m->name);
		add_str(ref, "uid", owner_uid);
		json_object_array_add(refs, ref);
		json_object_object_add(md, "ownerReferences", refs);
	}
	return md;
}

json_object *k8s_manifest_configmap(const struct k8s_manifest *m, const uint8_t *script,
				    size_t len)
{
	json_object *o = obj_new("ConfigMap"), *data = json_object_new_object();

	json_object_object_add(o, "metadata", metadata(m, m->name, -1, NULL));
	json_object_object_add(data, "script",
			       json_object_new_string_len((const char *)script, (int)len));
	json_object_object_add(o, "data", data);
	return o;
}

json_object *k8s_manifest_service(const struct k8s_manifest *m, const char *owner_uid)
{
	json_object *o = obj_new("Service"), *spec = json_object_new_object();
	json_object *sel = json_object_new_object();

	json_object_object_add(o, "metadata", metadata(m, m->name, -1, owner_uid));
	add_str(spec, "clusterIP", "None");
	add_str(sel, K8S_LABEL_CLUSTER, m->cluster);
	add_label(sel, K8S_LABEL_JOB, "%" PRIu32, m->job_id);
	json_object_object_add(spec, "selector", sel);
	json_object_object_add(spec, "publishNotReadyAddresses", json_object_new_boolean(1));
	json_object_object_add(o, "spec", spec);
	return o;
}

/* Kubernetes' env names before 1.30 (C identifiers, '-' and '.'): others are refused. */
static bool env_name_ok(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

/* The kubelet expands $(VAR) in values; $$ keeps a '$' literal. */
static char *env_escape(const char *v)
{
	char *out = xstrdup("");

	for (const char *p = v; *p; p++)
		xstrfmtcat(&out, "%s%c", p[0] == '$' && p[1] == '(' ? "$" : "", *p);
	return out;
}

static json_object *env_list(char *const *env)
{
	json_object *l = json_object_new_array();

	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		json_object *e;
		char *k, *v;
		if (!eq || !env_name_ok(env[i], (size_t)(eq - env[i])))
			continue;
		e = json_object_new_object();
		k = xstrndup(env[i], (size_t)(eq - env[i]));
		v = env_escape(eq + 1);
		add_str(e, "name", k);
		add_str(e, "value", v);
		free(k);
		free(v);
		json_object_array_add(l, e);
	}
	return l;
}

static json_object *resources(const struct k8s_mpod *p)
{
	json_object *r = json_object_new_object(), *q = json_object_new_object();
	char *s;

	s = xasprintf("%" PRIu32, p->cpus ? p->cpus : 1);
	add_str(q, "cpu", s);
	free(s);
	if (p->mem_mb) {
		s = xasprintf("%" PRIu64 "Mi", p->mem_mb);
		add_str(q, "memory", s);
		free(s);
	}
	if (p->gpus) {
		s = xasprintf("%" PRIu32, p->gpus);
		add_str(q, GPU_RESOURCE, s);
		free(s);
	}
	json_object_object_add(r, "requests", json_object_get(q));
	json_object_object_add(r, "limits", q);
	return r;
}

/* "KEY[=VALUE]:EFFECT" (Tolerations=) as a toleration. */
static json_object *toleration(const char *spec)
{
	const char *colon = strrchr(spec, ':'), *eq = strchr(spec, '=');
	json_object *t = json_object_new_object();
	char *key;

	if (eq && colon && eq > colon)
		eq = NULL;
	key = xstrndup(spec, (size_t)((eq ? eq : colon ? colon : spec + strlen(spec)) - spec));
	add_str(t, "key", key);
	free(key);
	if (eq) {
		char *val = xstrndup(eq + 1, (size_t)((colon ? colon : eq + strlen(eq)) - eq - 1));
		add_str(t, "operator", "Equal");
		add_str(t, "value", val);
		free(val);
	} else {
		add_str(t, "operator", "Exists");
	}
	if (colon && colon[1])
		add_str(t, "effect", colon + 1);
	return t;
}

/* Whether Tolerations= already tolerates any nvidia.com/gpu NoSchedule taint. */
static bool gpu_tolerated(const struct k8s_manifest *m)
{
	static const char key[] = GPU_RESOURCE ":";

	for (size_t i = 0; m->pc && i < m->pc->n_tolerations; i++)
		if (!strncmp(m->pc->tolerations[i], key, sizeof(key) - 1) &&
		    (!strcmp(m->pc->tolerations[i] + sizeof(key) - 1, "NoSchedule") ||
		     !m->pc->tolerations[i][sizeof(key) - 1]))
			return true;
	return false;
}

static json_object *tolerations(const struct k8s_manifest *m, const struct k8s_mpod *p)
{
	json_object *l = json_object_new_array(), *t;

	for (size_t i = 0; m->pc && i < m->pc->n_tolerations; i++)
		json_object_array_add(l, toleration(m->pc->tolerations[i]));
	if (p->gpus && !gpu_tolerated(m)) {
		/* GPU nodes are tainted by every distribution's device plugin setup. */
		t = json_object_new_object();
		add_str(t, "key", GPU_RESOURCE);
		add_str(t, "operator", "Exists");
		add_str(t, "effect", "NoSchedule");
		json_object_array_add(l, t);
	}
	return l;
}

static json_object *affinity(const char *hostname_label)
{
	json_object *a = json_object_new_object(), *na = json_object_new_object();
	json_object *req = json_object_new_object(), *terms = json_object_new_array();
	json_object *term = json_object_new_object(), *exprs = json_object_new_array();
	json_object *e = json_object_new_object(), *vals = json_object_new_array();

	add_str(e, "key", "kubernetes.io/hostname");
	add_str(e, "operator", "In");
	json_object_array_add(vals, json_object_new_string(hostname_label));
	json_object_object_add(e, "values", vals);
	json_object_array_add(exprs, e);
	json_object_object_add(term, "matchExpressions", exprs);
	json_object_array_add(terms, term);
	json_object_object_add(req, "nodeSelectorTerms", terms);
	json_object_object_add(na, "requiredDuringSchedulingIgnoredDuringExecution", req);
	json_object_object_add(a, "nodeAffinity", na);
	return a;
}

static json_object *command(const struct k8s_manifest *m, uint32_t rank, json_object **args)
{
	json_object *cmd = json_object_new_array();

	*args = NULL;
	if (rank == 0 || m->every_rank) {
		json_object_array_add(cmd, json_object_new_string(K8S_JOB_SCRIPT));
		if (m->n_args) {
			*args = json_object_new_array();
			for (size_t i = 0; i < m->n_args; i++)
				json_object_array_add(*args, json_object_new_string(m->args[i]));
		}
		return cmd;
	}
	json_object_array_add(cmd, json_object_new_string("/bin/sh"));
	json_object_array_add(cmd, json_object_new_string("-c"));
	json_object_array_add(cmd, json_object_new_string(HOLD_CMD));
	return cmd;
}

static json_object *container(const struct k8s_manifest *m, uint32_t rank)
{
	const struct k8s_mpod *p = &m->pods[rank];
	json_object *c = json_object_new_object(), *mounts = json_object_new_array();
	json_object *mnt = json_object_new_object(), *args;

	add_str(c, "name", "job");
	add_str(c, "image", m->pc && m->pc->image ? m->pc->image : "");
	json_object_object_add(c, "command", command(m, rank, &args));
	if (args)
		json_object_object_add(c, "args", args);
	if (m->work_dir && m->work_dir[0] == '/')
		add_str(c, "workingDir", m->work_dir);
	json_object_object_add(c, "env", env_list(p->env));
	json_object_object_add(c, "resources", resources(p));
	add_str(mnt, "name", "job");
	add_str(mnt, "mountPath", K8S_JOB_MOUNT);
	json_object_object_add(mnt, "readOnly", json_object_new_boolean(1));
	json_object_array_add(mounts, mnt);
	json_object_object_add(c, "volumeMounts", mounts);
	return c;
}

static json_object *volumes(const struct k8s_manifest *m)
{
	json_object *l = json_object_new_array(), *v = json_object_new_object();
	json_object *cm = json_object_new_object();

	add_str(v, "name", "job");
	add_str(cm, "name", m->name);
	json_object_object_add(cm, "defaultMode", json_object_new_int(0755));
	json_object_object_add(v, "configMap", cm);
	json_object_array_add(l, v);
	return l;
}

json_object *k8s_manifest_pod(const struct k8s_manifest *m, uint32_t rank, const char *owner_uid)
{
	const struct k8s_mpod *p = &m->pods[rank];
	json_object *o = obj_new("Pod"), *spec = json_object_new_object();
	json_object *ctrs = json_object_new_array(), *sc;
	char *name = k8s_manifest_pod_name(m, rank);

	json_object_object_add(o, "metadata", metadata(m, name, rank, owner_uid));
	add_str(spec, "hostname", name);
	add_str(spec, "subdomain", m->name);
	if (p->hostname_label)
		json_object_object_add(spec, "affinity", affinity(p->hostname_label));
	else if (p->k8s_node)
		add_str(spec, "nodeName", p->k8s_node);
	add_str(spec, "restartPolicy", "Never");
	json_object_object_add(spec, "terminationGracePeriodSeconds",
			       json_object_new_int64(m->grace_secs));
	json_object_object_add(spec, "tolerations", tolerations(m, p));
	if (m->pc && m->pc->priority_class)
		add_str(spec, "priorityClassName", m->pc->priority_class);
	if (m->pc && m->pc->service_account)
		add_str(spec, "serviceAccountName", m->pc->service_account);
	if (m->uid) {
		/* The job runs as its user, as on an agent's node. */
		sc = json_object_new_object();
		json_object_object_add(sc, "runAsUser", json_object_new_int64(m->uid));
		json_object_object_add(sc, "runAsGroup", json_object_new_int64(m->gid));
		json_object_object_add(spec, "securityContext", sc);
	}
	json_object_array_add(ctrs, container(m, rank));
	json_object_object_add(spec, "containers", ctrs);
	json_object_object_add(spec, "volumes", volumes(m));
	json_object_object_add(o, "spec", spec);
	free(name);
	return o;
}
