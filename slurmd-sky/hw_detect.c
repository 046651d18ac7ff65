/* hw_detect.c: see hw_detect.h. */
#include "config.h"

#include <hwloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "gpu_detect.h"
#include "hw_detect.h"
#include "proc.h"
#include "xalloc.h"

/* OS device name prefixes of GPU-ish backends, one family each. */
static const char *const gpu_families[] = {
	"nvml", "nvidia", "cuda", "rsmi", "opencl", "ze",
};
#define N_FAMILIES (sizeof(gpu_families) / sizeof(gpu_families[0]))

uint32_t hw_count_gpus(const char *const *names, const int *is_gpu_type, int n)
{
	uint32_t count[N_FAMILIES] = { 0 }, best = 0;

	for (int i = 0; i < n; i++) {
		if (!is_gpu_type[i] || !names[i])
			continue;
		for (size_t f = 0; f < N_FAMILIES; f++)
			if (!strncmp(names[i], gpu_families[f], strlen(gpu_families[f]))) {
				count[f]++;
				break;
			}
	}
	for (size_t f = 0; f < N_FAMILIES; f++)
		if (count[f] > best)
			best = count[f];
	return best;
}

static uint32_t count_type(hwloc_topology_t t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t, type);
	return n > 0 ? (uint32_t)n : 0;
}

static uint32_t detect_gpus(hwloc_topology_t t)
{
	int n = 0, cap = 0;
	const char **names = NULL;
	int *gpu = NULL;
	hwloc_obj_t o = NULL;
	uint32_t count;

	while ((o = hwloc_get_next_osdev(t, o))) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, (size_t)cap * sizeof(*names));
			gpu = xrealloc(gpu, (size_t)cap * sizeof(*gpu));
		}
		names[n] = o->name;
		gpu[n] = o->attr && (o->attr->osdev.type == HWLOC_OBJ_OSDEV_GPU ||
				     o->attr->osdev.type == HWLOC_OBJ_OSDEV_COPROC);
		n++;
	}
	count = hw_count_gpus(names, gpu, n);
	free(names);
	free(gpu);
	return count;
}

static void detect_os(struct hw_info *hw)
{
	struct utsname u;

	if (uname(&u) == 0) {
		hw->os = xasprintf("%s %s %s", u.sysname, u.release, u.version);
		hw->arch = xstrdup(u.machine);
	}
	hw->boot_time = proc_boot_time();
}

int hw_detect(struct hw_info *hw, struct sky_errbuf *eb)
{
	const char *xml = getenv("HWLOC_XMLFILE");
	hwloc_topology_t t;
	uint32_t cores, gpus;
	hwloc_obj_t root;

	memset(hw, 0, sizeof(*hw));
	if (hwloc_topology_init(&t) < 0)
		return sky_err_set(eb, SKY_E_GENERIC, "hwloc_topology_init failed");
	/* hwloc alone would fall back to this machine when the file is unreadable. */
	if (xml && *xml && hwloc_topology_set_xml(t, xml) < 0) {
		hwloc_topology_destroy(t);
		return sky_err_set(eb, SKY_E_GENERIC, "hwloc cannot read HWLOC_XMLFILE %s", xml);
	}
	hwloc_topology_set_io_types_filter(t, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
	if (hwloc_topology_load(t) < 0) {
		hwloc_topology_destroy(t);
		return sky_err_set(eb, SKY_E_GENERIC, "hwloc cannot load the topology%s%s",
				   xml ? " from " : "", xml ? xml : "");
	}
	hw->cpus = count_type(t, HWLOC_OBJ_PU);
	cores = count_type(t, HWLOC_OBJ_CORE);
	hw->sockets = count_type(t, HWLOC_OBJ_PACKAGE);
	if (!hw->cpus)
		hw->cpus = 1;
	if (!cores)
		cores = hw->cpus;
	if (!hw->sockets)
		hw->sockets = 1;
	hw->cores_per_socket = cores / hw->sockets ? cores / hw->sockets : 1;
	hw->threads_per_core = hw->cpus / cores ? hw->cpus / cores : 1;
	root = hwloc_get_root_obj(t);
	hw->memory_mb = root ? root->total_memory >> 20 : 0;
	if (!hw->memory_mb) {
		struct sysinfo si;
		if (sysinfo(&si) == 0)
			hw->memory_mb = ((uint64_t)si.totalram * si.mem_unit) >> 20;
	}
	gpus = detect_gpus(t);
	hw->gres = gpu_detect_gres(t);     /* typed when the backends name the models */
	if (!hw->gres && gpus)
		hw->gres = xasprintf("gpu:%u", gpus);
	hwloc_topology_destroy(t);
	detect_os(hw);
	return 0;
}

void hw_info_clear(struct hw_info *hw)
{
	FREE_NULL(hw->gres);
	FREE_NULL(hw->os);
	FREE_NULL(hw->arch);
}
