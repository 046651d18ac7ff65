/*
 * ec2_probe.c: a test driver for the EC2 client (slurmctld-sky/aws_ec2.h).
 * The e2e tests run it against moto_server behind tests/aws/fault_proxy.py
 * and compare its output, which is stable text, one record per line:
 *
 *   ec2-probe [GLOBAL] run --type T --image AMI [--count N] [--zone Z] [--spot]
 *             [--tag K=V]... [--user-data-file F] [--client-token TOK]
 *             [--subnet S] [--sg G]... [--profile-name N]
 *   ec2-probe [GLOBAL] describe [--id I]... [--tag K=V]... [--state S] [--page-size N]
 *   ec2-probe [GLOBAL] terminate ID...
 *   ec2-probe [GLOBAL] spot-prices [--type T]... [--zone Z] [--product P]
 *   ec2-probe [GLOBAL] user-data ID          (the raw bytes on stdout)
 *   ec2-probe [GLOBAL] parallel N            (N threads, a client each, describe)
 *   GLOBAL: --region R --timeout-ms N --connect-timeout-ms N --max-attempts N
 *           --backoff-ms N
 *
 * Every command but user-data ends with "attempts=N ..." on stdout, also on
 * failure, so tests can assert the retries; errors go to stderr as
 * "ec2-probe: error: <reason line>", exit status 1.
 */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_creds.h"
#include "aws_ec2.h"
#include "log.h"
#include "xalloc.h"

struct strv {
	const char **v;
	size_t n;
};

static void strv_add(struct strv *s, const char *x)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = x;
}

static const char *klass_name(enum aws_err_class k)
{
	static const char *const names[] = { "none", "capacity", "quota", "throttle", "server",
					      "auth", "param", "network", "protocol", "other" };

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static int finish(struct aws_ec2 *c, int rc, struct sky_errbuf *eb)
{
	const struct aws_error *e = aws_ec2_last_error(c);
	const struct aws_call_stats *st = aws_ec2_last_stats(c);

	if (rc) {
		log_error("%s", sky_err_msg(eb));
		printf("attempts=%d class=%s status=%d code=%s retryable=%s\n", st->attempts,
		       klass_name(e->klass), e->http_status, e->code[0] ? e->code : "-",
		       e->retryable ? "yes" : "no");
		return 1;
	}
	printf("attempts=%d\n", st->attempts);
	return 0;
}

static void print_instance(const struct aws_instance *in)
{
	size_t i;

	printf("instance %s type=%s state=%s(%d) zone=%s lifecycle=%s ip=%s tags=", in->id,
	       in->type ? in->type : "-", in->state ? in->state : "-", in->state_code,
	       in->zone ? in->zone : "-", in->spot ? "spot" : "on-demand",
	       in->private_ip ? in->private_ip : "-");
	for (i = 0; i < in->n_tags; i++)
		printf("%s%s=%s", i ? "," : "", in->tags[i].key, in->tags[i].value);
	printf("\n");
}

/* "K=V" into a tag (borrowing arg, which is modified). */
static int parse_tag(char *arg, struct aws_tag *t)
{
	char *eq = strchr(arg, '=');

	if (!eq)
		return -1;
	*eq = '\0';
	t->key = arg;
	t->value = eq + 1;
	return 0;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len + 4096 > cap) {
			cap = cap ? 2 * cap : 8192;
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	fclose(f);
	return buf ? buf : xmalloc(1);
}

static int cmd_run(struct aws_ec2 *c, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "type", 1, 0, 't' }, { "image", 1, 0, 'i' }, { "count", 1, 0, 'n' },
		{ "zone", 1, 0, 'z' }, { "spot", 0, 0, 's' }, { "tag", 1, 0, 'g' },
		{ "user-data-file", 1, 0, 'u' }, { "client-token", 1, 0, 'k' },
		{ "subnet", 1, 0, 'b' }, { "sg", 1, 0, 'G' }, { "profile-name", 1, 0, 'p' },
		{ 0, 0, 0, 0 } };
	struct aws_run_spec s = { 0 };
	struct aws_tag tags[32];
	struct strv sgs = { 0 };
	struct aws_instance_list out;
	struct sky_errbuf eb = { 0 };
	uint8_t *ud = NULL;
	size_t i;
	int o, rc;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 't': s.instance_type = optarg; break;
		case 'i': s.image_id = optarg; break;
		case 'n': s.count = atoi(optarg); break;
		case 'z': s.zone = optarg; break;
		case 's': s.spot = true; break;
		case 'k': s.client_token = optarg; break;
		case 'b': s.subnet_id = optarg; break;
		case 'G': strv_add(&sgs, optarg); break;
		case 'p': s.iam_profile_name = optarg; break;
		case 'g':
			if (s.n_tags == 32 || parse_tag(optarg, &tags[s.n_tags++]))
				fatal("bad --tag '%s' (K=V, at most 32)", optarg);
			break;
		case 'u':
			ud = read_file(optarg, &s.user_data_len);
			if (!ud)
				fatal("cannot read %s", optarg);
			s.user_data = ud;
			break;
		default: return 2;
		}
	}
	s.tags = tags;
	s.security_groups = sgs.v;
	s.n_security_groups = sgs.n;
	rc = aws_ec2_run_instances(c, &s, &out, &eb);
	for (i = 0; !rc && i < out.n; i++)
		print_instance(&out.v[i]);
	printf("token=%s\n", aws_ec2_last_token(c) ? aws_ec2_last_token(c) : "-");
	aws_instance_list_free(&out);
	free(ud);
	free(sgs.v);
	return finish(c, rc, &eb);
}

