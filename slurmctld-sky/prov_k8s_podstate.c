/*
 * prov_k8s_podstate.c: a pod object's meaning for its job, and the log line
 * handling of the output streams (see prov_k8s_podstate.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov_k8s_int.h"
#include "prov_k8s_podstate.h"
#include "xalloc.h"

static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool label_u32(json_object *labels, const char *key, uint32_t *out)
{
	const char *s = jstr(labels, key);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return false;
	v = strtoul(s, &end, 10);
	if (*end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static void set_why(struct k8s_pod_obs *o, const char *why)
{
	snprintf(o->why, sizeof(o->why), "%s", why ? why : "");
}

/* A DisruptionTarget condition (preemption, PodGC of a lost node, eviction by
 * the kubelet or the API): the pod did not end on its own. */
static const char *disruption(json_object *status)
{
	json_object *conds = jget(status, "conditions");
	size_t n = conds && json_object_is_type(conds, json_type_array)
			   ? json_object_array_length(conds) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(conds, i);
		const char *type = jstr(c, "type"), *st = jstr(c, "status");

		if (type && st && !strcmp(type, "DisruptionTarget") && !strcmp(st, "True"))
			return jstr(c, "reason") ? jstr(c, "reason") : "DisruptionTarget";
	}
	return NULL;
}

static void read_container(json_object *status, struct k8s_pod_obs *o, json_object **term)
{
	json_object *cs = jget(status, "containerStatuses"), *c0, *state;

	*term = NULL;
	if (!cs || !json_object_is_type(cs, json_type_array) || !json_object_array_length(cs))
		return;
	c0 = json_object_array_get_idx(cs, 0);
	state = jget(c0, "state");
	if (jget(state, "running"))
		o->started = true;
	if ((*term = jget(state, "terminated")))
		o->started = true;
}

static void read_end(json_object *pod, bool deleted, struct k8s_pod_obs *o)
{
	json_object *status = jget(pod, "status"), *term, *code;
	const char *phase = jstr(status, "phase"), *reason = jstr(status, "reason"), *d;

	read_container(status, o, &term);
	if ((d = disruption(status)) || (reason && !strcmp(reason, "Evicted"))) {
		o->end = K8S_POD_LOST;
		set_why(o, reason && !strcmp(reason, "Evicted") ? reason : d);
		return;
	}
	if (term) {
		code = jget(term, "exitCode");
		o->exit_code = code ? json_object_get_int(code) : 0;
		set_why(o, jstr(term, "reason"));
		o->end = !strcmp(o->why, "OOMKilled") ? K8S_POD_OOM : K8S_POD_EXITED;
		/* Killed by a deletion we did not ask for: the run was lost, not ended. */
		if (o->deleting && (o->exit_code == 128 + 15 || o->exit_code == 128 + 9) &&
		    o->end == K8S_POD_EXITED) {
			o->end = K8S_POD_LOST;
			set_why(o, "Deleted");
		}
		return;
	}
	if (deleted || o->deleting) {
		o->end = K8S_POD_LOST;
		set_why(o, "Deleted");
		return;
	}
	if (phase && (!strcmp(phase, "Failed") || !strcmp(phase, "Succeeded"))) {
		/* Ended without a container status: nothing ran to give a code. */
		o->end = K8S_POD_LOST;
		set_why(o, reason ? reason : phase);
	}
}

bool k8s_pod_observe(json_object *pod, bool deleted, struct k8s_pod_obs *o)
{
	json_object *meta = jget(pod, "metadata"), *labels = jget(meta, "labels");
	json_object *ann = jget(meta, "annotations");
	const char *base;

	memset(o, 0, sizeof(*o));
	o->log_base = -1;
	snprintf(o->name, sizeof(o->name), "%s", jstr(meta, "name") ? jstr(meta, "name") : "");
	if (!label_u32(labels, K8S_LABEL_JOB, &o->job_id) ||
	    !label_u32(labels, K8S_LABEL_RESTART, &o->restart))
		return false;
	if (!label_u32(labels, K8S_LABEL_RANK, &o->rank))
		o->rank = 0;
	if ((base = jstr(ann, K8S_ANN_LOG_BASE)))
		o->log_base = strtoll(base, NULL, 10);
	o->deleting = jget(meta, "deletionTimestamp") != NULL;
	o->end = K8S_POD_ACTIVE;
	read_end(pod, deleted, o);
	return true;
}

