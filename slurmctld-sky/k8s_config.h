/*
 * k8s_config.h: where a Kubernetes cluster is and how to authenticate to it,
 * from a kubeconfig (as kubectl reads it) or from inside a pod (service
 * account). The API client (k8s_api.h) asks k8s_config_creds() before every
 * request, so rotating token files and expiring exec-plugin credentials are
 * picked up without reloading.
 *
 * kubeconfig rules followed (client-go clientcmd):
 * - path NULL: $KUBECONFIG, a ':'-separated list merged in order (the first
 *   file that sets current-context, or names a cluster/context/user, wins),
 *   else ~/.kube/config.
 * - context NULL: current-context. The context names a cluster, a user and
 *   a namespace ("default" when unset).
 * - cluster: server, certificate-authority (file) or -data (base64 PEM; data
 *   wins), insecure-skip-tls-verify, tls-server-name, proxy-url.
 * - user: client-certificate/-key (files) or -data (base64 PEM), token or
 *   tokenFile (token wins), username/password, exec (ExecCredential plugin,
 *   client.authentication.k8s.io/v1 or v1beta1). auth-provider and
 *   impersonation are refused with a message naming them.
 * - Relative file paths (and a relative exec command containing '/') are
 *   relative to the directory of the kubeconfig file that holds them.
 * Errors name the file, the context and the key at fault.
 *
 * Thread safety: a config may be shared by the threads of one provider
 * (requests and watches); k8s_config_creds() serialises the plugin runs.
 * Loading and freeing are not concurrent with anything else.
 */
#ifndef SKY_K8S_CONFIG_H
#define SKY_K8S_CONFIG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sky_err.h"

/* A byte string (PEM here); data NUL-terminated after len bytes. */
struct k8s_blob {
	uint8_t *data;
	size_t len;
};

struct k8s_exec {
	char *command;          /* resolved as above; PATH lookup when bare */
	char **argv;            /* command then args, NULL-terminated */
	char **env;             /* "NAME=value" from exec.env, NULL-terminated */
	char *api_version;
	char *install_hint;     /* shown when the command cannot be run */
	bool provide_cluster_info;
	char *cluster_info;     /* the spec.cluster JSON when provided */
	int timeout_secs;       /* the plugin is killed after this (default 60) */
};

/* What one request presents besides the TLS trust settings. */
struct k8s_creds {
	char *token;                    /* bearer token, or NULL */
	struct k8s_blob cert, key;      /* client certificate/key PEM, or empty */
	char *cert_file, *key_file;     /* when given as files instead */
	char *username, *password;      /* basic auth, or NULL */
};

struct k8s_config {
	char *origin;           /* the file (first of the list) or "in-cluster" */
	char *context;          /* the context used; NULL in-cluster */
	char *server;           /* https://host:port[/path], no trailing '/' */
	char *ca_file;
	struct k8s_blob ca;     /* certificate-authority-data, or in-cluster ca.crt */
	bool insecure;
	char *tls_server_name;
	char *proxy_url;
	char *namespace;        /* never NULL */

	char *token, *token_file;  /* token_file re-read at each k8s_config_creds */
	char *cert_file, *key_file;
	struct k8s_blob cert, key;
	char *username, *password;
	struct k8s_exec *exec;     /* NULL unless the user has one */

	/* The exec plugin's last answer, valid until cache_expiry (0 = no expiry). */
	pthread_mutex_t lock;
	bool cache_valid;
	time_t cache_expiry;
	struct k8s_creds cache;
	unsigned int exec_runs;    /* how many times the plugin ran (tests, logs) */
};

/*
 * Load the kubeconfig at path (NULL: $KUBECONFIG or ~/.kube/config) with the
 * named context (NULL: current-context). *out caller frees (k8s_config_free).
 */
int k8s_config_load(const char *path, const char *context, struct k8s_config **out,
		    struct sky_errbuf *eb);

/*
 * In-cluster config: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT,
 * token, ca.crt and namespace from sa_dir (NULL: the standard
 * /var/run/secrets/kubernetes.io/serviceaccount). *out caller frees.
 */
int k8s_config_in_cluster(const char *sa_dir, struct k8s_config **out, struct sky_errbuf *eb);

void k8s_config_free(struct k8s_config *c);

/*
 * The credentials for the next request, into *out (caller clears with
 * k8s_creds_clear). Runs the exec plugin when nothing valid is cached (or
 * refresh is true: the server said 401 to the cached ones); re-reads
 * tokenFile. Thread-safe.
 */
int k8s_config_creds(struct k8s_config *c, bool refresh, struct k8s_creds *out,
		     struct sky_errbuf *eb);

void k8s_creds_clear(struct k8s_creds *cr);

/* "2026-11-22T17:00:00Z" (also with fraction and +hh:mm offset) as a time_t;
 * -1 if malformed. */
time_t k8s_parse_rfc3339(const char *s);

#endif
