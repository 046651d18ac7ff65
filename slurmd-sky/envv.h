/*
 * envv.h: a growing, NULL-terminated environment vector ("NAME=value"
 * strings), as the batch job's and each srun task's environments are built.
 * A later setting of a name replaces the earlier one in place.
 */
#ifndef SKY_SLURMD_ENVV_H
#define SKY_SLURMD_ENVV_H

#include <stddef.h>
#include <sys/types.h>

struct envv {
	char **v;      /* owned strings, NULL-terminated once anything is set */
	size_t n, cap;
};

/* Index of the entry named by the first nlen bytes of name, or -1. */
ssize_t envv_find(const struct envv *e, const char *name, size_t nlen);
/* Consumes entry ("NAME=value"), replacing an earlier NAME. */
void envv_put(struct envv *e, char *entry);
/* NAME=printf(fmt, ...). */
void envv_set(struct envv *e, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* NAME=val, unless val is NULL or empty. */
void envv_set_str(struct envv *e, const char *name, const char *val);

#endif
