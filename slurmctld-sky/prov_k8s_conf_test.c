/*
 * prov_k8s_conf_test.c: the ProviderName=... Type=kubernetes record
 * (prov_k8s_conf.c): every key, defaults, repeated keys, and the errors
 * that name the key at fault.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "prov_k8s_int.h"
#include "unit.h"

/* A record from "Key=Value" strings (NULL-terminated). */
static struct conf_provider *rec(const char *const *kv)
{
	struct conf_provider *cp = xcalloc(1, sizeof(*cp));

	cp->name = xstrdup("kube");
	cp->type = xstrdup("kubernetes");
	for (; *kv; kv++) {
		const char *eq = strchr(*kv, '=');

		cp->opts = xrealloc(cp->opts, (cp->n_opts + 1) * sizeof(*cp->opts));
		cp->opts[cp->n_opts].key = xstrndup(*kv, (size_t)(eq - *kv));
		cp->opts[cp->n_opts++].val = xstrdup(eq + 1);
	}
	return cp;
}

static void rec_free(struct conf_provider *cp)
{
	for (size_t i = 0; i < cp->n_opts; i++) {
		free(cp->opts[i].key);
		free(cp->opts[i].val);
	}
	free(cp->opts);
	free(cp->name);
	free(cp->type);
	free(cp);
}

/* Parsing kv fails with a message containing want. */
static void refused(const char *const *kv, const char *want)
{
	struct conf_provider *cp = rec(kv);
	struct k8s_pconf pc;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(k8s_pconf_parse(cp, &pc, &eb), SKY_E_CONFIG);
	ck_assert_msg(strstr(sky_err_msg(&eb), want), "message '%s' lacks '%s'", sky_err_msg(&eb),
		      want);
	ck_assert_ptr_null(pc.image);
	k8s_pconf_free(&pc);
	rec_free(cp);
}

START_TEST(test_full_record)
{
	static const char *const kv[] = {
		"Kubeconfig=/etc/sky/kubeconfig", "Context=emu", "Namespace=ml-jobs",
		"Image=debian:stable", "ServiceAccount=sky-runner",
		"Tolerations=nvidia.com/gpu:NoSchedule,dedicated=ml:NoExecute",
		"Labels=team=ml,cost-center=42", "PriorityClass=batch-low", "MaxPods=64",
		"Price=2.5", "GpuRule=oci.oraclecloud.com/shape=BM.GPU.A100*:a100:8",
		"GpuRule=node.kubernetes.io/instance-type=BM.GPU.H100.8:H100,x=y:l4", NULL
	};
	struct conf_provider *cp = rec(kv);
	struct k8s_pconf pc;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(k8s_pconf_parse(cp, &pc, &eb), 0);
	ck_assert_str_eq(pc.kubeconfig, "/etc/sky/kubeconfig");
	ck_assert_str_eq(pc.context, "emu");
	ck_assert_str_eq(pc.ns, "ml-jobs");
	ck_assert_str_eq(pc.image, "debian:stable");
	ck_assert_str_eq(pc.service_account, "sky-runner");
	ck_assert_str_eq(pc.priority_class, "batch-low");
	ck_assert_uint_eq(pc.n_tolerations, 2);
	ck_assert_str_eq(pc.tolerations[0], "nvidia.com/gpu:NoSchedule");
	ck_assert_str_eq(pc.tolerations[1], "dedicated=ml:NoExecute");
	ck_assert_uint_eq(pc.n_labels, 2);
	ck_assert_str_eq(pc.labels[1], "cost-center=42");
	ck_assert_uint_eq(pc.max_pods, 64);
	ck_assert_int_eq(pc.price_u, 2500000);
	/* GpuRule adds up: one record line, then a ','-list of two. */
	ck_assert_uint_eq(pc.n_rules, 3);
	ck_assert_str_eq(pc.rules[0].key, "oci.oraclecloud.com/shape");
	ck_assert_str_eq(pc.rules[0].value, "BM.GPU.A100*");
	ck_assert_str_eq(pc.rules[0].type, "a100");
	ck_assert_uint_eq(pc.rules[0].count, 8);
	ck_assert_str_eq(pc.rules[1].type, "h100");
	ck_assert_uint_eq(pc.rules[1].count, 0);
	ck_assert_str_eq(pc.rules[2].key, "x");
	k8s_pconf_free(&pc);
	ck_assert_ptr_null(pc.rules);
	rec_free(cp);
}
END_TEST

