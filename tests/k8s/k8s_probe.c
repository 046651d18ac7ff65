/*
 * k8s_probe.c: a test driver for the Kubernetes client (slurmctld-sky/
 * k8s_config.h, k8s_api.h, k8s_gpu.h). The e2e tests 0960-0969 run it
 * against the emulator (tests/k8s/k8s.bash) and compare its stable output:
 *
 *   k8s-probe [GLOBAL] whoami                 server, context, namespace, auth kind
 *   k8s-probe [GLOBAL] nodes [--selector S]   one line per node, GPUs normalised
 *   k8s-probe [GLOBAL] get PATH               the object, compact JSON
 *   k8s-probe [GLOBAL] list PATH [--selector S] [--field F] [--limit N]
 *   k8s-probe [GLOBAL] create-pod NAME [--node N] [--gpu K] -- CMD [ARG...]
 *   k8s-probe [GLOBAL] delete-pod NAME [--grace S]
 *   k8s-probe [GLOBAL] label NODE KEY=VALUE   merge-patch of a node's labels
 *   k8s-probe [GLOBAL] watch PATH --events N [--selector S] [--rv RV]
 *                      [--timeout-secs S] [--stop-after SECS] [--pause-after N:FILE]
 *   k8s-probe [GLOBAL] logs POD [--follow]    the container log, streamed
 *   k8s-probe [GLOBAL] repeat N PATH          N GETs (exec plugin caching)
 *   k8s-probe [GLOBAL] parallel T N NODE      T threads (a client each) x N GETs
 *                      beside a watch thread on nodes, one shared config;
 *                      then NODE is labelled and the watch must see it
 *   GLOBAL: --kubeconfig F --context C --in-cluster DIR --rule LABEL=VALUE:TYPE[:N]
 *           --namespace NS --max-attempts N
 *
 * watch --pause-after N:FILE: after the Nth event print PAUSED and wait until
 * FILE exists, so a test can change the cluster while the watcher is deaf.
 *
 * Errors: "k8s-probe: error: <message>" on stderr and "http=<code> reason=<r>"
 * on stdout, exit status 1.
 */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k8s_api.h"
#include "k8s_config.h"
#include "k8s_gpu.h"
#include "log.h"
#include "xalloc.h"

struct probe {
	struct k8s_config *cfg;
	struct k8s_client *c;
	struct k8s_gpu_rule *rules;
	size_t n_rules;
	const char *ns;
	struct sky_errbuf eb;
};

/* Report the failure (rc is the SKY_E_* code, already in p->eb): exit status 1. */
static int fail(struct probe *p, int rc)
{
	const struct k8s_status *st = p->c ? k8s_client_status(p->c) : NULL;

	log_error("%s", sky_err_msg(&p->eb));
	printf("http=%ld reason=%s\n", st ? st->http : 0L, st && st->reason[0] ? st->reason : "-");
	(void)rc;
	return 1;
}

