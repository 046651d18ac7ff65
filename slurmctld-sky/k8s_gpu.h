/*
 * k8s_gpu.h: what a Kubernetes node offers, in Slurm's terms: its GPU type
 * (a Slurm GRES type name) and count, CPUs and memory, and what is still
 * free after the requests of the pods bound to it.
 *
 * GPU type, from the first of these that the node has (peers.md 1.2):
 *   1. slurm-sky/accelerator            explicit, taken as written (lowercased)
 *   2. an admin rule (k8s_gpu_rule)     e.g. OCI shapes: instance-type=BM.GPU.H100.8
 *   3. nvidia.com/gpu.product           NVIDIA GFD ("NVIDIA-A100-SXM4-80GB")
 *   4. cloud.google.com/gke-accelerator GKE ("nvidia-tesla-t4", "nvidia-a100-80gb")
 *   5. karpenter.k8s.aws/instance-gpu-name  Karpenter ("l40s")
 *   6. eks.amazonaws.com/instance-gpu-name  EKS Auto Mode
 *   7. gpu.nvidia.com/class             CoreWeave, Ori ("A100_NVLINK_80GB", "H100SXM-80")
 *   8. nebius.com/gpu-name              Nebius
 *   9. karpenter.azure.com/sku-gpu-name AKS node auto-provisioning
 *  10. amd.com/gpu.product-name, beta.amd.com/gpu.product-name  AMD labeller
 * Names are normalised to the GRES types the catalogs give (conf/catalogs,
 * lowercased as the AWS provider does): vendor words dropped ("nvidia",
 * "tesla", "geforce"), form factors ignored ("sxm4", "pcie", "nvlink"), the
 * memory variant kept only where the catalogs tell parts apart (a100 vs
 * a100-80gb, v100 vs v100-32gb; from the name, else from the memory label:
 * nvidia.com/gpu.memory and *.amazonaws.com/instance-gpu-memory in MiB,
 * gpu.nvidia.com/vram in GiB), MIG slices appended ("a100-1g.5gb").
 * Unknown models keep their label value lowercased with '_'/' ' -> '-'.
 *
 * GPU count: allocatable nvidia.com/gpu (amd.com/gpu for AMD types), else
 * the distribution's count label (gpu.count, gke-accelerator-count,
 * instance-gpu-count), else the rule's count. Free resources: allocatable
 * minus the requests of pods on the node that are not Succeeded/Failed
 * (a container without a request for a resource counts its limit; init
 * containers count as Kubernetes does: max(sum of containers, largest init)).
 */
#ifndef SKY_K8S_GPU_H
#define SKY_K8S_GPU_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sky_err.h"

/* "KEY=VALUE:TYPE[:COUNT]": VALUE may hold fnmatch wildcards. */
struct k8s_gpu_rule {
	char *key, *value, *type;
	uint32_t count;         /* 0 = from allocatable / labels */
};

/* Parse one rule; *out caller frees with k8s_gpu_rule_free. Errors name s. */
int k8s_gpu_rule_parse(const char *s, struct k8s_gpu_rule *out, struct sky_errbuf *eb);
void k8s_gpu_rule_free(struct k8s_gpu_rule *r);

/* A product name from any of the labels above as a GRES type. Caller frees;
 * NULL for an empty or vendor-only name ("nvidia"). */
char *k8s_gpu_normalise(const char *product);

/*
 * Kubernetes quantity ("7910m", "8", "32Gi", "1000M", "1.5", "2e3") times
 * scale (1000 for millicores, 1 for bytes), rounded up. -1 if malformed or
 * negative or beyond int64.
 */
int64_t k8s_quantity(const char *s, int64_t scale);

struct k8s_node_res {
	char *name;
	char *gpu_type;         /* NULL: no GPU */
	char *gpu_key;          /* the label (or "rule") the type came from; NULL with it */
	char *gpu_value;        /* that label's value, for a node affinity term */
	uint32_t gpus, gpus_free;
	const char *gpu_resource;  /* "nvidia.com/gpu" or "amd.com/gpu" (static) */
	int64_t cpu_milli, cpu_milli_free;
	int64_t mem_bytes, mem_bytes_free;
	bool ready;             /* condition Ready=True */
	bool schedulable;       /* not spec.unschedulable */
};

/*
 * One node object (borrowed) into *out (caller frees with k8s_node_res_free);
 * free = allocatable. rules may be NULL (n_rules 0).
 */
void k8s_node_res_from(json_object *node, const struct k8s_gpu_rule *rules, size_t n_rules,
		       struct k8s_node_res *out);
void k8s_node_res_free(struct k8s_node_res *r);

/* Subtract the requests of the pods of a PodList (borrowed) from the nodes
 * they are bound to (matched by name). */
void k8s_node_res_sub_pods(struct k8s_node_res *nodes, size_t n, json_object *pod_list);

#endif
