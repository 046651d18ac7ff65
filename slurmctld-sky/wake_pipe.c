/* wake_pipe.c: see wake_pipe.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "wake_pipe.h"

int wake_pipe_open(struct wake_pipe *w, struct sky_errbuf *eb)
{
	int fds[2];

	w->rd = w->wr = -1;
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC))
		return sky_err_set(eb, SKY_E_IO, "wake-up pipe: %s", strerror(errno));
	w->rd = fds[0];
	w->wr = fds[1];
	return 0;
}

void wake_pipe_poke(const struct wake_pipe *w, const char *what)
{
	char b = 1;

	if (w->wr >= 0 && write(w->wr, &b, 1) < 0 && errno != EAGAIN)
		log_error("%s: wake-up pipe: %s", what, strerror(errno));
}

void wake_pipe_drain(const struct wake_pipe *w)
{
	char buf[64];

	while (w->rd >= 0 && read(w->rd, buf, sizeof(buf)) > 0)
		;
}

void wake_pipe_close(struct wake_pipe *w)
{
	if (w->rd >= 0)
		close(w->rd);
	if (w->wr >= 0)
		close(w->wr);
	w->rd = w->wr = -1;
}
