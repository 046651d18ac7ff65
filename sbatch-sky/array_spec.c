/* array_spec.c: see array_spec.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_spec.h"
#include "xalloc.h"

/* Slurm's largest MaxArraySize: a task list in a job id token never needs more. */
#define ARRAY_TOKEN_MAX_TASKS 4000001u

/* A stride is printed "a-b:s" only for spans wider than this (Slurm's rule). */
#define STEP_MIN_SPAN 10

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Strict decimal at *p; advances *p. */
static bool read_u32(const char **p, uint32_t *out)
{
	unsigned long long v = 0;
	const char *s = *p;

	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT32_MAX)
			return false;
		s++;
	}
	*p = s;
	*out = (uint32_t)v;
	return true;
}

static void push(struct array_spec *a, size_t *cap, uint32_t v)
{
	if (a->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		a->idx = xrealloc(a->idx, *cap * sizeof(*a->idx));
	}
	a->idx[a->n++] = v;
}

/* One "N", "N-M" or "N-M:S" token, ending at end. */
static int parse_token(const char *p, const char *end, uint32_t max_size, uint32_t max_tasks,
		       struct array_spec *a, size_t *cap, struct sky_errbuf *eb)
{
	const char *tok = p;
	uint32_t lo, hi, step = 1;

	if (!read_u32(&p, &lo))
		goto bad;
	hi = lo;
	if (p < end && *p == '-') {
		p++;
		if (!read_u32(&p, &hi) || hi < lo)
			goto bad;
		if (p < end && *p == ':') {
			p++;
			if (!read_u32(&p, &step) || step == 0)
				goto bad;
		}
	}
	if (p != end)
		goto bad;
	if (hi >= max_size)
		return sky_err_set(eb, SKY_E_INVALID_ARRAY, "%s (index %u is not below MaxArraySize=%u)",
				   sky_strerror(SKY_E_INVALID_ARRAY), hi, max_size);
	for (uint64_t v = lo; v <= hi; v += step) {
		if (max_tasks && a->n >= max_tasks)
			return sky_err_set(eb, SKY_E_INVALID_ARRAY, "%s (more than %u tasks)",
					   sky_strerror(SKY_E_INVALID_ARRAY), max_tasks);
		push(a, cap, (uint32_t)v);
	}
	return 0;
bad:
	return sky_err_set(eb, SKY_E_INVALID_ARRAY, "%s (bad token '%.*s')",
			   sky_strerror(SKY_E_INVALID_ARRAY), (int)(end - tok), tok);
}

int array_spec_parse(const char *spec, uint32_t max_size, uint32_t max_tasks,
		     struct array_spec *out, struct sky_errbuf *eb)
{
	const char *p = spec, *stop, *pct;
	size_t cap = 0, i, u;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec)
		return sky_err_set(eb, SKY_E_INVALID_ARRAY, "%s", sky_strerror(SKY_E_INVALID_ARRAY));
	if (!max_size)
		return sky_err_set(eb, SKY_E_INVALID_ARRAY, "%s (MaxArraySize=0: arrays are disabled)",
				   sky_strerror(SKY_E_INVALID_ARRAY));
	pct = strchr(spec, '%');
	stop = pct ? pct : spec + strlen(spec);
	if (pct) {
		/* Slurm takes atoi() of the rest: "%x" or "%" mean no throttle (22.05 too). */
		const char *t = pct + 1;
		if (!read_u32(&t, &out->throttle))
			out->throttle = 0;
	}
	while (p < stop) {
		const char *comma = memchr(p, ',', (size_t)(stop - p));
		const char *end = comma ? comma : stop;

		if ((rc = parse_token(p, end, max_size, max_tasks, out, &cap, eb)))
			goto fail;
		p = comma ? comma + 1 : stop;
		if (comma && p == stop) {
			rc = sky_err_set(eb, SKY_E_INVALID_ARRAY, "%s (trailing ',')",
					 sky_strerror(SKY_E_INVALID_ARRAY));
			goto fail;
		}
	}
	if (!out->n) {
		rc = sky_err_set(eb, SKY_E_INVALID_ARRAY, "%s", sky_strerror(SKY_E_INVALID_ARRAY));
		goto fail;
	}
	qsort(out->idx, out->n, sizeof(*out->idx), cmp_u32);
	for (i = 1, u = 1; i < out->n; i++)
		if (out->idx[i] != out->idx[u - 1])
			out->idx[u++] = out->idx[i];
	out->n = u;
	return 0;
