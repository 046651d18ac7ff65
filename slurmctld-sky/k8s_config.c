/* k8s_config.c: kubeconfig and in-cluster loading (k8s_config.h). */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "aws_xml.h"
#include "k8s_config.h"
#include "log.h"
#include "xalloc.h"

#define SA_DIR_DEFAULT "/var/run/secrets/kubernetes.io/serviceaccount"

/* The parsed files of a (merged) kubeconfig, in precedence order. */
struct kc_files {
	char **path;
	yaml_document_t *doc;
	size_t n;
};

/* Where one named entry (cluster, user, context) was found. */
struct kc_ref {
	size_t file;
	yaml_node_t *body;      /* the "cluster:"/"user:"/"context:" mapping */
	const char *name;
};

static void files_free(struct kc_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->path[i]);
		yaml_document_delete(&f->doc[i]);
	}
	free(f->path);
	free(f->doc);
	memset(f, 0, sizeof(*f));
}

/* Slurp path; NULL with eb set when unreadable. Caller frees. */
static char *read_file(const char *path, size_t *len, const char *what, struct sky_errbuf *eb)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!fp) {
		sky_err_set(eb, SKY_E_CONFIG, "%s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
	} while (got);
	if (ferror(fp)) {
		sky_err_set(eb, SKY_E_IO, "%s %s: read error", what, path);
		FREE_NULL(buf);
	} else {
		buf[n] = '\0';
	}
	fclose(fp);
	if (len)
		*len = n;
	return buf;
}

static int parse_one(struct kc_files *f, const char *path, struct sky_errbuf *eb)
{
	yaml_parser_t p;
	size_t len;
	char *text = read_file(path, &len, "kubeconfig", eb);
	int rc = 0;

	if (!text)
		return SKY_E_CONFIG;
	f->path = xrealloc(f->path, (f->n + 1) * sizeof(*f->path));
	f->doc = xrealloc(f->doc, (f->n + 1) * sizeof(*f->doc));
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &f->doc[f->n])) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "kubeconfig %s:%zu: %s", path,
				 p.problem_mark.line + 1, p.problem ? p.problem : "YAML error");
	} else {
		f->path[f->n++] = xstrdup(path);
	}
	yaml_parser_delete(&p);
	free(text);
	return rc;
}

/* The files named by path, $KUBECONFIG or ~/.kube/config, all parsed. */
static int load_files(const char *path, struct kc_files *f, struct sky_errbuf *eb)
{
	const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");
	char *list, *p, *next;
	int rc = 0;

	if (path)
		return parse_one(f, path, eb);
	if (!env || !*env) {
		char *def = xasprintf("%s/.kube/config", home ? home : "");
		rc = parse_one(f, def, eb);
		free(def);
		return rc;
	}
	list = xstrdup(env);
	for (p = list; p && !rc; p = next) {
		next = strchr(p, ':');
		if (next)
			*next++ = '\0';
		/* Like kubectl: missing files in the list are skipped. */
		if (*p && access(p, F_OK) == 0)
			rc = parse_one(f, p, eb);
	}
	free(list);
	if (!rc && !f->n)
		rc = sky_err_set(eb, SKY_E_CONFIG, "kubeconfig: no file of KUBECONFIG=%s exists", env);
	return rc;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value under key in mapping m, or NULL. */
static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(d, p->key));
		if (k && !strcmp(k, key))
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static const char *map_str(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	const char *s = scalar(map_get(d, m, key));

	return s && *s ? s : NULL;
}

/* The first file's entry named name in the list under section ("clusters"). */
static bool find_named(struct kc_files *f, const char *section, const char *item, const char *name,
		       struct kc_ref *out)
{
	for (size_t i = 0; i < f->n; i++) {
		yaml_document_t *d = &f->doc[i];
		yaml_node_t *list = map_get(d, yaml_document_get_root_node(d), section);

		if (!list || list->type != YAML_SEQUENCE_NODE)
			continue;
		for (yaml_node_item_t *it = list->data.sequence.items.start;
		     it < list->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(d, *it);
			const char *n = map_str(d, e, "name");
			if (n && !strcmp(n, name)) {
				out->file = i;
				out->body = map_get(d, e, item);
				out->name = n;
				return true;
			}
		}
	}
	return false;
}

/* A path from file i: relative ones are relative to that file's directory. */
static char *resolve_path(const struct kc_files *f, size_t i, const char *p)
{
	const char *slash = strrchr(f->path[i], '/');

	if (p[0] == '/' || !slash)
		return xstrdup(p);
	return xasprintf("%.*s/%s", (int)(slash - f->path[i]), f->path[i], p);
}