static const char *arg_after(int argc, char **argv, const char *name)
{
	for (int i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return NULL;
}

static int cmd_whoami(struct probe *p)
{
	const struct k8s_config *c = p->cfg;
	const char *auth = c->exec ? "exec" : c->token || c->token_file ? "token"
				  : c->cert.len || c->cert_file	? "cert"
				  : c->username			? "basic"
								: "none";
	json_object *v;
	int rc = k8s_get(p->c, "/version", &v, &p->eb);

	if (rc)
		return fail(p, rc);
	printf("server=%s context=%s namespace=%s auth=%s version=%s\n", c->server,
	       c->context ? c->context : "-", c->namespace, auth,
	       json_object_get_string(json_object_object_get(v, "gitVersion")));
	json_object_put(v);
	return 0;
}

static int cmd_nodes(struct probe *p, int argc, char **argv)
{
	json_object *nodes, *pods, *items;
	struct k8s_node_res *r;
	size_t n;
	int rc = k8s_list(p->c, "/api/v1/nodes", arg_after(argc, argv, "--selector"), NULL, 0,
			  &nodes, &p->eb);

	if (rc)
		return fail(p, rc);
	rc = k8s_list(p->c, "/api/v1/pods", NULL, NULL, 0, &pods, &p->eb);
	if (rc) {
		json_object_put(nodes);
		return fail(p, rc);
	}
	items = json_object_object_get(nodes, "items");
	n = json_object_array_length(items);
	r = xcalloc(n ? n : 1, sizeof(*r));
	for (size_t i = 0; i < n; i++)
		k8s_node_res_from(json_object_array_get_idx(items, i), p->rules, p->n_rules, &r[i]);
	k8s_node_res_sub_pods(r, n, pods);
	for (size_t i = 0; i < n; i++) {
		printf("node %s gpu=%s:%u free=%u cpu=%lldm/%lldm mem=%lld/%lld from=%s%s%s%s\n",
		       r[i].name, r[i].gpu_type ? r[i].gpu_type : "-", r[i].gpus, r[i].gpus_free,
		       (long long)r[i].cpu_milli_free, (long long)r[i].cpu_milli,
		       (long long)r[i].mem_bytes_free, (long long)r[i].mem_bytes,
		       r[i].gpu_key ? r[i].gpu_key : "-", r[i].gpu_key ? "=" : "",
		       r[i].gpu_value ? r[i].gpu_value : "", r[i].ready ? "" : " notready");
		k8s_node_res_free(&r[i]);
	}
	free(r);
	json_object_put(nodes);
	json_object_put(pods);
	return 0;
}

static int cmd_get(struct probe *p, const char *path)
{
	json_object *o;
	int rc = k8s_get(p->c, path, &o, &p->eb);

	if (rc)
		return fail(p, rc);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return 0;
}

static int cmd_list(struct probe *p, const char *path, int argc, char **argv)
{
	const char *lim = arg_after(argc, argv, "--limit");
	json_object *l, *items;
	int rc = k8s_list(p->c, path, arg_after(argc, argv, "--selector"),
			  arg_after(argc, argv, "--field"), lim ? atoi(lim) : 0, &l, &p->eb);

	if (rc)
		return fail(p, rc);
	items = json_object_object_get(l, "items");
	for (size_t i = 0; i < json_object_array_length(items); i++)
		printf("item %s\n", k8s_meta(json_object_array_get_idx(items, i), "name"));
	printf("count=%zu rv=%s\n", json_object_array_length(items),
	       k8s_meta(l, "resourceVersion") ? k8s_meta(l, "resourceVersion") : "-");
	json_object_put(l);
	return 0;
}

static json_object *pod_object(const char *name, const char *node, const char *gpus,
			       char **cmd, int n_cmd)
{
	json_object *pod = json_tokener_parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
		"\"metadata\":{\"labels\":{\"app.kubernetes.io/managed-by\":\"slurm-sky\"}},"
		"\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"job\","
		"\"image\":\"busybox\",\"resources\":{}}]}}");
	json_object *meta = json_object_object_get(pod, "metadata");
	json_object *spec = json_object_object_get(pod, "spec");
	json_object *ctr = json_object_array_get_idx(json_object_object_get(spec, "containers"), 0);
	json_object *command = json_object_new_array();

	json_object_object_add(meta, "name", json_object_new_string(name));
	if (node)
		json_object_object_add(spec, "nodeName", json_object_new_string(node));
	for (int i = 0; i < n_cmd; i++)
		json_object_array_add(command, json_object_new_string(cmd[i]));
	json_object_object_add(ctr, "command", command);
	if (gpus) {
		json_object *lim = json_object_new_object();
		json_object_object_add(lim, "nvidia.com/gpu", json_object_new_string(gpus));
		json_object_object_add(json_object_object_get(ctr, "resources"), "limits", lim);
	}
	return pod;
}

static int cmd_create_pod(struct probe *p, int argc, char **argv)
{
	int dash = 0;
	json_object *pod, *reply;
	char *path;
	int rc;

	while (dash < argc && strcmp(argv[dash], "--"))
		dash++;
	if (argc < 1 || dash >= argc - 1) {
		log_error("usage: create-pod NAME [--node N] [--gpu K] -- CMD [ARG...]");
		return 2;
	}
	pod = pod_object(argv[0], arg_after(dash, argv, "--node"), arg_after(dash, argv, "--gpu"),
			 argv + dash + 1, argc - dash - 1);
	path = xasprintf("/api/v1/namespaces/%s/pods", p->ns);
	rc = k8s_create(p->c, path, pod, &reply, &p->eb);
	free(path);
	json_object_put(pod);
	if (rc)
		return fail(p, rc);
	printf("created %s uid=%s\n", k8s_meta(reply, "name"),
	       k8s_meta(reply, "uid") ? k8s_meta(reply, "uid") : "-");
	json_object_put(reply);
	return 0;
}