fail:
	array_spec_fini(out);
	return rc;
}

void array_spec_fini(struct array_spec *a)
{
	FREE_NULL(a->idx);
	a->n = 0;
}

bool array_idx_has(const uint32_t *v, size_t n, uint32_t idx)
{
	return v && n && bsearch(&idx, v, n, sizeof(*v), cmp_u32) != NULL;
}

/* A constant stride > 1 over a wide span: "a-b:s". */
static bool is_stride(const uint32_t *v, size_t n)
{
	uint32_t step;

	if (n < 2 || v[n - 1] - v[0] <= STEP_MIN_SPAN)
		return false;
	step = v[1] - v[0];
	if (step < 2)
		return false;
	for (size_t i = 2; i < n; i++)
		if (v[i] - v[i - 1] != step)
			return false;
	return true;
}

char *array_ranges_str(const uint32_t *v, size_t n, size_t max_len)
{
	char *out = NULL;
	size_t i = 0;

	if (is_stride(v, n))
		return xasprintf("%u-%u:%u", v[0], v[n - 1], v[1] - v[0]);
	while (i < n) {
		size_t j = i;
		while (j + 1 < n && v[j + 1] == v[j] + 1)
			j++;
		if (j == i)
			xstrfmtcat(&out, "%s%u", out ? "," : "", v[i]);
		else
			xstrfmtcat(&out, "%s%u-%u", out ? "," : "", v[i], v[j]);
		i = j + 1;
	}
	if (!out)
		out = xstrdup("");
	/* Slurm formats into a max_len buffer (NUL included); a full buffer
	 * means "cut", and its last three characters become "..." (as 22.05 prints). */
	if (max_len > 4 && strlen(out) >= max_len - 1) {
		out[max_len - 4] = '\0';
		xstrfmtcat(&out, "...");
	}
	return out;
}

bool array_parse_job_token(const char *s, uint32_t *job_id, uint32_t **tasks, size_t *n_tasks)
{
	const char *p = s, *dot;
	char *expr = NULL;
	struct array_spec a;
	struct sky_errbuf eb;
	uint32_t id;

	*tasks = NULL;
	*n_tasks = 0;
	if (!s || !read_u32(&p, &id) || id == 0)
		return false;
	if (*p == '_') {
		p++;
		if (*p == '*') {
			p++;
		} else if (*p == '[') {
			const char *close = strchr(p, ']');
			if (!close || close == p + 1)
				return false;
			expr = xstrndup(p + 1, (size_t)(close - p - 1));
			p = close + 1;
		} else {
			const char *q = p;
			uint32_t t;
			if (!read_u32(&q, &t))
				return false;
			expr = xstrndup(p, (size_t)(q - p));
			p = q;
		}
	}
	if (*p == '.') {
		dot = p + 1;
		if (!strcmp(dot, "batch") || !strcmp(dot, "extern"))
			p = dot + strlen(dot);
		else if (read_u32(&dot, &(uint32_t){ 0 }))
			p = dot;
	}
	if (*p) {
		free(expr);
		return false;
	}
	if (expr) {
		sky_err_clear(&eb);
		/* A task list names existing tasks: no MaxArraySize bound here. */
		if (array_spec_parse(expr, UINT32_MAX, ARRAY_TOKEN_MAX_TASKS, &a, &eb) || a.throttle) {
			array_spec_fini(&a);
			free(expr);
			return false;
		}
		*tasks = a.idx;
		*n_tasks = a.n;
		free(expr);
	}
	*job_id = id;
	return true;
}
