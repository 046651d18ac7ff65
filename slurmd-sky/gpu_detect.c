/* gpu_detect.c: see gpu_detect.h. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gpu_detect.h"
#include "gres.h"
#include "gres_conf.h"
#include "xalloc.h"

/* OS device name prefixes, in order of preference; DRM names (card0) are never used. */
static const struct {
	const char *prefix;
	const char *backend;
} families[] = {
	{ "nvml", "NVML" }, { "rsmi", "RSMI" }, { "ze", "LevelZero" },
	{ "cuda", "CUDA" }, { "opencl", "OpenCL" },
};
#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

/* Words of a model name that name the vendor or a product line, not the GPU. */
static const char *const noise[] = {
	"nvidia", "tesla", "amd", "ati", "radeon", "instinct", "intel(r)", "intel",
	"data", "center", "gpu", "corporation",
};

static bool is_noise(const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof(noise) / sizeof(noise[0]); i++)
		if (strlen(noise[i]) == len && !strncasecmp(w, noise[i], len))
			return true;
	return false;
}

static bool has_digit(const char *w, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (isdigit((unsigned char)w[i]))
			return true;
	return false;
}

char *gpu_type_from_model(const char *model)
{
	char *out = xstrdup(""), *t;
	const char *p = model;

	while (p && *p) {
		size_t len;
		while (*p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, " \t");
		if (!len)
			break;
		if (!is_noise(p, len)) {
			/* The model proper ends at its first '-' ("A100-SXM4-80GB"). */
			size_t cut = strcspn(p, "- \t");
			t = xasprintf("%s%s%.*s", out, *out ? "_" : "", (int)(cut ? cut : len), p);
			free(out);
			out = t;
			if (has_digit(p, cut ? cut : len))
				break;
		}
		p += len;
	}
	for (t = out; *t; t++)
		*t = (char)tolower((unsigned char)*t);
	if (!*out)
		FREE_NULL(out);
	return out;
}

static void push(struct gpu_list *l, const char *model, const char *backend, const char *name,
		 const char *type)
{
	struct gpu_dev *d;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	d = &l->v[l->n++];
	d->model = model ? xstrdup(model) : NULL;
	d->type = type ? xstrdup(type) : gpu_type_from_model(model);
	d->backend = xstrdup(backend);
	d->name = xstrdup(name);
}

void gpu_list_free(struct gpu_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].type);
		free(l->v[i].model);
		free(l->v[i].backend);
		free(l->v[i].name);
	}
	FREE_NULL(l->v);
	l->n = 0;
}

static int family_of(const char *name)
{
	for (size_t f = 0; f < N_FAMILIES; f++) {
		size_t len = strlen(families[f].prefix);
		if (!strncmp(name, families[f].prefix, len) && isdigit((unsigned char)name[len]))
			return (int)f;
	}
	return -1;
}

/* The number in an OS device name ("nvml12" -> 12, "opencl0d3" -> 3: device within platform 0). */
static long dev_order(const char *name)
{
	const char *p = name + strlen(name);

	while (p > name && isdigit((unsigned char)p[-1]))
		p--;
	return atol(p);
}

static int by_name(const void *a, const void *b)
{
	const struct gpu_dev *x = a, *y = b;
	long i = dev_order(x->name), k = dev_order(y->name);

	return i < k ? -1 : i > k;
}

/* A few PCI device ids whose type is known, for hosts without GPU libraries. */
static const char *pci_type(unsigned vendor, unsigned device)
{
	static const struct {
		unsigned vendor, device;
		const char *type;
	} ids[] = {
		{ 0x10de, 0x20b0, "a100" }, { 0x10de, 0x20b2, "a100" }, { 0x10de, 0x20b5, "a100" },
		{ 0x10de, 0x20f1, "a100" }, { 0x10de, 0x2330, "h100" }, { 0x10de, 0x2331, "h100" },
		{ 0x10de, 0x1db1, "v100" }, { 0x10de, 0x1db4, "v100" }, { 0x10de, 0x1db5, "v100" },
		{ 0x10de, 0x1db8, "v100" }, { 0x10de, 0x1eb8, "t4" },   { 0x10de, 0x27b8, "l4" },
		{ 0x1002, 0x66a1, "mi50" }, { 0x1002, 0x738c, "mi100" }, { 0x1002, 0x7408, "mi250x" },
	};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i].vendor == vendor && ids[i].device == device)
			return ids[i].type;
	return NULL;
}