static int cmd_delete_pod(struct probe *p, int argc, char **argv)
{
	const char *grace = arg_after(argc, argv, "--grace");
	char *path = xasprintf("/api/v1/namespaces/%s/pods/%s", p->ns, argv[0]);
	json_object *reply;
	int rc = k8s_delete(p->c, path, grace ? atoi(grace) : -1, "Background", &reply, &p->eb);

	free(path);
	if (rc)
		return fail(p, rc);
	printf("deleted %s\n", argv[0]);
	json_object_put(reply);
	return 0;
}

static int cmd_label(struct probe *p, const char *node, const char *kv)
{
	const char *eq = strchr(kv, '=');
	json_object *patch = json_object_new_object(), *meta = json_object_new_object();
	json_object *labels = json_object_new_object(), *reply;
	char *key = xstrndup(kv, eq ? (size_t)(eq - kv) : strlen(kv));
	char *path = xasprintf("/api/v1/nodes/%s", node);
	int rc;

	json_object_object_add(labels, key, eq ? json_object_new_string(eq + 1) : NULL);
	json_object_object_add(meta, "labels", labels);
	json_object_object_add(patch, "metadata", meta);
	rc = k8s_patch(p->c, path, K8S_PATCH_MERGE, patch, &reply, &p->eb);
	free(path);
	free(key);
	json_object_put(patch);
	if (rc)
		return fail(p, rc);
	printf("labelled %s rv=%s\n", node, k8s_meta(reply, "resourceVersion"));
	json_object_put(reply);
	return 0;
}

struct watch_arg {
	int want, seen;
	int pause_at;                   /* pause after the pause_at-th event */
	const char *pause_file;         /* until this file exists (30 s at most) */
};

static int on_event(void *arg, enum k8s_event ev, json_object *obj)
{
	struct watch_arg *a = arg;
	json_object *st, *phase;

	if (ev == K8S_EV_RELIST) {
		printf("RELIST count=%zu rv=%s\n",
		       json_object_array_length(json_object_object_get(obj, "items")),
		       k8s_meta(obj, "resourceVersion") ? k8s_meta(obj, "resourceVersion") : "-");
	} else {
		phase = json_object_object_get_ex(obj, "status", &st)
				? json_object_object_get(st, "phase") : NULL;
		printf("%s %s%s%s\n", k8s_event_name(ev),
		       k8s_meta(obj, "name") ? k8s_meta(obj, "name") : "-", phase ? " " : "",
		       phase ? json_object_get_string(phase) : "");
	}
	fflush(stdout);
	if (++a->seen == a->pause_at) {
		/* The test changes the cluster while this watcher is deaf. */
		printf("PAUSED\n");
		fflush(stdout);
		for (int i = 0; i < 300 && access(a->pause_file, F_OK); i++)
			usleep(100000);
	}
	return a->seen >= a->want ? -1 : 0;
}

static void *stopper(void *arg)
{
	struct k8s_watch *w = arg;
	const char *s = getenv("K8S_PROBE_STOP_AFTER");

	sleep((unsigned int)atoi(s));
	k8s_watch_stop(w);
	return NULL;
}

