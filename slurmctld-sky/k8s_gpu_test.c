/*
 * k8s_gpu_test.c: GPU type normalisation from the label sets of peers.md
 * 1.2 (GFD, GKE, Karpenter, EKS Auto, CoreWeave, Ori, Nebius, AMD), admin
 * rules, Kubernetes quantities, and free resources after pod requests.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "k8s_gpu.h"
#include "unit.h"

static void norm_is(const char *label, const char *want)
{
	char *got = k8s_gpu_normalise(label);

	ck_assert_msg(got && !strcmp(got, want), "'%s' -> '%s', want '%s'", label,
		      got ? got : "(null)", want);
	free(got);
}

START_TEST(test_normalise_vendors)
{
	/* NVIDIA GFD nvidia.com/gpu.product */
	norm_is("A100-SXM4-40GB", "a100");
	norm_is("NVIDIA-A100-SXM4-80GB", "a100-80gb");
	norm_is("NVIDIA-A100-80GB-PCIe", "a100-80gb");
	norm_is("NVIDIA-H100-80GB-HBM3", "h100");
	norm_is("Tesla-T4", "t4");
	norm_is("Tesla-V100-SXM2-16GB", "v100");
	norm_is("Tesla-V100-SXM2-32GB", "v100-32gb");
	norm_is("NVIDIA-A10G", "a10g");
	norm_is("NVIDIA-L4", "l4");
	norm_is("NVIDIA-L40S", "l40s");
	norm_is("NVIDIA-H200", "h200");
	/* GFD with MIG, single strategy */
	norm_is("A100-SXM4-40GB-MIG-1g.5gb", "a100-1g.5gb");
	/* GKE cloud.google.com/gke-accelerator */
	norm_is("nvidia-tesla-t4", "t4");
	norm_is("nvidia-l4", "l4");
	norm_is("nvidia-a100-80gb", "a100-80gb");
	norm_is("nvidia-tesla-a100", "a100");
	norm_is("nvidia-h100-80gb", "h100");
	norm_is("nvidia-tesla-v100", "v100");
	/* Karpenter / EKS Auto: lowercase model */
	norm_is("l40s", "l40s");
	norm_is("t4", "t4");
	norm_is("a10g", "a10g");
	/* CoreWeave gpu.nvidia.com/class, Ori */
	norm_is("A100_NVLINK_80GB", "a100-80gb");
	norm_is("H200", "h200");
	norm_is("H100SXM-80", "h100");
	norm_is("L40S", "l40s");
	norm_is("Quadro_RTX_5000", "quadro-rtx-5000");
	/* AMD */
	norm_is("AMD-Instinct-MI300X", "mi300x");
	/* Nothing but a vendor is no type. */
	ck_assert_ptr_null(k8s_gpu_normalise("nvidia"));
	ck_assert_ptr_null(k8s_gpu_normalise(""));
}
END_TEST

START_TEST(test_quantity)
{
	ck_assert_int_eq(k8s_quantity("8", 1000), 8000);
	ck_assert_int_eq(k8s_quantity("7910m", 1000), 7910);
	ck_assert_int_eq(k8s_quantity("0.5", 1000), 500);
	ck_assert_int_eq(k8s_quantity("0.1", 1000), 100);
	ck_assert_int_eq(k8s_quantity("1.5", 1), 2); /* rounded up */
	ck_assert_int_eq(k8s_quantity("32Gi", 1), 32LL << 30);
	ck_assert_int_eq(k8s_quantity("1000M", 1), 1000000000LL);
	ck_assert_int_eq(k8s_quantity("131862796Ki", 1), 131862796LL * 1024);
	ck_assert_int_eq(k8s_quantity("1k", 1), 1000);
	ck_assert_int_eq(k8s_quantity("2e3", 1), 2000);
	ck_assert_int_eq(k8s_quantity("1E", 1), 1000000000000000000LL);
	ck_assert_int_eq(k8s_quantity("100u", 1000), 1);
	ck_assert_int_eq(k8s_quantity("0", 1000), 0);
	ck_assert_int_eq(k8s_quantity("+4", 1), 4);
	ck_assert_int_eq(k8s_quantity("", 1), -1);
	ck_assert_int_eq(k8s_quantity("-1", 1), -1);
	ck_assert_int_eq(k8s_quantity("12x", 1), -1);
	ck_assert_int_eq(k8s_quantity("1Xi", 1), -1);
	ck_assert_int_eq(k8s_quantity("Gi", 1), -1);
	ck_assert_int_eq(k8s_quantity("16Ei", 1), -1); /* past int64 */
}
END_TEST