static int cmd_describe(struct aws_ec2 *c, int argc, char **argv)
{
	static const struct option lo[] = { { "id", 1, 0, 'i' }, { "tag", 1, 0, 'g' },
					    { "state", 1, 0, 's' }, { "page-size", 1, 0, 'p' },
					    { 0, 0, 0, 0 } };
	struct aws_describe_query q = { 0 };
	struct aws_filter f[16];
	struct strv ids = { 0 }, states = { 0 };
	struct aws_instance_list out;
	struct sky_errbuf eb = { 0 };
	const char *vals[16];
	size_t i, nf = 0;
	int o, rc;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		struct aws_tag t;

		switch (o) {
		case 'i': strv_add(&ids, optarg); break;
		case 's': strv_add(&states, optarg); break;
		case 'p': q.page_size = atoi(optarg); break;
		case 'g':
			if (nf == 15 || parse_tag(optarg, &t))
				fatal("bad --tag '%s'", optarg);
			vals[nf] = t.value;
			f[nf] = (struct aws_filter){ xasprintf("tag:%s", t.key), &vals[nf], 1 };
			nf++;
			break;
		default: return 2;
		}
	}
	if (states.n)
		f[nf++] = (struct aws_filter){ xstrdup("instance-state-name"), states.v, states.n };
	q.ids = ids.v;
	q.n_ids = ids.n;
	q.filters = f;
	q.n_filters = nf;
	rc = aws_ec2_describe_instances(c, &q, &out, &eb);
	for (i = 0; !rc && i < out.n; i++)
		print_instance(&out.v[i]);
	if (!rc)
		printf("count=%zu pages=%d\n", out.n, aws_ec2_last_stats(c)->pages);
	aws_instance_list_free(&out);
	for (i = 0; i < nf; i++)
		free((char *)f[i].name);
	free(ids.v);
	free(states.v);
	return finish(c, rc, &eb);
}

static int cmd_terminate(struct aws_ec2 *c, int argc, char **argv)
{
	struct aws_instance_list out;
	struct sky_errbuf eb = { 0 };
	size_t i;
	int rc;

	rc = aws_ec2_terminate_instances(c, (const char *const *)argv + 1, (size_t)argc - 1, &out,
					 &eb);
	for (i = 0; !rc && i < out.n; i++)
		printf("%s %s -> %s(%d)\n", out.v[i].id, out.v[i].prev_state ? out.v[i].prev_state : "-",
		       out.v[i].state ? out.v[i].state : "-", out.v[i].state_code);
	aws_instance_list_free(&out);
	return finish(c, rc, &eb);
}

static int cmd_spot(struct aws_ec2 *c, int argc, char **argv)
{
	static const struct option lo[] = { { "type", 1, 0, 't' }, { "zone", 1, 0, 'z' },
					    { "product", 1, 0, 'p' }, { 0, 0, 0, 0 } };
	struct aws_spot_query q = { 0 };
	struct strv types = { 0 };
	struct aws_spot_price_list out;
	struct sky_errbuf eb = { 0 };
	size_t i;
	int o, rc;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 't': strv_add(&types, optarg); break;
		case 'z': q.zone = optarg; break;
		case 'p': q.product = optarg; break;
		default: return 2;
		}
	}
	q.instance_types = types.v;
	q.n_instance_types = types.n;
	rc = aws_ec2_spot_prices(c, &q, &out, &eb);
	for (i = 0; !rc && i < out.n; i++)
		printf("%s %s %s %.6f %s\n", out.v[i].instance_type, out.v[i].zone, out.v[i].price,
		       out.v[i].price_per_hour, out.v[i].product);
	aws_spot_price_list_free(&out);
	free(types.v);
	return finish(c, rc, &eb);
}