static bool yaml_true(const char *s)
{
	return s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"));
}


/* Where a key is read from, for the messages: file, context, entry. */
struct kc_where {
	const struct kc_files *f;
	const char *context;
	const char *section;    /* "cluster", "user" */
	struct kc_ref ref;
};

static int kc_err(const struct kc_where *w, const char *key, const char *what,
		  struct sky_errbuf *eb)
{
	return sky_err_set(eb, SKY_E_CONFIG, "kubeconfig %s: context \"%s\": %s \"%s\": %s: %s",
			   w->f->path[w->ref.file], w->context, w->section, w->ref.name, key, what);
}

static const char *w_str(const struct kc_where *w, const char *key)
{
	return map_str(&w->f->doc[w->ref.file], w->ref.body, key);
}

static char *w_path(const struct kc_where *w, const char *key)
{
	const char *v = w_str(w, key);

	return v ? resolve_path(w->f, w->ref.file, v) : NULL;
}

/* key-data (base64 PEM) into *blob, else key (a file) into *file. */
static int pem_pair(const struct kc_where *w, const char *key, struct k8s_blob *blob, char **file,
		    struct sky_errbuf *eb)
{
	char *dkey = xasprintf("%s-data", key);
	const char *v = w_str(w, dkey);
	int rc = 0;

	if (v && aws_base64_decode(v, &blob->data, &blob->len))
		rc = kc_err(w, dkey, "not valid base64", eb);
	else if (!v)
		*file = w_path(w, key);
	free(dkey);
	return rc;
}

static int cluster_fill(const struct kc_where *w, struct k8s_config *c, struct sky_errbuf *eb)
{
	const char *server = w_str(w, "server");
	size_t len;

	if (!server)
		return kc_err(w, "server", "missing", eb);
	if (strncmp(server, "https://", 8) && strncmp(server, "http://", 7))
		return kc_err(w, "server", "not an http(s) URL", eb);
	c->server = xstrdup(server);
	len = strlen(c->server);
	while (len > 8 && c->server[len - 1] == '/')
		c->server[--len] = '\0';
	c->insecure = yaml_true(w_str(w, "insecure-skip-tls-verify"));
	c->tls_server_name = xstrdup(w_str(w, "tls-server-name"));
	c->proxy_url = xstrdup(w_str(w, "proxy-url"));
	return pem_pair(w, "certificate-authority", &c->ca, &c->ca_file, eb);
}

/* The spec.cluster of KUBERNETES_EXEC_INFO (client.authentication.k8s.io Cluster). */
static char *cluster_info_json(const struct kc_where *cw)
{
	static const char *const keys[] = { "server", "tls-server-name", "proxy-url",
					    "certificate-authority-data", NULL };
	json_object *o = json_object_new_object();
	char *j;

	for (size_t i = 0; keys[i]; i++)
		if (w_str(cw, keys[i]))
			json_object_object_add(o, keys[i], json_object_new_string(w_str(cw, keys[i])));
	json_object_object_add(o, "insecure-skip-tls-verify",
			       json_object_new_boolean(yaml_true(w_str(cw, "insecure-skip-tls-verify"))));
	j = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return j;
}