START_TEST(test_rules)
{
	struct k8s_gpu_rule r;
	struct sky_errbuf eb = { 0 };

	ck_assert_ok(k8s_gpu_rule_parse("node.kubernetes.io/instance-type=BM.GPU.H100.8:H100:8",
					&r, &eb), &eb);
	ck_assert_str_eq(r.key, "node.kubernetes.io/instance-type");
	ck_assert_str_eq(r.value, "BM.GPU.H100.8");
	ck_assert_str_eq(r.type, "h100");
	ck_assert_uint_eq(r.count, 8);
	k8s_gpu_rule_free(&r);
	ck_assert_ok(k8s_gpu_rule_parse("node.kubernetes.io/instance-type=BM.GPU4.*:a100", &r, &eb),
		     &eb);
	ck_assert_uint_eq(r.count, 0);
	k8s_gpu_rule_free(&r);
	ck_assert_int_eq(k8s_gpu_rule_parse("no-equals:h100", &r, &eb), SKY_E_CONFIG);
	ck_assert_str_eq(sky_err_msg(&eb), "GPU label rule 'no-equals:h100': expected "
			 "LABEL=VALUE:TYPE[:COUNT]");
	sky_err_clear(&eb);
	ck_assert_int_eq(k8s_gpu_rule_parse("k=v:h100:zero", &r, &eb), SKY_E_CONFIG);
	ck_assert_int_eq(k8s_gpu_rule_parse("k=v:", &r, &eb), SKY_E_CONFIG);
}
END_TEST

static json_object *node_json(const char *name, const char *labels, const char *alloc)
{
	char *s = xasprintf("{\"metadata\":{\"name\":\"%s\",\"labels\":%s},\"status\":{"
			    "\"allocatable\":%s,\"conditions\":[{\"type\":\"Ready\","
			    "\"status\":\"True\"}]}}", name, labels, alloc);
	json_object *o = json_tokener_parse(s);

	ck_assert_ptr_nonnull(o);
	free(s);
	return o;
}

static void node_is(const char *labels, const char *alloc, const struct k8s_gpu_rule *rules,
		    size_t n_rules, const char *type, uint32_t gpus, const char *key)
{
	json_object *o = node_json("n1", labels, alloc);
	struct k8s_node_res r;

	k8s_node_res_from(o, rules, n_rules, &r);
	if (!type) {
		ck_assert_ptr_null(r.gpu_type);
	} else {
		ck_assert_msg(r.gpu_type && !strcmp(r.gpu_type, type), "labels %s: type %s, want %s",
			      labels, r.gpu_type ? r.gpu_type : "(null)", type);
		ck_assert_str_eq(r.gpu_key, key);
	}
	ck_assert_uint_eq(r.gpus, gpus);
	ck_assert(r.ready);
	k8s_node_res_free(&r);
	json_object_put(o);
}

