/* fmt.c: see fmt.h. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "xalloc.h"

void fmt_spec_free(struct fmt_spec *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->fields[i].suffix);
	FREE_NULL(s->fields);
	FREE_NULL(s->prefix);
	s->n = 0;
}

/* Append the literal text [p, end) to *dst, turning "%%" into "%". */
static void append_literal(char **dst, const char *p, const char *end)
{
	while (p < end) {
		if (p[0] == '%' && p + 1 < end && p[1] == '%')
			p++;
		xstrfmtcat(dst, "%c", *p);
		p++;
	}
}

/* Where the literal text starting at p ends: at the next field's '%'. */
static const char *literal_end(const char *p)
{
	while (*p) {
		if (p[0] == '%' && p[1] == '%') {
			p += 2;
			continue;
		}
		if (*p == '%')
			break;
		p++;
	}
	return p;
}

int fmt_parse(const char *format, const char *valid_codes, const char *what,
	      struct fmt_spec *out, struct sky_errbuf *eb)
{
	const char *p = format ? format : "";
	const char *end;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	end = literal_end(p);
	out->prefix = xstrdup("");
	append_literal(&out->prefix, p, end);
	p = end;
	while (*p == '%') {
		struct fmt_field f = { 0 };

		p++;
		if (*p == '.') {
			f.right = true;
			p++;
		}
		if (*p == '#') {
			f.width = FMT_WIDTH_AUTO;
			p++;
		} else {
			while (isdigit((unsigned char)*p))
				f.width = f.width * 10 + (*p++ - '0');
		}
		if (!*p || !strchr(valid_codes, *p)) {
			sky_err_set(eb, SKY_E_INVAL, "Invalid %s format specification: %c", what,
				    *p ? *p : ' ');
			fmt_spec_free(out);
			return SKY_E_INVAL;
		}
		f.code = *p++;
		end = literal_end(p);
		f.suffix = xstrdup("");
		append_literal(&f.suffix, p, end);
		p = end;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			out->fields = xrealloc(out->fields, cap * sizeof(*out->fields));
		}
		out->fields[out->n++] = f;
	}
	return 0;
}

void fmt_put(char **line, const char *str, int width, bool right, bool cut)
{
	size_t len;

	if (!str)
		str = "(null)";
	len = strlen(str);
	if (width <= 0) {
		xstrfmtcat(line, "%s", str);
		return;
	}
	if (right) {
		if (cut && len > (size_t)width)
			xstrfmtcat(line, "%.*s", width, str);
		else
			xstrfmtcat(line, "%*s", width, str);
		return;
	}
	xstrfmtcat(line, "%-*.*s", width, width, str);
}