static char **str_list(const struct kc_where *w, yaml_node_t *seq, const char *first)
{
	yaml_document_t *d = &w->f->doc[w->ref.file];
	size_t n = 0, cap = 2;
	char **v = xcalloc(cap, sizeof(*v));

	if (first)
		v[n++] = xstrdup(first);
	if (seq && seq->type == YAML_SEQUENCE_NODE)
		for (yaml_node_item_t *it = seq->data.sequence.items.start;
		     it < seq->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(d, *it);
			char *s = NULL;
			if (scalar(e))
				s = xstrdup(scalar(e));
			else if (map_str(d, e, "name"))
				s = xasprintf("%s=%s", map_str(d, e, "name"),
					      map_str(d, e, "value") ? map_str(d, e, "value") : "");
			if (!s)
				continue;
			if (n + 2 > cap) {
				cap *= 2;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[n++] = s;
		}
	v[n] = NULL;
	return v;
}

static int exec_fill(const struct kc_where *w, yaml_node_t *ex, const struct kc_where *cw,
		     struct k8s_config *c, struct sky_errbuf *eb)
{
	yaml_document_t *d = &w->f->doc[w->ref.file];
	const char *cmd = map_str(d, ex, "command"), *api = map_str(d, ex, "apiVersion");
	const char *mode = map_str(d, ex, "interactiveMode");
	struct k8s_exec *e;

	if (!cmd)
		return kc_err(w, "exec.command", "missing", eb);
	if (!api || (strcmp(api, "client.authentication.k8s.io/v1") &&
		     strcmp(api, "client.authentication.k8s.io/v1beta1")))
		return kc_err(w, "exec.apiVersion",
			      api ? "not client.authentication.k8s.io/v1 or v1beta1" : "missing", eb);
	if (mode && !strcmp(mode, "Always"))
		return kc_err(w, "exec.interactiveMode",
			      "Always needs a terminal; a daemon cannot run it", eb);
	e = c->exec = xmalloc(sizeof(*e));
	e->command = strchr(cmd, '/') ? resolve_path(w->f, w->ref.file, cmd) : xstrdup(cmd);
	e->argv = str_list(w, map_get(d, ex, "args"), e->command);
	e->env = str_list(w, map_get(d, ex, "env"), NULL);
	e->api_version = xstrdup(api);
	e->install_hint = xstrdup(map_str(d, ex, "installHint"));
	e->provide_cluster_info = yaml_true(map_str(d, ex, "provideClusterInfo"));
	if (e->provide_cluster_info)
		e->cluster_info = cluster_info_json(cw);
	e->timeout_secs = 60;
	return 0;
}

static int user_fill(const struct kc_where *w, const struct kc_where *cw, struct k8s_config *c,
		     struct sky_errbuf *eb)
{
	static const char *const refused[] = { "auth-provider", "as", "as-groups", "as-uid",
					       "as-user-extra", NULL };
	yaml_node_t *ex;
	int rc;

	for (size_t i = 0; refused[i]; i++)
		if (map_get(&w->f->doc[w->ref.file], w->ref.body, refused[i]))
			return kc_err(w, refused[i], "not supported (use token, a client "
				      "certificate or an exec plugin)", eb);
	rc = pem_pair(w, "client-certificate", &c->cert, &c->cert_file, eb);
	if (!rc)
		rc = pem_pair(w, "client-key", &c->key, &c->key_file, eb);
	if (rc)
		return rc;
	if ((c->cert.len || c->cert_file) != (c->key.len || c->key_file))
		return kc_err(w, c->cert.len || c->cert_file ? "client-key" : "client-certificate",
			      "missing (a client certificate needs its key)", eb);
	c->token = xstrdup(w_str(w, "token"));
	if (!c->token)
		c->token_file = w_path(w, "tokenFile");
	c->username = xstrdup(w_str(w, "username"));
	c->password = xstrdup(w_str(w, "password"));
	ex = map_get(&w->f->doc[w->ref.file], w->ref.body, "exec");
	if (ex && ex->type == YAML_MAPPING_NODE)
		return exec_fill(w, ex, cw, c, eb);
	return 0;
}

static const char *current_context(const struct kc_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		yaml_document_t *d = (yaml_document_t *)&f->doc[i];
		const char *s = map_str(d, yaml_document_get_root_node(d), "current-context");
		if (s)
			return s;
	}
	return NULL;
}

static int config_from(struct kc_files *f, const char *context, struct k8s_config *c,
		       struct sky_errbuf *eb)
{
	struct kc_ref ctx;
	struct kc_where cw = { f, NULL, "cluster", { 0 } }, uw = { f, NULL, "user", { 0 } };
	yaml_document_t *d;
	const char *cl, *us, *ns;
	int rc;

	if (!context && !(context = current_context(f)))
		return sky_err_set(eb, SKY_E_CONFIG, "kubeconfig %s: no current-context and no "
				   "context given", f->path[0]);
	if (!find_named(f, "contexts", "context", context, &ctx))
		return sky_err_set(eb, SKY_E_CONFIG, "kubeconfig %s: context \"%s\" not found",
				   f->path[0], context);
	c->context = xstrdup(context);
	d = &f->doc[ctx.file];
	cl = map_str(d, ctx.body, "cluster");
	us = map_str(d, ctx.body, "user");
	ns = map_str(d, ctx.body, "namespace");
	c->namespace = xstrdup(ns ? ns : "default");
	cw.context = uw.context = c->context;
	if (!cl || !find_named(f, "clusters", "cluster", cl, &cw.ref) || !cw.ref.body)
		return sky_err_set(eb, SKY_E_CONFIG, "kubeconfig %s: context \"%s\": cluster "
				   "\"%s\" not found", f->path[ctx.file], context, cl ? cl : "");
	rc = cluster_fill(&cw, c, eb);
	if (rc || !us)
		return rc; /* no user: anonymous requests */
	if (!find_named(f, "users", "user", us, &uw.ref))
		return sky_err_set(eb, SKY_E_CONFIG, "kubeconfig %s: context \"%s\": user \"%s\" "
				   "not found", f->path[ctx.file], context, us);
	return uw.ref.body ? user_fill(&uw, &cw, c, eb) : 0;
}