START_TEST(test_node_labels)
{
	static const char gpu8[] = "{\"cpu\":\"95\",\"memory\":\"1000Gi\",\"nvidia.com/gpu\":\"8\"}";
	static const char cpu[] = "{\"cpu\":\"8\",\"memory\":\"32Gi\"}";
	struct k8s_gpu_rule oci = { "node.kubernetes.io/instance-type", "BM.GPU.H100.*", "h100", 8 };

	/* GKE: the accelerator label and its count; allocatable wins for the count. */
	node_is("{\"cloud.google.com/gke-accelerator\":\"nvidia-h100-80gb\","
		"\"cloud.google.com/gke-accelerator-count\":\"8\"}", gpu8, NULL, 0, "h100", 8,
		"cloud.google.com/gke-accelerator");
	/* GFD next to GKE: GFD first. */
	node_is("{\"cloud.google.com/gke-accelerator\":\"nvidia-tesla-a100\","
		"\"nvidia.com/gpu.product\":\"NVIDIA-A100-SXM4-80GB\",\"nvidia.com/gpu.count\":\"8\"}",
		gpu8, NULL, 0, "a100-80gb", 8, "nvidia.com/gpu.product");
	/* Karpenter without a device plugin yet: the count label. */
	node_is("{\"karpenter.k8s.aws/instance-gpu-name\":\"l4\","
		"\"karpenter.k8s.aws/instance-gpu-count\":\"4\",\"karpenter.k8s.aws/instance-gpu-"
		"manufacturer\":\"nvidia\"}", cpu, NULL, 0, "l4", 4,
		"karpenter.k8s.aws/instance-gpu-name");
	/* Karpenter names both A100s "a100": the memory label (MiB) tells them apart. */
	node_is("{\"karpenter.k8s.aws/instance-gpu-name\":\"a100\","
		"\"karpenter.k8s.aws/instance-gpu-memory\":\"81920\"}", gpu8, NULL, 0, "a100-80gb",
		8, "karpenter.k8s.aws/instance-gpu-name");
	node_is("{\"karpenter.k8s.aws/instance-gpu-name\":\"a100\","
		"\"karpenter.k8s.aws/instance-gpu-memory\":\"40960\"}", gpu8, NULL, 0, "a100", 8,
		"karpenter.k8s.aws/instance-gpu-name");
	/* CoreWeave: vram in GiB */
	node_is("{\"gpu.nvidia.com/class\":\"Tesla_V100_NVLINK\",\"gpu.nvidia.com/vram\":\"32\"}",
		gpu8, NULL, 0, "v100-32gb", 8, "gpu.nvidia.com/class");
	node_is("{\"gpu.nvidia.com/class\":\"A100_NVLINK_80GB\",\"gpu.nvidia.com/vram\":\"80\"}",
		gpu8, NULL, 0, "a100-80gb", 8, "gpu.nvidia.com/class");
	/* Nebius */
	node_is("{\"nebius.com/gpu-name\":\"h200\"}", gpu8, NULL, 0, "h200", 8,
		"nebius.com/gpu-name");
	/* EKS Auto Mode */
	node_is("{\"eks.amazonaws.com/instance-gpu-name\":\"a10g\"}", gpu8, NULL, 0, "a10g", 8,
		"eks.amazonaws.com/instance-gpu-name");
	/* AMD: the count from amd.com/gpu */
	node_is("{\"amd.com/gpu.product-name\":\"AMD_Instinct_MI300X_OAM\"}",
		"{\"cpu\":\"8\",\"amd.com/gpu\":\"8\"}", NULL, 0, "mi300x", 8,
		"amd.com/gpu.product-name");
	/* OCI: shape only, an admin rule; the rule's count when nothing else says. */
	node_is("{\"node.kubernetes.io/instance-type\":\"BM.GPU.H100.8\"}", cpu, &oci, 1, "h100", 8,
		"node.kubernetes.io/instance-type");
	/* The explicit label beats everything. */
	node_is("{\"slurm-sky/accelerator\":\"H100-NVL\",\"nvidia.com/gpu.product\":\"Tesla-T4\"}",
		gpu8, &oci, 1, "h100-nvl", 8, "slurm-sky/accelerator");
	/* A CPU node, and a GPU count without any type label. */
	node_is("{\"kubernetes.io/hostname\":\"c1\"}", cpu, NULL, 0, NULL, 0, NULL);
	node_is("{}", gpu8, NULL, 0, NULL, 0, NULL);
}
END_TEST

