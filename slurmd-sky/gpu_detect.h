/*
 * gpu_detect.h: the GPUs of this node, from hwloc's view of it, and the
 * node's GRES as gres.conf and discovery together describe them.
 *
 * hwloc shows one GPU several times, once per backend that knows it (nvml0,
 * cuda0, opencl0d0, rsmi0, ze0, and the DRM card0/renderD128). The backend
 * family with most devices is taken, preferring the management libraries
 * (NVML, ROCm SMI, Level Zero) that report model names; only without any such
 * OS device are PCI display/3D controllers of GPU vendors counted. Devices
 * are numbered in the family's own order (nvml0, nvml1, ...), which NVML and
 * ROCm SMI give by PCI bus id, like the CUDA_DEVICE_ORDER=PCI_BUS_ID that
 * Slurm recommends.
 *
 * Model names become Slurm-style types: "NVIDIA A100-SXM4-80GB" -> a100,
 * "Tesla V100-SXM3-32GB-H" -> v100, "NVIDIA H100 80GB HBM3" -> h100,
 * "AMD Instinct MI250X" -> mi250x, "NVIDIA GeForce RTX 2060" -> geforce_rtx_2060.
 */
#ifndef SKY_SLURMD_GPU_DETECT_H
#define SKY_SLURMD_GPU_DETECT_H

#include <hwloc.h>
#include <stddef.h>

#include "sky_err.h"

struct gpu_dev {
	char *type;             /* normalised model, or NULL when unknown; owned */
	char *model;            /* as the backend reports it, or NULL; owned */
	char *backend;          /* "NVML", "RSMI", "CUDA", "OpenCL", "LevelZero", "PCI"; owned */
	char *name;             /* the OS device name ("nvml3"), or the PCI bus id; owned */
};

struct gpu_list {
	struct gpu_dev *v;      /* owned */
	size_t n;
};

/* Every GPU of topology t, in device order. Nothing found is not an error. */
void gpu_detect(hwloc_topology_t t, struct gpu_list *out);
void gpu_list_free(struct gpu_list *l);

/*
 * The Gres= form of l: "gpu:v100:16", "gpu:a100:4,gpu:v100:4" (types in
 * device order), "gpu:8" when no type is known. NULL when l is empty. Caller frees.
 */
char *gpu_list_gres(const struct gpu_list *l);

/* The GRES string hwloc discovery gives for t (gpu_detect + gpu_list_gres). Caller frees. */
char *gpu_detect_gres(hwloc_topology_t t);

/* A model name as a Slurm type ("NVIDIA A100-SXM4-80GB" -> "a100"). Caller frees; NULL for "". */
char *gpu_type_from_model(const char *model);

/*
 * The GRES this node reports: gres.conf (read from beside conf_path) wins
 * for every node it has records for; with AutoDetect=off and no records, no
 * GRES; otherwise *gres (hwloc discovery) stays. Replaces *gres (owned).
 * SKY_E_CONFIG with "gres.conf:LINE: ..." when gres.conf is bad.
 */
int gpu_node_gres(const char *conf_path, const char *node, char **gres, struct sky_errbuf *eb);

#endif
