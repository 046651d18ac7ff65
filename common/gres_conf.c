/* gres_conf.c: see gres_conf.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gres_conf.h"
#include "hostlist.h"
#include "xalloc.h"

char *gres_conf_path(const char *conf_path)
{
	const char *slash = conf_path ? strrchr(conf_path, '/') : NULL;

	if (!slash)
		return xstrdup("gres.conf");
	return xasprintf("%.*s/gres.conf", (int)(slash - conf_path), conf_path);
}

bool gres_autodetect_parse(const char *v, enum gres_autodetect *out)
{
	static const struct {
		const char *name;
		enum gres_autodetect mode;
	} modes[] = {
		{ "off", GRES_AUTODETECT_OFF }, { "nvml", GRES_AUTODETECT_NVML },
		{ "nvidia", GRES_AUTODETECT_NVML }, { "rsmi", GRES_AUTODETECT_RSMI },
		{ "oneapi", GRES_AUTODETECT_ONEAPI }, { "nrt", GRES_AUTODETECT_NRT },
		{ "full", GRES_AUTODETECT_FULL },
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcasecmp(v, modes[i].name)) {
			*out = modes[i].mode;
			return true;
		}
	return false;
}

static void push_file(char ***files, size_t *n, char *f)
{
	*files = xrealloc(*files, (*n + 1) * sizeof(**files));
	(*files)[(*n)++] = f;
}

/* One comma-free-outside-brackets item: "pre[a-b,c]post" or a plain name. */
static int expand_one(const char *item, char ***files, size_t *n, struct sky_errbuf *eb)
{
	const char *open = strchr(item, '['), *close = open ? strchr(open, ']') : NULL;
	const char *p;

	if (!open) {
		if (strchr(item, ']') || !*item)
			goto bad;
		push_file(files, n, xstrdup(item));
		return 0;
	}
	if (!close || strchr(close + 1, '[') || close == open + 1)
		goto bad;
	for (p = open + 1; p < close;) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;
		int width = (int)(end - p);

		if (end == p || !isdigit((unsigned char)*p))
			goto bad;
		p = end;
		if (*p == '-') {
			b = strtoul(p + 1, &end, 10);
			if (end == p + 1 || b < a || b - a > 4096)
				goto bad;
			p = end;
		}
		if (p < close && *p != ',')
			goto bad;
		if (*p == ',')
			p++;
		for (unsigned long i = a; i <= b; i++)
			push_file(files, n, xasprintf("%.*s%0*lu%s", (int)(open - item), item,
						      *open == '[' && open[1] == '0' ? width : 1, i,
						      close + 1));
	}
	return 0;
bad:
	return sky_err_set(eb, SKY_E_CONFIG, "invalid file list '%s'", item);
}

int gres_conf_expand_files(const char *v, char ***files, size_t *n, struct sky_errbuf *eb)
{
	char *copy = xstrdup(v), *item = copy, *p;
	int depth = 0, rc = 0;

	*files = NULL;
	*n = 0;
	for (p = copy;; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		if (*p && (*p != ',' || depth > 0))
			continue;
		{
			char end = *p;
			*p = '\0';
			if ((rc = expand_one(item, files, n, eb)))
				break;
			if (!end)
				break;
			item = p + 1;
		}
	}
	free(copy);
	if (rc) {
		for (size_t i = 0; i < *n; i++)
			free((*files)[i]);
		FREE_NULL(*files);
		*n = 0;
	}
	return rc;
}

static void rec_free(struct gres_conf_rec *r)
{
	free(r->nodes);
	free(r->name);
	free(r->type);
	for (size_t i = 0; i < r->n_files; i++)
		free(r->files[i]);
	free(r->files);
	free(r->cores);
	free(r->links);
	free(r->flags);
}

void gres_conf_free(struct gres_conf *gc)
{
	for (size_t i = 0; i < gc->n_recs; i++)
		rec_free(&gc->recs[i]);
	FREE_NULL(gc->recs);
	gc->n_recs = 0;
	FREE_NULL(gc->path);
}

/* Set one Key=Value of a line's record. Error text without the file:line prefix. */
static int set_key(struct gres_conf_rec *r, const char *key, const char *val, bool *has_count,
		   struct sky_errbuf *eb)
{
	char **str = NULL;

	if (!strcasecmp(key, "NodeName"))
		str = &r->nodes;
	else if (!strcasecmp(key, "Name"))
		str = &r->name;
	else if (!strcasecmp(key, "Type"))
		str = &r->type;
	else if (!strcasecmp(key, "Cores") || !strcasecmp(key, "CPUs"))
		str = &r->cores;
	else if (!strcasecmp(key, "Links"))
		str = &r->links;
	else if (!strcasecmp(key, "Flags"))
		str = &r->flags;
	if (str) {
		free(*str);
		*str = xstrdup(val);
		return 0;
	}
	if (!strcasecmp(key, "File") || !strcasecmp(key, "MultipleFiles")) {
		char **f;
		size_t n;
		int rc = gres_conf_expand_files(val, &f, &n, eb);
		for (size_t i = 0; !rc && i < n; i++)
			push_file(&r->files, &r->n_files, f[i]);
		free(f);
		return rc;
	}
	if (!strcasecmp(key, "Count")) {
		struct gres_list l = { 0 };
		char *spec = xasprintf("x:%s", val);
		int rc = gres_parse_request(spec, &l, eb);
		free(spec);
		if (rc || (l.n && l.v[0].type)) {
			gres_list_free(&l);
			sky_err_clear(eb);
			return sky_err_set(eb, SKY_E_CONFIG, "invalid Count '%s'", val);
		}
		r->count = l.n ? l.v[0].count : 0;
		*has_count = true;
		gres_list_free(&l);
		return 0;
	}
	if (!strcasecmp(key, "AutoDetect")) {
		if (!gres_autodetect_parse(val, &r->autodetect))
			return sky_err_set(eb, SKY_E_CONFIG, "invalid AutoDetect '%s'", val);
		return 0;
	}
	return sky_err_set(eb, SKY_E_CONFIG, "unknown parameter '%s'", key);
}