static int cmd_watch(struct probe *p, const char *path, int argc, char **argv)
{
	const char *events = arg_after(argc, argv, "--events"), *to;
	const char *stop = arg_after(argc, argv, "--stop-after");
	const char *pause = arg_after(argc, argv, "--pause-after");
	struct k8s_watch_opts o = { 0 };
	struct watch_arg a = { events ? atoi(events) : 1, 0, 0, NULL };
	const struct k8s_watch_stats *st;
	struct k8s_watch *w;
	pthread_t th;
	int rc;

	if (pause) {
		a.pause_at = atoi(pause);
		a.pause_file = strchr(pause, ':') ? strchr(pause, ':') + 1 : "";
		if (a.pause_at <= 0 || !*a.pause_file) {
			log_error("--pause-after wants N:FILE");
			return 2;
		}
	}
	o.path = path;
	o.label_selector = arg_after(argc, argv, "--selector");
	o.resource_version = arg_after(argc, argv, "--rv");
	to = arg_after(argc, argv, "--timeout-secs");
	o.timeout_secs = to ? atoi(to) : 0;
	o.backoff_base_ms = 100;
	o.backoff_cap_ms = 1000;
	rc = k8s_watch_new(p->cfg, &o, &w, &p->eb);
	if (rc)
		return fail(p, rc);
	if (stop) {
		setenv("K8S_PROBE_STOP_AFTER", stop, 1);
		pthread_create(&th, NULL, stopper, w);
	}
	rc = k8s_watch_run(w, on_event, &a, &p->eb);
	st = k8s_watch_stats(w);
	printf("stats events=%u relists=%u gone=%u connects=%u errors=%u rc=%d\n", st->events,
	       st->relists, st->gone, st->connects, st->errors, rc);
	if (stop)
		pthread_join(th, NULL);
	k8s_watch_free(w);
	if (rc > 0)
		return fail(p, rc);
	return 0;
}

static int cmd_repeat(struct probe *p, int n, const char *path)
{
	for (int i = 0; i < n; i++) {
		json_object *o;
		int rc = k8s_get(p->c, path, &o, &p->eb);
		if (rc)
			return fail(p, rc);
		json_object_put(o);
	}
	printf("requests=%d exec_runs=%u\n", n, p->cfg->exec_runs);
	return 0;
}

/* parallel: request threads (a client each) beside a watch, one shared config. */
struct par {
	struct probe *p;
	int n, ok, events, listed;
	pthread_mutex_t lock;
	struct k8s_watch *w;
};