START_TEST(test_free_after_pods)
{
	json_object *nodes[2] = {
		node_json("gpu-a", "{\"nvidia.com/gpu.product\":\"NVIDIA-H100-80GB-HBM3\"}",
			  "{\"cpu\":\"7910m\",\"memory\":\"32Gi\",\"nvidia.com/gpu\":\"8\"}"),
		node_json("gpu-b", "{\"cloud.google.com/gke-accelerator\":\"nvidia-l4\"}",
			  "{\"cpu\":\"4\",\"memory\":\"16Gi\",\"nvidia.com/gpu\":\"1\"}"),
	};
	/* p1 on gpu-a: requests 2 CPUs + 1Gi, limits 2 GPUs (limit counts as request);
	 * p2 on gpu-a: an init container larger than the app container;
	 * p3 on gpu-a finished (ignored); p4 on gpu-b; p5 unscheduled (ignored). */
	json_object *pods = json_tokener_parse("{\"items\":["
		"{\"spec\":{\"nodeName\":\"gpu-a\",\"containers\":[{\"resources\":{\"requests\":"
		"{\"cpu\":\"2\",\"memory\":\"1Gi\"},\"limits\":{\"nvidia.com/gpu\":\"2\"}}}]},"
		"\"status\":{\"phase\":\"Running\"}},"
		"{\"spec\":{\"nodeName\":\"gpu-a\",\"initContainers\":[{\"resources\":{\"requests\":"
		"{\"cpu\":\"1500m\"}}}],\"containers\":[{\"resources\":{\"requests\":{\"cpu\":"
		"\"500m\"}}},{\"resources\":{\"requests\":{\"cpu\":\"100m\"}}}]},"
		"\"status\":{\"phase\":\"Pending\"}},"
		"{\"spec\":{\"nodeName\":\"gpu-a\",\"containers\":[{\"resources\":{\"limits\":"
		"{\"nvidia.com/gpu\":\"4\"}}}]},\"status\":{\"phase\":\"Succeeded\"}},"
		"{\"spec\":{\"nodeName\":\"gpu-b\",\"containers\":[{\"resources\":{\"limits\":"
		"{\"nvidia.com/gpu\":\"1\",\"memory\":\"20Gi\"}}}]},\"status\":{\"phase\":"
		"\"Running\"}},"
		"{\"spec\":{\"containers\":[{\"resources\":{\"limits\":{\"nvidia.com/gpu\":\"1\"}}}]},"
		"\"status\":{\"phase\":\"Pending\"}}]}");
	struct k8s_node_res r[2];

	for (int i = 0; i < 2; i++)
		k8s_node_res_from(nodes[i], NULL, 0, &r[i]);
	k8s_node_res_sub_pods(r, 2, pods);
	ck_assert_str_eq(r[0].gpu_type, "h100");
	ck_assert_uint_eq(r[0].gpus, 8);
	ck_assert_uint_eq(r[0].gpus_free, 6);
	ck_assert_int_eq(r[0].cpu_milli, 7910);
	ck_assert_int_eq(r[0].cpu_milli_free, 7910 - 2000 - 1500);
	ck_assert_int_eq(r[0].mem_bytes_free, (32LL << 30) - (1LL << 30));
	ck_assert_str_eq(r[1].gpu_type, "l4");
	ck_assert_uint_eq(r[1].gpus_free, 0);
	ck_assert_int_eq(r[1].mem_bytes_free, 0); /* over-committed: never negative */
	for (int i = 0; i < 2; i++) {
		k8s_node_res_free(&r[i]);
		json_object_put(nodes[i]);
	}
	json_object_put(pods);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("k8s_gpu");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_normalise_vendors);
	tcase_add_test(tc, test_quantity);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_node_labels);
	tcase_add_test(tc, test_free_after_pods);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