struct par_arg {
	const struct aws_creds *creds;
	const struct aws_ec2_opts *opts;
	size_t n;     /* out: instances seen */
	int rc;
	char msg[SKY_ERRBUF_LEN];
};

/* One worker: its own client, one DescribeInstances. */
static void *par_worker(void *p)
{
	struct par_arg *a = p;
	struct sky_errbuf eb = { 0 };
	struct aws_instance_list out = { 0 };
	struct aws_ec2 *c = NULL;

	a->rc = aws_ec2_create(a->creds, a->opts, &c, &eb);
	if (!a->rc)
		a->rc = aws_ec2_describe_instances(c, NULL, &out, &eb);
	a->n = out.n;
	snprintf(a->msg, sizeof(a->msg), "%s", a->rc ? sky_err_msg(&eb) : "");
	aws_instance_list_free(&out);
	aws_ec2_destroy(c);
	return NULL;
}

/* "parallel N": N threads, each with its own client, describe at once, the
 * way the provider's workers will. */
static int cmd_parallel(const struct aws_creds *creds, const struct aws_ec2_opts *opts, int argc,
			char **argv)
{
	pthread_t tid[64];
	struct par_arg a[64];
	int n = argc == 2 ? atoi(argv[1]) : 0, i, bad = 0;

	if (n < 1 || n > 64)
		fatal("usage: ec2-probe parallel N (1..64)");
	for (i = 0; i < n; i++) {
		a[i] = (struct par_arg){ .creds = creds, .opts = opts };
		if (pthread_create(&tid[i], NULL, par_worker, &a[i]))
			fatal("pthread_create failed");
	}
	for (i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		if (a[i].rc) {
			log_error("thread %d: %s", i, a[i].msg);
			bad++;
		} else {
			printf("thread %d count=%zu\n", i, a[i].n);
		}
	}
	return bad ? 1 : 0;
}

static int cmd_user_data(struct aws_ec2 *c, int argc, char **argv)
{
	struct sky_errbuf eb = { 0 };
	uint8_t *data;
	size_t len;
	int rc;

	if (argc != 2)
		fatal("usage: ec2-probe user-data INSTANCE-ID");
	rc = aws_ec2_user_data(c, argv[1], &data, &len, &eb);
	if (rc) {
		log_error("%s", sky_err_msg(&eb));
		return 1;
	}
	fwrite(data, 1, len, stdout);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "region", 1, 0, 'r' }, { "timeout-ms", 1, 0, 't' },
		{ "connect-timeout-ms", 1, 0, 'c' }, { "max-attempts", 1, 0, 'm' },
		{ "backoff-ms", 1, 0, 'b' }, { 0, 0, 0, 0 } };
	struct aws_ec2_opts opts = { 0 };
	struct aws_creds *creds = NULL;
	struct aws_ec2 *c = NULL;
	struct sky_errbuf eb = { 0 };
	const char *cmd;
	int o, rc;

	log_init("ec2-probe", LOG_LEVEL_WARN, NULL, false);
	while ((o = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		switch (o) {
		case 'r': opts.region = optarg; break;
		case 't': opts.timeout_ms = atol(optarg); break;
		case 'c': opts.connect_timeout_ms = atol(optarg); break;
		case 'm': opts.max_attempts = atoi(optarg); break;
		case 'b': opts.backoff_base_ms = atol(optarg); break;
		default: return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: ec2-probe [options] run|describe|terminate|spot-prices|"
				"user-data ...\n");
		return 2;
	}
	if (aws_creds_resolve(NULL, &creds, &eb) || aws_ec2_create(creds, &opts, &c, &eb)) {
		log_error("%s", sky_err_msg(&eb));
		aws_creds_free(creds);
		return 1;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	if (!strcmp(cmd, "run"))
		rc = cmd_run(c, argc, argv);
	else if (!strcmp(cmd, "describe"))
		rc = cmd_describe(c, argc, argv);
	else if (!strcmp(cmd, "terminate"))
		rc = cmd_terminate(c, argc, argv);
	else if (!strcmp(cmd, "spot-prices"))
		rc = cmd_spot(c, argc, argv);
	else if (!strcmp(cmd, "parallel"))
		rc = cmd_parallel(creds, &opts, argc, argv);
	else if (!strcmp(cmd, "user-data"))
		rc = cmd_user_data(c, argc, argv);
	else {
		log_error("unknown command '%s'", cmd);
		rc = 2;
	}
	aws_ec2_destroy(c);
	aws_creds_free(creds);
	return rc;
}