int32_t k8s_exit_status(int exit_code)
{
	if (exit_code > 128 && exit_code <= 128 + 64)
		return exit_code - 128;
	return (int32_t)((exit_code & 0xff) << 8);
}

size_t k8s_log_prefix(char *buf, size_t size, uint32_t rank)
{
	int n;

	if (!rank) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	n = snprintf(buf, size, "(worker%u, rank=%u) ", rank, rank);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* The rank whose prefix starts line, 0 for none; *plen its length. */
static uint32_t line_rank(const char *line, size_t len, size_t n_ranks, size_t *plen)
{
	char pre[48];
	unsigned long k;
	char *end;

	*plen = 0;
	if (len < 8 || memcmp(line, "(worker", 7) != 0)
		return 0;
	k = strtoul(line + 7, &end, 10);
	if (!k || k >= n_ranks || end >= line + len)
		return 0;
	*plen = k8s_log_prefix(pre, sizeof(pre), (uint32_t)k);
	if (*plen > len || memcmp(line, pre, *plen) != 0) {
		*plen = 0;
		return 0;
	}
	return (uint32_t)k;
}

void k8s_log_count(const char *data, size_t len, bool multi, uint64_t *per_rank,
		   size_t n_ranks)
{
	size_t i = 0;

	if (!n_ranks)
		return;
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (data + i)) + 1 : len - i, plen = 0;
		uint32_t r = multi ? line_rank(data + i, l, n_ranks, &plen) : 0;

		per_rank[r] += l - plen;
		i += l;
	}
}

void k8s_linebuf_init(struct k8s_linebuf *b, uint32_t rank, uint64_t pos, k8s_line_cb emit,
		      void *arg)
{
	memset(b, 0, sizeof(*b));
	b->pos = pos;
	b->n_prefix = k8s_log_prefix(b->prefix, sizeof(b->prefix), rank);
	b->emit = emit;
	b->arg = arg;
}

void k8s_linebuf_fini(struct k8s_linebuf *b)
{
	FREE_NULL(b->part);
	b->n_part = b->cap = 0;
}

void k8s_linebuf_restart(struct k8s_linebuf *b)
{
	b->stream_pos = 0;
}

static void part_add(struct k8s_linebuf *b, const char *data, size_t len)
{
	if (b->n_part + len + b->n_prefix + 1 > b->cap) {
		b->cap = (b->n_part + len + b->n_prefix + 1) * 2;
		b->part = xrealloc(b->part, b->cap);
	}
	if (!b->n_part && b->n_prefix) {
		memcpy(b->part, b->prefix, b->n_prefix);
		b->n_part = b->n_prefix;
	}
	memcpy(b->part + b->n_part, data, len);
	b->n_part += len;
}

int k8s_linebuf_feed(struct k8s_linebuf *b, const char *data, size_t len)
{
	int rc;

	/* The part of this connection's body that an earlier one delivered. */
	if (b->stream_pos < b->pos) {
		uint64_t drop = b->pos - b->stream_pos;

		if (drop >= len) {
			b->stream_pos += len;
			return 0;
		}
		data += drop;
		len -= drop;
		b->stream_pos += drop;
	}
	b->stream_pos += len;
	b->pos += len;
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t l = nl ? (size_t)(nl - data) + 1 : len;

		part_add(b, data, l);
		data += l;
		len -= l;
		if (!nl)
			break;
		rc = b->emit(b->arg, b->part, b->n_part);
		b->n_part = 0;
		if (rc)
			return rc;
	}
	return 0;
}

int k8s_linebuf_flush(struct k8s_linebuf *b)
{
	int rc = 0;

	if (b->n_part)
		rc = b->emit(b->arg, b->part, b->n_part);
	b->n_part = 0;
	return rc;
}