static struct k8s_config *config_new(void)
{
	struct k8s_config *c = xmalloc(sizeof(*c));

	pthread_mutex_init(&c->lock, NULL);
	return c;
}

int k8s_config_load(const char *path, const char *context, struct k8s_config **out,
		    struct sky_errbuf *eb)
{
	struct kc_files f = { 0 };
	struct k8s_config *c;
	int rc;

	*out = NULL;
	rc = load_files(path, &f, eb);
	if (rc)
		goto out;
	c = config_new();
	c->origin = xstrdup(f.path[0]);
	rc = config_from(&f, context, c, eb);
	if (rc)
		k8s_config_free(c);
	else
		*out = c;
out:
	files_free(&f);
	return rc;
}

/* Contents of dir/name with trailing white space cut; NULL with eb set. */
static char *sa_file(const char *dir, const char *name, size_t *len, struct sky_errbuf *eb)
{
	char *p = xasprintf("%s/%s", dir, name), *s = read_file(p, len, "service account file", eb);
	size_t n;

	free(p);
	if (!s)
		return NULL;
	for (n = strlen(s); n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r');)
		s[--n] = '\0';
	if (len)
		*len = n;
	return s;
}

int k8s_config_in_cluster(const char *sa_dir, struct k8s_config **out, struct sky_errbuf *eb)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
	struct k8s_config *c;
	char *ns, *tok;
	size_t len;

	*out = NULL;
	if (!sa_dir)
		sa_dir = SA_DIR_DEFAULT;
	if (!host || !*host || !port || !*port)
		return sky_err_set(eb, SKY_E_CONFIG, "in-cluster config: KUBERNETES_SERVICE_HOST "
				   "and KUBERNETES_SERVICE_PORT must be set (not running in a pod?)");
	/* The token must be readable now; it is re-read before every request. */
	tok = sa_file(sa_dir, "token", NULL, eb);
	if (!tok)
		return SKY_E_CONFIG;
	free(tok);
	c = config_new();
	c->origin = xstrdup("in-cluster");
	c->server = strchr(host, ':') ? xasprintf("https://[%s]:%s", host, port)
				       : xasprintf("https://%s:%s", host, port);
	c->token_file = xasprintf("%s/token", sa_dir);
	c->ca.data = (uint8_t *)sa_file(sa_dir, "ca.crt", &len, eb);
	c->ca.len = len;
	if (!c->ca.data) {
		k8s_config_free(c);
		return SKY_E_CONFIG;
	}
	ns = sa_file(sa_dir, "namespace", NULL, NULL);
	c->namespace = ns && *ns ? ns : xstrdup("default");
	if (ns && !*ns)
		free(ns);
	*out = c;
	return 0;
}

static void blob_free(struct k8s_blob *b)
{
	FREE_NULL(b->data);
	b->len = 0;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void k8s_creds_clear(struct k8s_creds *cr)
{
	FREE_NULL(cr->token);
	blob_free(&cr->cert);
	blob_free(&cr->key);
	FREE_NULL(cr->cert_file);
	FREE_NULL(cr->key_file);
	FREE_NULL(cr->username);
	FREE_NULL(cr->password);
}

void k8s_config_free(struct k8s_config *c)
{
	if (!c)
		return;
	free(c->origin);
	free(c->context);
	free(c->server);
	free(c->ca_file);
	blob_free(&c->ca);
	free(c->tls_server_name);
	free(c->proxy_url);
	free(c->namespace);
	free(c->token);
	free(c->token_file);
	free(c->cert_file);
	free(c->key_file);
	blob_free(&c->cert);
	blob_free(&c->key);
	free(c->username);
	free(c->password);
	if (c->exec) {
		free(c->exec->command);
		strv_free(c->exec->argv);
		strv_free(c->exec->env);
		free(c->exec->api_version);
		free(c->exec->install_hint);
		free(c->exec->cluster_info);
		free(c->exec);
	}
	k8s_creds_clear(&c->cache);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
