/*
 * hw_detect.h: what this node has, as the agent reports it at registration.
 *
 * CPU topology and memory come from hwloc (HWLOC_XMLFILE makes hwloc read a
 * saved topology instead of this machine: the tests use that). GPUs are the
 * GPU/co-processor OS devices hwloc finds (NVML, CUDA, OpenCL, ROCm SMI...),
 * reported as gres "gpu:N".
 */
#ifndef SKY_SLURMD_HW_DETECT_H
#define SKY_SLURMD_HW_DETECT_H

#include <stdint.h>

#include "sky_err.h"

struct hw_info {
	uint32_t cpus;              /* logical processors (PUs) */
	uint32_t sockets;
	uint32_t cores_per_socket;
	uint32_t threads_per_core;
	uint64_t memory_mb;         /* MiB */
	char *gres;                 /* "gpu:N", or NULL without GPUs; owned */
	char *os;                   /* "Linux <release> <version>"; owned */
	char *arch;                 /* uname machine; owned */
	uint64_t boot_time;         /* unix seconds */
};

/* Fill hw. SKY_E_GENERIC when hwloc cannot load a topology. Release with hw_info_clear(). */
int hw_detect(struct hw_info *hw, struct sky_errbuf *eb);
void hw_info_clear(struct hw_info *hw);

/*
 * GPU count from OS device names: each naming family (nvml*, cuda*, ...)
 * describes the same GPUs again, so the largest family count wins.
 */
uint32_t hw_count_gpus(const char *const *names, const int *is_gpu_type, int n);

#endif