/* One line (comment stripped). Appends a record, or sets the global AutoDetect. */
static int parse_line(char *line, int lineno, struct gres_conf *gc, struct sky_errbuf *eb)
{
	struct gres_conf_rec r = { .line = lineno };
	bool has_count = false;
	char *w = line, *end;
	int rc = 0;

	while (*w) {
		char *eq;
		while (isspace((unsigned char)*w))
			w++;
		if (!*w)
			break;
		for (end = w; *end && !isspace((unsigned char)*end); end++)
			;
		if (*end)
			*end++ = '\0';
		if (!(eq = strchr(w, '=')) || eq == w || !eq[1]) {
			rc = sky_err_set(eb, SKY_E_CONFIG, "expected Key=Value, got '%s'", w);
			goto out;
		}
		*eq = '\0';
		if ((rc = set_key(&r, w, eq + 1, &has_count, eb)))
			goto out;
		w = end;
	}
	if (!r.name && !r.nodes && !r.type && !r.n_files && !has_count && !r.cores) {
		if (r.autodetect)
			gc->autodetect = r.autodetect;
		goto out;   /* blank, or a global AutoDetect= */
	}
	if (!r.name && (r.type || r.n_files || has_count)) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "Name= is required");
		goto out;
	}
	if (r.name && strchr(r.name, ':')) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "invalid Name '%s'", r.name);
		goto out;
	}
	if (!has_count)
		r.count = r.n_files ? r.n_files : 1;
	gc->recs = xrealloc(gc->recs, (gc->n_recs + 1) * sizeof(*gc->recs));
	gc->recs[gc->n_recs++] = r;
	return 0;
out:
	rec_free(&r);
	return rc;
}

int gres_conf_parse(const char *text, const char *name, struct gres_conf *gc,
		    struct sky_errbuf *eb)
{
	char *copy = xstrdup(text), *line = copy, *next;
	int lineno = 0, rc = 0;

	memset(gc, 0, sizeof(*gc));
	for (; line; line = next) {
		struct sky_errbuf le;
		char *hash;

		lineno++;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		sky_err_clear(&le);
		if ((rc = parse_line(line, lineno, gc, &le))) {
			sky_err_set(eb, rc, "%s:%d: %s", name, lineno, sky_err_msg(&le));
			break;
		}
	}
	free(copy);
	if (rc)
		gres_conf_free(gc);
	else
		gc->path = xstrdup(name);
	return rc;
}

int gres_conf_load(const char *path, struct gres_conf *gc, struct sky_errbuf *eb)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(gc, 0, sizeof(*gc));
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return sky_err_set(eb, SKY_E_IO, "%s: %s", path, strerror(errno));
	}
	for (;;) {
		char buf[4096];
		size_t got = fread(buf, 1, sizeof(buf), f);
		if (!got)
			break;
		text = xrealloc(text, len + got + 1);
		memcpy(text + len, buf, got);
		len += got;
	}
	fclose(f);
	if (!text)
		text = xstrdup("");
	text[len] = '\0';
	rc = gres_conf_parse(text, path, gc, eb);
	free(text);
	return rc;
}

static bool node_in(const char *expr, const char *node)
{
	struct sky_errbuf eb;
	char **names = NULL;
	size_t n = 0;
	bool found = false;

	if (!expr)
		return true;
	sky_err_clear(&eb);
	if (hostlist_expand(expr, &names, &n, &eb))
		return false;
	for (size_t i = 0; i < n; i++) {
		found = found || !strcmp(names[i], node);
		free(names[i]);
	}
	free(names);
	return found;
}

static int dev_num_of(const char *file)
{
	size_t len = strlen(file), i = len;

	while (i > 0 && isdigit((unsigned char)file[i - 1]))
		i--;
	return i < len && len - i < 9 ? atoi(file + i) : -1;
}

void gres_conf_for_node(const struct gres_conf *gc, const char *node, struct gres_list *list,
			struct gres_conf_dev **devs, size_t *n_devs, enum gres_autodetect *ad)
{
	enum gres_autodetect mode = gc->autodetect;

	if (devs) {
		*devs = NULL;
		*n_devs = 0;
	}
	for (size_t i = 0; i < gc->n_recs; i++) {
		const struct gres_conf_rec *r = &gc->recs[i];

		if (!node_in(r->nodes, node))
			continue;
		if (r->autodetect)
			mode = r->autodetect;
		if (!r->name)
			continue;
		if (list) {
			bool merged = false;
			for (size_t k = 0; k < list->n && !merged; k++)
				if (!strcasecmp(list->v[k].name, r->name) &&
				    ((!r->type && !list->v[k].type) ||
				     (r->type && list->v[k].type && !strcasecmp(r->type, list->v[k].type)))) {
					list->v[k].count += r->count;
					merged = true;
				}
			if (!merged)
				gres_list_add(list, r->name, r->type, r->count);
		}
		for (size_t f = 0; devs && f < r->n_files; f++) {
			*devs = xrealloc(*devs, (*n_devs + 1) * sizeof(**devs));
			(*devs)[*n_devs] = (struct gres_conf_dev){ r->name, r->type, r->files[f],
								  dev_num_of(r->files[f]) };
			(*n_devs)++;
		}
	}
	if (ad)
		*ad = mode;
}
