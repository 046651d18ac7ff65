/*
 * srun_io.h: srun's end of the step's I/O (slurmd-sky/step_io.h): the
 * listening socket the nodes' step processes connect back to, their
 * output to srun's stdout/stderr (labelled "N: " with -l, N padded to the
 * width of the largest task id), srun's stdin to task 0, signals to the
 * tasks, and each task's exit status.
 */
#ifndef SKY_SRUN_IO_H
#define SKY_SRUN_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sky_err.h"
#include "step_io.h"

struct srun_io;

/* Listen on an ephemeral TCP port of every address. Caller frees with srun_io_free(). */
int srun_io_listen(struct srun_io **out, struct sky_errbuf *eb);
void srun_io_free(struct srun_io *io);

uint16_t srun_io_port(const struct srun_io *io);
/* The step key the nodes must present (borrowed, STEP_IO_KEY_LEN chars). */
const char *srun_io_key(const struct srun_io *io);

/*
 * What the step looks like, once it is created: task count, node names in
 * node-id order (borrowed for the io's life), the ids for messages.
 */
void srun_io_set_step(struct srun_io *io, uint32_t job_id, uint32_t step_id, uint32_t ntasks,
		      char **node_names, size_t n_nodes, bool label, bool kill_on_bad_exit,
		      bool forward_stdin);

/* Events the I/O loop leaves to its caller. */
struct srun_io_hooks {
	void *arg;
	/* Called about every second; return true to stop waiting (the step is over). */
	bool (*tick)(void *arg);
	/* Ctrl-C twice: cancel the step at the controller. */
	void (*abort)(void *arg);
};

/*
 * Run until every task has reported its exit (or tick says the step is
 * over). Signals SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 are
 * forwarded to the tasks; two SIGINTs within a second abort. Returns the
 * exit code srun should end with: the highest task exit code (128 + signal
 * for a signalled task).
 */
int srun_io_run(struct srun_io *io, const struct srun_io_hooks *h);

/* Raw wait status of the task with the highest exit code (for the job). */
int srun_io_worst_status(const struct srun_io *io);

/* srun -u: task output passes as it arrives, not line by line (before
 * srun_io_set_step; -l still labels whole lines). */
void srun_io_set_unbuffered(struct srun_io *io);

/*
 * Write data of task to fd a whole line at a time, as Slurm's buffered stdio
 * does, so lines of different tasks never interleave: each line prefixed with
 * the label when width > 0, unlabelled when width == 0; a trailing partial
 * line is kept in *part (caller-freed with free()) for the next call, or
 * flushed with flush. width < 0 (srun -u): data passes as is. Exposed for tests.
 */
void srun_io_write_labelled(int fd, uint32_t task, int width, char **part, size_t *part_len,
			    const char *data, size_t len, bool flush);

/* Digits of the largest task id (ntasks - 1), at least 1. */
int srun_io_label_width(uint32_t ntasks);

#endif