/* Without GPU OS devices: PCI display/3D controllers of NVIDIA and AMD, 3D/other of Intel. */
static void detect_pci(hwloc_topology_t t, struct gpu_list *out)
{
	hwloc_obj_t o = NULL;

	while ((o = hwloc_get_next_pcidev(t, o))) {
		unsigned vendor = o->attr->pcidev.vendor_id, cls = o->attr->pcidev.class_id;
		char busid[32];

		if ((cls >> 8) != 0x03)
			continue;
		if (vendor != 0x10de && vendor != 0x1002 && !(vendor == 0x8086 && cls != 0x0300))
			continue;
		snprintf(busid, sizeof(busid), "%04x:%02x:%02x.%01x", o->attr->pcidev.domain,
			 o->attr->pcidev.bus, o->attr->pcidev.dev, o->attr->pcidev.func);
		push(out, hwloc_obj_get_info_by_name(o, "PCIDevice"), "PCI", busid,
		     pci_type(vendor, o->attr->pcidev.device_id));
	}
}

void gpu_detect(hwloc_topology_t t, struct gpu_list *out)
{
	struct gpu_list fam[N_FAMILIES];
	hwloc_obj_t o = NULL;
	size_t best = N_FAMILIES;

	memset(out, 0, sizeof(*out));
	memset(fam, 0, sizeof(fam));
	while ((o = hwloc_get_next_osdev(t, o))) {
		int f = o->name ? family_of(o->name) : -1;
		const char *model;

		if (f < 0)
			continue;
		model = hwloc_obj_get_info_by_name(o, "GPUModel");
		if (!model)
			model = hwloc_obj_get_info_by_name(o, "LevelZeroDeviceName");
		push(&fam[f], model, families[f].backend, o->name, NULL);
	}
	for (size_t f = 0; f < N_FAMILIES; f++)
		if (fam[f].n && (best == N_FAMILIES || fam[f].n > fam[best].n))
			best = f;
	for (size_t f = 0; f < N_FAMILIES; f++) {
		if (f == best) {
			*out = fam[f];
			qsort(out->v, out->n, sizeof(*out->v), by_name);
		} else {
			gpu_list_free(&fam[f]);
		}
	}
	if (best == N_FAMILIES)
		detect_pci(t, out);
}

char *gpu_list_gres(const struct gpu_list *l)
{
	struct gres_list g = { 0 };
	bool typed = l->n > 0;
	char *s;

	for (size_t i = 0; i < l->n; i++)
		typed = typed && l->v[i].type;
	for (size_t i = 0; i < l->n; i++) {
		const char *type = typed ? l->v[i].type : NULL;
		bool merged = false;
		for (size_t k = 0; k < g.n && !merged; k++)
			if ((!type && !g.v[k].type) || (type && g.v[k].type && !strcmp(type, g.v[k].type))) {
				g.v[k].count++;
				merged = true;
			}
		if (!merged)
			gres_list_add(&g, "gpu", type, 1);
	}
	s = gres_list_str(&g);
	gres_list_free(&g);
	return s;
}

char *gpu_detect_gres(hwloc_topology_t t)
{
	struct gpu_list l;
	char *s;

	gpu_detect(t, &l);
	s = gpu_list_gres(&l);
	gpu_list_free(&l);
	return s;
}

int gpu_node_gres(const char *conf_path, const char *node, char **gres, struct sky_errbuf *eb)
{
	char *path = gres_conf_path(conf_path);
	struct gres_conf gc;
	struct gres_list l = { 0 };
	enum gres_autodetect ad;
	int rc;

	rc = gres_conf_load(path, &gc, eb);
	free(path);
	if (rc)
		return rc;
	gres_conf_for_node(&gc, node, &l, NULL, NULL, &ad);
	if (l.n) {
		free(*gres);
		*gres = gres_list_str(&l);
	} else if (ad == GRES_AUTODETECT_OFF) {
		FREE_NULL(*gres);
	}
	gres_list_free(&l);
	gres_conf_free(&gc);
	return 0;
}
