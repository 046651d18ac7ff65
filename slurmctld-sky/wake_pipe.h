/*
 * wake_pipe.h: a self-pipe a worker thread pokes so that the controller's
 * libevent loop handles the worker's results at once rather than at the next
 * 1 s tick (the providers' worker threads use it). Both ends are
 * non-blocking and close-on-exec; a poke into a full pipe is dropped, since a
 * full pipe already holds a wake-up.
 */
#ifndef SKY_WAKE_PIPE_H
#define SKY_WAKE_PIPE_H

#include "sky_err.h"

struct wake_pipe {
	int rd;                   /* the loop watches and drains this end */
	int wr;                   /* workers poke this end */
};

#define WAKE_PIPE_INIT { -1, -1 }

/* 0, or SKY_E_IO naming what failed (nothing left open). */
int wake_pipe_open(struct wake_pipe *w, struct sky_errbuf *eb);
/* From any thread. what names the caller in the log if the write fails. */
void wake_pipe_poke(const struct wake_pipe *w, const char *what);
/* Empty the pipe (the loop's thread, before looking at the results). */
void wake_pipe_drain(const struct wake_pipe *w);
/* Close both ends; safe on a pipe never opened (WAKE_PIPE_INIT) or closed. */
void wake_pipe_close(struct wake_pipe *w);

#endif
