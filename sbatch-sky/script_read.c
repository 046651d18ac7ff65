/* script_read.c: see script_read.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "script_read.h"
#include "xalloc.h"

static bool readable_file(const char *path)
{
	return access(path, R_OK) == 0;
}

char *script_resolve(const char *dir, const char *name)
{
	const char *p = getenv("PATH");
	char *cand;

	if (name[0] == '/')
		return xstrdup(name);
	if (name[0] == '.')
		return xasprintf("%s/%s", dir, name);
	cand = xasprintf("%s/%s", dir, name);
	if (readable_file(cand))
		return cand;
	free(cand);
	while (p && *p) {
		const char *colon = strchr(p, ':');
		int n = colon ? (int)(colon - p) : (int)strlen(p);

		cand = n ? xasprintf("%.*s/%s", n, p, name) : xasprintf("./%s", name);
		if (readable_file(cand))
			return cand;
		free(cand);
		p = colon ? colon + 1 : NULL;
	}
	return xstrdup(name);
}

static int too_big(const char *path, size_t n, size_t limit, struct sky_errbuf *eb)
{
	/* "Script from STDIN is too big" when reading standard input. */
	return sky_err_set(eb, SKY_E_SCRIPT_TOO_BIG, "Script %s is too big, read %zu > %zu bytes.",
			   path ? path : "from STDIN", n, limit);
}

int script_read(const char *path, size_t limit, char **buf, size_t *len, struct sky_errbuf *eb)
{
	size_t cap = limit < 8192 ? limit + 1 : 8192, n = 0;
	char *b;
	int fd = STDIN_FILENO, rc = 0;

	if (path && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return sky_err_set(eb, SKY_E_IO, "Unable to open file %s", path);
	b = xmalloc(cap + 1);
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (n > limit) {
				rc = too_big(path, n, limit, eb);
				goto out;
			}
			cap = cap > limit / 2 ? limit + 1 : cap * 2;
			b = xrealloc(b, cap + 1);
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = sky_err_set(eb, SKY_E_IO, "Unable to read file %s: %s",
					 path ? path : "STDIN", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > limit) {
		rc = too_big(path, n, limit, eb);
		goto out;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
out:
	free(b);
	if (path)
		close(fd);
	return rc;
}

int script_check(const char *buf, size_t len, struct sky_errbuf *eb)
{
	size_t i;

	if (len == 0)
		return sky_err_set(eb, SKY_E_SCRIPT_INVALID, "Batch script is empty!");
	/* Like Slurm, the whitespace test reads the buffer as a C string. */
	for (i = 0; i < len && buf[i] && isspace((unsigned char)buf[i]); i++)
		;
	if (i == len || !buf[i])
		return sky_err_set(eb, SKY_E_SCRIPT_INVALID, "Batch script contains only whitespace!");
	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return sky_err_set(eb, SKY_E_SCRIPT_INVALID,
				   "This does not look like a batch script.  The first\n"
				   "line must start with #! followed by the path to an interpreter.\n"
				   "For instance: #!/bin/sh");
	if (memchr(buf, '\0', len))
		return sky_err_set(eb, SKY_E_SCRIPT_INVALID,
				   "The Slurm controller does not allow scripts that\n"
				   "contain a NULL character '\\0'.");
	for (i = 0; i + 1 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n')
			return sky_err_set(eb, SKY_E_SCRIPT_INVALID,
					   "Batch script contains DOS line breaks (\\r\\n)\n"
					   "instead of expected UNIX line breaks (\\n).");
	return 0;
}

char *script_wrap(const char *cmd)
{
	return xasprintf("#!/bin/sh\n# This script was created by sbatch --wrap.\n\n%s\n", cmd);
}