static void *par_requests(void *arg)
{
	struct par *a = arg;
	struct k8s_client *c;
	struct sky_errbuf eb = { 0 };
	int ok = 0;

	if (k8s_client_new(a->p->cfg, &c, &eb))
		return NULL;
	for (int i = 0; i < a->n; i++) {
		json_object *o;
		if (k8s_get(c, "/api/v1/nodes", &o, &eb) == 0) {
			ok++;
			json_object_put(o);
		} else {
			log_error("%s", sky_err_msg(&eb));
		}
	}
	k8s_client_free(c);
	pthread_mutex_lock(&a->lock);
	a->ok += ok;
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static int par_event(void *arg, enum k8s_event ev, json_object *obj)
{
	struct par *a = arg;

	(void)obj;
	if (ev == K8S_EV_RELIST)
		__atomic_store_n(&a->listed, 1, __ATOMIC_SEQ_CST);
	if (ev == K8S_EV_MODIFIED)
		__atomic_add_fetch(&a->events, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void *par_watch(void *arg)
{
	struct par *a = arg;
	struct sky_errbuf eb = { 0 };

	if (k8s_watch_run(a->w, par_event, a, &eb))
		log_error("watch: %s", sky_err_msg(&eb));
	return NULL;
}

static int cmd_parallel(struct probe *p, int threads, int n, const char *node)
{
	struct k8s_watch_opts o = { .path = "/api/v1/nodes" };
	struct par a = { p, n, 0, 0, 0, PTHREAD_MUTEX_INITIALIZER, NULL };
	pthread_t wt, *th = xcalloc((size_t)threads, sizeof(*th));

	if (k8s_watch_new(p->cfg, &o, &a.w, &p->eb))
		return fail(p, 1);
	pthread_create(&wt, NULL, par_watch, &a);
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, par_requests, &a);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	/* One change the watch must see while the others ran. */
	for (int i = 0; i < 100 && !__atomic_load_n(&a.listed, __ATOMIC_SEQ_CST); i++)
		usleep(50000);
	if (cmd_label(p, node, "parallel=done"))
		return 1;
	for (int i = 0; i < 100 && !__atomic_load_n(&a.events, __ATOMIC_SEQ_CST); i++)
		usleep(50000);
	k8s_watch_stop(a.w);
	pthread_join(wt, NULL);
	printf("requests=%d ok=%d watch_events=%d exec_runs=%u\n", threads * n, a.ok,
	       a.events, p->cfg->exec_runs);
	k8s_watch_free(a.w);
	free(th);
	return a.ok == threads * n && a.events ? 0 : 1;
}

static int on_log(void *arg, const char *data, size_t len)
{
	(void)arg;
	fwrite(data, 1, len, stdout);
	fflush(stdout);
	return 0;
}

static int cmd_logs(struct probe *p, const char *pod, bool follow)
{
	char *path = xasprintf("/api/v1/namespaces/%s/pods/%s/log%s", p->ns, pod,
			       follow ? "?follow=true" : "");
	int rc = k8s_stream(p->c, path, on_log, NULL, NULL, &p->eb);

	free(path);
	return rc ? fail(p, rc) : 0;
}

static int dispatch(struct probe *p, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (!strcmp(cmd, "whoami"))
		return cmd_whoami(p);
	if (!strcmp(cmd, "nodes"))
		return cmd_nodes(p, argc, argv);
	if (!strcmp(cmd, "get") && argc > 1)
		return cmd_get(p, argv[1]);
	if (!strcmp(cmd, "list") && argc > 1)
		return cmd_list(p, argv[1], argc, argv);
	if (!strcmp(cmd, "create-pod") && argc > 1)
		return cmd_create_pod(p, argc - 1, argv + 1);
	if (!strcmp(cmd, "delete-pod") && argc > 1)
		return cmd_delete_pod(p, argc - 1, argv + 1);
	if (!strcmp(cmd, "label") && argc > 2)
		return cmd_label(p, argv[1], argv[2]);
	if (!strcmp(cmd, "watch") && argc > 1)
		return cmd_watch(p, argv[1], argc, argv);
	if (!strcmp(cmd, "logs") && argc > 1)
		return cmd_logs(p, argv[1], argc > 2 && !strcmp(argv[2], "--follow"));
	if (!strcmp(cmd, "parallel") && argc > 3)
		return cmd_parallel(p, atoi(argv[1]), atoi(argv[2]), argv[3]);
	if (!strcmp(cmd, "repeat") && argc > 2)
		return cmd_repeat(p, atoi(argv[1]), argv[2]);
	log_error("unknown command or missing argument: %s", cmd);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kubeconfig", required_argument, NULL, 'k' },
		{ "context", required_argument, NULL, 'c' },
		{ "in-cluster", required_argument, NULL, 'i' },
		{ "rule", required_argument, NULL, 'r' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "max-attempts", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kubeconfig = NULL, *context = NULL, *sa_dir = NULL;
	struct probe p = { 0 };
	int ch, rc, attempts = 0;

	log_init("k8s-probe", getenv("K8S_PROBE_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN, NULL,
		 false);
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': kubeconfig = optarg; break;
		case 'c': context = optarg; break;
		case 'i': sa_dir = optarg; break;
		case 'n': p.ns = optarg; break;
		case 'm': attempts = atoi(optarg); break;
		case 'r':
			p.rules = xrealloc(p.rules, (p.n_rules + 1) * sizeof(*p.rules));
			if (k8s_gpu_rule_parse(optarg, &p.rules[p.n_rules++], &p.eb)) {
				log_error("%s", sky_err_msg(&p.eb));
				return 2;
			}
			break;
		default: return 2;
		}
	}
	if (optind >= argc) {
		log_error("usage: k8s-probe [GLOBAL] COMMAND [ARG...]");
		return 2;
	}
	rc = sa_dir ? k8s_config_in_cluster(sa_dir, &p.cfg, &p.eb)
		    : k8s_config_load(kubeconfig, context, &p.cfg, &p.eb);
	if (rc || k8s_client_new(p.cfg, &p.c, &p.eb)) {
		log_error("%s", sky_err_msg(&p.eb));
		return 1;
	}
	if (attempts)
		k8s_client_set_limits(p.c, 5000, 30000, attempts, 100, 1000);
	if (!p.ns)
		p.ns = p.cfg->namespace;
	rc = dispatch(&p, argc - optind, argv + optind);
	k8s_client_free(p.c);
	k8s_config_free(p.cfg);
	for (size_t i = 0; i < p.n_rules; i++)
		k8s_gpu_rule_free(&p.rules[i]);
	free(p.rules);
	return rc;
}
