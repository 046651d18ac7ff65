/*
 * spank_int.h: the host's private structures, shared by spank_stack.c (load,
 * call) and spank_api.c (the functions plugins call back). Not for other
 * directories: they use spank_stack.h.
 */
#ifndef SKY_SPANK_INT_H
#define SKY_SPANK_INT_H

#include <slurm/spank.h>

#include "spank_stack.h"

struct spank_plugin {
	char *path;                  /* as found */
	char *name;                  /* its plugin_name */
	bool required;
	int ac;
	char **av;                   /* NULL-terminated; owned */
	void *dl;                    /* dlopen handle */
	spank_f *hooks[SPANK_HOOK__COUNT];
};

struct spank_opt {
	struct spank_option opt;     /* strings owned; cb borrowed from the plugin */
	size_t plugin;               /* index into plugins */
	char *value;                 /* owned; NULL until given */
};

struct spank_stack {
	int ctx;                     /* spank_context_t */
	struct spank_plugin *plugins;
	size_t n_plugins;
	struct spank_opt *opts;
	size_t n_opts;
	const struct spank_task *task; /* borrowed; NULL outside tasks */
	char ***envp;                /* borrowed */
};

/* What a plugin's spank_t points to while one of its hooks runs. */
struct spank_handle {
	unsigned magic;              /* SPANK_HANDLE_MAGIC: catches stale handles */
	struct spank_stack *st;
	size_t plugin;
	enum spank_hook hook;
};
#define SPANK_HANDLE_MAGIC 0x5b4a4e4bu

/* The stack whose hooks are running (spank_context() needs it without a handle). */
void spank_api_set_current(struct spank_stack *st);
struct spank_stack *spank_api_current(void);

/* Register opt for plugin p of st (copying it). ESPANK_* code. */
int spank_api_register(struct spank_stack *st, size_t p, const struct spank_option *opt);

#endif