START_TEST(test_defaults)
{
	static const char *const kv[] = { "Image=busybox", "Namespace=first", "Namespace=second", NULL };
	struct conf_provider *cp = rec(kv);
	struct k8s_pconf pc;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(k8s_pconf_parse(cp, &pc, &eb), 0);
	ck_assert_ptr_null(pc.kubeconfig);
	ck_assert_ptr_null(pc.context);
	ck_assert_str_eq(pc.ns, "second");   /* the last one wins */
	ck_assert_uint_eq(pc.max_pods, 0);
	ck_assert_int_eq(pc.price_u, 0);     /* owned capacity */
	ck_assert_uint_eq(pc.n_rules, 0);
	ck_assert_uint_eq(pc.n_tolerations, 0);
	k8s_pconf_free(&pc);
	rec_free(cp);
	cp = rec((const char *const[]){ "Image=busybox", NULL });
	ck_assert_int_eq(k8s_pconf_parse(cp, &pc, &eb), 0);
	ck_assert_str_eq(pc.ns, "default");
	k8s_pconf_free(&pc);
	rec_free(cp);
}
END_TEST

START_TEST(test_errors_name_the_key)
{
	refused((const char *const[]){ "Namespace=x", NULL }, "Image= is required");
	refused((const char *const[]){ "Image=i", "MaxPods=lots", NULL },
		"invalid value 'lots' for MaxPods");
	refused((const char *const[]){ "Image=i", "MaxPods=-1", NULL }, "for MaxPods");
	refused((const char *const[]){ "Image=i", "Price=cheap", NULL },
		"invalid value 'cheap' for Price");
	refused((const char *const[]){ "Image=i", "Price=-3", NULL }, "for Price");
	refused((const char *const[]){ "Image=i", "GpuRule=BM.GPU.H100.8", NULL },
		"invalid value 'BM.GPU.H100.8' for GpuRule: GPU label rule 'BM.GPU.H100.8': expected");
	refused((const char *const[]){ "Image=i", "GpuRule=a=b:h100,", NULL }, "for GpuRule");
	refused((const char *const[]){ "Image=i", "Tolerations=nvidia.com/gpu", NULL },
		"invalid value 'nvidia.com/gpu' for Tolerations: 'nvidia.com/gpu' is not "
		"KEY[=VALUE]:NoSchedule|PreferNoSchedule|NoExecute");
	refused((const char *const[]){ "Image=i", "Tolerations=gpu:Sometimes", NULL },
		"for Tolerations");
	refused((const char *const[]){ "Image=i", "Tolerations=a:NoSchedule,,b:NoSchedule", NULL },
		"for Tolerations: empty item");
	refused((const char *const[]){ "Image=i", "Labels=team", NULL },
		"invalid value 'team' for Labels: 'team' is not a KEY=VALUE label");
	refused((const char *const[]){ "Image=i", "Labels=team=m l", NULL }, "for Labels");
	refused((const char *const[]){ "Image=i", "Namespace=Bad_NS", NULL },
		"invalid value 'Bad_NS' for Namespace");
	refused((const char *const[]){ "Image=i", "Zones=us-east-1a", NULL },
		"unknown key 'Zones' for Type=kubernetes");
}
END_TEST

START_TEST(test_no_record)
{
	struct k8s_pconf pc;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(k8s_pconf_parse(NULL, &pc, &eb), SKY_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "needs a ProviderName record"));
	k8s_pconf_free(&pc);
}
END_TEST

START_TEST(test_dns_name)
{
	char *s = k8s_dns_name("My_Cluster.01");

	ck_assert_str_eq(s, "my-cluster-01");
	free(s);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("prov_k8s_conf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_full_record);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_errors_name_the_key);
	tcase_add_test(tc, test_no_record);
	tcase_add_test(tc, test_dns_name);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
