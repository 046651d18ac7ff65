/* srun_io.c: see srun_io.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "srun_io.h"
#include "xalloc.h"

#define HELLO_TIMEOUT_MS 10000
#define NO_TASK 0xffffffffu

struct srun_conn {
	int fd;
	bool authed;
	uint32_t node_id;
	int64_t opened_ms;
	struct step_io_buf buf;
};

struct task_state {
	bool exited;
	int status;
	char *out_part, *err_part;
	size_t out_len, err_len;
};

struct srun_io {
	int lfd;
	uint16_t port;
	char key[STEP_IO_KEY_LEN + 1];
	struct srun_conn *conns;
	size_t n_conns;
	uint32_t job_id, step_id, ntasks, n_exited;
	struct task_state *tasks;
	char **node_names;
	size_t n_nodes;
	bool label, kill_on_bad_exit, forward_stdin, stdin_done, killed;
	int width;
	int64_t last_int_ms;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int srun_io_label_width(uint32_t ntasks)
{
	int w = 1;

	for (uint32_t v = ntasks > 1 ? ntasks - 1 : 0; v >= 10; v /= 10)
		w++;
	return w;
}

static void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

#define PART_MAX 65536

static void write_line(int fd, uint32_t task, int width, const char *p, size_t len)
{
	char pre[24];
	int n = width > 0 ? snprintf(pre, sizeof(pre), "%*u: ", width, task) : 0;
	char *line = xmalloc((size_t)n + len);

	/* One write per line, so lines of different tasks never interleave. */
	memcpy(line, pre, (size_t)n);
	memcpy(line + n, p, len);
	write_all(fd, line, (size_t)n + len);
	free(line);
}

void srun_io_write_labelled(int fd, uint32_t task, int width, char **part, size_t *part_len,
			    const char *data, size_t len, bool flush)
{
	const char *p = data, *end = data + len;

	if (width < 0) {
		write_all(fd, data, len);
		return;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t chunk = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		*part = xrealloc(*part, *part_len + chunk + 1);
		memcpy(*part + *part_len, p, chunk);
		*part_len += chunk;
		p += chunk;
		/* A line that never ends (progress bars) goes out in pieces. */
		if (nl || *part_len >= PART_MAX) {
			write_line(fd, task, width, *part, *part_len);
			*part_len = 0;
		}
	}
	if (flush && *part_len) {
		write_line(fd, task, width, *part, *part_len);
		*part_len = 0;
	}
}

int srun_io_listen(struct srun_io **out, struct sky_errbuf *eb)
{
	struct srun_io *io = xcalloc(1, sizeof(*io));
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	io->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	if (io->lfd < 0 || bind(io->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(io->lfd, 128) < 0 || getsockname(io->lfd, (struct sockaddr *)&sa, &len) < 0) {
		int e = errno;
		srun_io_free(io);
		return sky_err_set(eb, SKY_E_IO, "cannot listen for the step's I/O: %s", strerror(e));
	}
	io->port = ntohs(sa.sin_port);
	step_io_make_key(io->key);
	*out = io;
	return 0;
}

void srun_io_free(struct srun_io *io)
{
	if (!io)
		return;
	if (io->lfd >= 0)
		close(io->lfd);
	for (size_t i = 0; i < io->n_conns; i++) {
		if (io->conns[i].fd >= 0)
			close(io->conns[i].fd);
		step_io_buf_free(&io->conns[i].buf);
	}
	free(io->conns);
	for (uint32_t i = 0; io->tasks && i < io->ntasks; i++) {
		free(io->tasks[i].out_part);
		free(io->tasks[i].err_part);
	}
	free(io->tasks);
	free(io);
}

uint16_t srun_io_port(const struct srun_io *io)
{
	return io->port;
}

const char *srun_io_key(const struct srun_io *io)
{
	return io->key;
}

void srun_io_set_unbuffered(struct srun_io *io)
{
	io->width = -1;
}

void srun_io_set_step(struct srun_io *io, uint32_t job_id, uint32_t step_id, uint32_t ntasks,
		      char **node_names, size_t n_nodes, bool label, bool kill_on_bad_exit,
		      bool forward_stdin)
{
	io->job_id = job_id;
	io->step_id = step_id;
	io->ntasks = ntasks;
	io->tasks = xcalloc(ntasks ? ntasks : 1, sizeof(*io->tasks));
	io->node_names = node_names;
	io->n_nodes = n_nodes;
	io->label = label;
	io->width = label ? srun_io_label_width(ntasks) : io->width < 0 ? -1 : 0;
	io->kill_on_bad_exit = kill_on_bad_exit;
	io->forward_stdin = forward_stdin;
	io->stdin_done = !forward_stdin;
}

static void close_conn(struct srun_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void send_all(struct srun_io *io, uint32_t type, const char *payload)
{
	for (size_t i = 0; i < io->n_conns; i++)
		if (io->conns[i].fd >= 0 && io->conns[i].authed &&
		    !step_io_send(io->conns[i].fd, type, NO_TASK, payload, (uint32_t)strlen(payload)))
			close_conn(&io->conns[i]);
}

static void signal_tasks(struct srun_io *io, int sig)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", sig);
	send_all(io, STEP_IO_SIGNAL, num);
}

static int exit_rank(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 0;
}

static const char *node_of(const struct srun_io *io, const struct srun_conn *c)
{
	return c->node_id < io->n_nodes ? io->node_names[c->node_id] : "?";
}

static void task_exit(struct srun_io *io, struct srun_conn *c, uint32_t task, int st)
{
	struct task_state *t;

	if (task >= io->ntasks || io->tasks[task].exited)
		return;
	t = &io->tasks[task];
	srun_io_write_labelled(STDOUT_FILENO, task, io->width, &t->out_part, &t->out_len, "", 0, true);
	srun_io_write_labelled(STDERR_FILENO, task, io->width, &t->err_part, &t->err_len, "", 0, true);
	t->exited = true;
	t->status = st;
	io->n_exited++;
	if (WIFEXITED(st) && WEXITSTATUS(st))
		fprintf(stderr, "srun: error: %s: task %u: Exited with exit code %d\n", node_of(io, c),
			task, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		fprintf(stderr, "srun: error: %s: task %u: %s%s\n", node_of(io, c), task,
			strsignal(WTERMSIG(st)), WCOREDUMP(st) ? " (core dumped)" : "");
	if (exit_rank(st) && io->kill_on_bad_exit && !io->killed) {
		io->killed = true;
		fprintf(stderr, "srun: Terminating StepId=%u.%u\n", io->job_id, io->step_id);
		signal_tasks(io, SIGKILL);
	}
}

static bool hello_ok(struct srun_io *io, struct srun_conn *c, const uint8_t *p, uint32_t len)
{
	char buf[128];
	unsigned node = 0, n = 0;
	int diff = 0;

	if (len < STEP_IO_KEY_LEN || len >= sizeof(buf))
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	for (size_t i = 0; i < STEP_IO_KEY_LEN; i++)
		diff |= buf[i] ^ io->key[i];   /* constant time */
	if (diff || sscanf(buf + STEP_IO_KEY_LEN, " %u %u", &node, &n) != 2)
		return false;
	c->authed = true;
	c->node_id = node;
	return true;
}

static void conn_frames(struct srun_io *io, struct srun_conn *c)
{
	const uint8_t *p;
	uint32_t type, task, len;
	int r;

	while ((r = step_io_buf_next(&c->buf, &type, &task, &p, &len)) == 1) {
		if (!c->authed) {
			if (type != STEP_IO_HELLO || !hello_ok(io, c, p, len)) {
				close_conn(c);
				return;
			}
			continue;
		}
		if ((type == STEP_IO_STDOUT || type == STEP_IO_STDERR) && task < io->ntasks) {
			struct task_state *t = &io->tasks[task];
			bool out = type == STEP_IO_STDOUT;
			srun_io_write_labelled(out ? STDOUT_FILENO : STDERR_FILENO, task, io->width,
					       out ? &t->out_part : &t->err_part,
					       out ? &t->out_len : &t->err_len, (const char *)p, len,
					       false);
		} else if (type == STEP_IO_STDERR) {
			write_all(STDERR_FILENO, (const char *)p, len);
		} else if (type == STEP_IO_EXIT) {
			char num[16];
			snprintf(num, sizeof(num), "%.*s", (int)(len < 15 ? len : 15), (const char *)p);
			task_exit(io, c, task, atoi(num));
		}
	}
	if (r < 0)
		close_conn(c);
}

static void accept_conns(struct srun_io *io)
{
	int fd;

	while ((fd = accept4(io->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		io->conns = xrealloc(io->conns, (io->n_conns + 1) * sizeof(*io->conns));
		memset(&io->conns[io->n_conns], 0, sizeof(io->conns[0]));
		io->conns[io->n_conns].fd = fd;
		io->conns[io->n_conns].opened_ms = mono_ms();
		io->n_conns++;
	}
}

static void forward_stdin(struct srun_io *io)
{
	char buf[16384];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	for (size_t i = 0; i < io->n_conns; i++) {
		struct srun_conn *c = &io->conns[i];
		if (c->fd < 0 || !c->authed || c->node_id != 0)
			continue;
		if (!step_io_send(c->fd, STEP_IO_STDIN, 0, buf, n > 0 ? (uint32_t)n : 0))
			close_conn(c);
	}
	if (n <= 0)
		io->stdin_done = true;
}

static bool node0_ready(const struct srun_io *io)
{
	for (size_t i = 0; i < io->n_conns; i++)
		if (io->conns[i].fd >= 0 && io->conns[i].authed && io->conns[i].node_id == 0)
			return true;
	return false;
}

static void on_signal(struct srun_io *io, int sig, const struct srun_io_hooks *h)
{
	int64_t now = mono_ms();

	if (sig != SIGINT) {
		signal_tasks(io, sig);
		return;
	}
	if (io->last_int_ms && now - io->last_int_ms < 1000) {
		fprintf(stderr, "srun: forcing job termination\n");
		io->killed = true;
		signal_tasks(io, SIGKILL);
		if (h->abort)
			h->abort(h->arg);
		return;
	}
	io->last_int_ms = now;
	fprintf(stderr, "srun: interrupt (one more within 1 sec to abort)\n");
	signal_tasks(io, SIGINT);
}

static int make_sigfd(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	/* A shell starts background commands with SIGINT ignored; srun must see it. */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	sigprocmask(SIG_BLOCK, &set, old);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* The n_polled connections that were in pfd; accept_conns() may have added
 * more since, which have no entry there yet. */
static void poll_conns(struct srun_io *io, struct pollfd *pfd, size_t base, size_t n_polled)
{
	for (size_t i = 0; i < n_polled && i < io->n_conns; i++) {
		struct srun_conn *c = &io->conns[i];
		long n;
		if (c->fd < 0 || !pfd[base + i].revents)
			continue;
		n = step_io_buf_read(&c->buf, c->fd);
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			conn_frames(io, c);
			close_conn(c);
			continue;
		}
		conn_frames(io, c);
	}
}

int srun_io_run(struct srun_io *io, const struct srun_io_hooks *h)
{
	sigset_t old;
	int sfd = make_sigfd(&old);
	int64_t next_tick = mono_ms() + 1000;
	int code = 0;

	while (io->n_exited < io->ntasks) {
		size_t np = 0, base, n_polled = io->n_conns;
		struct pollfd *pfd = xcalloc(io->n_conns + 3, sizeof(*pfd));
		int64_t now;
		bool use_stdin = !io->stdin_done && node0_ready(io);

		pfd[np++] = (struct pollfd){ .fd = io->lfd, .events = POLLIN };
		pfd[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[np++] = (struct pollfd){ .fd = use_stdin ? STDIN_FILENO : -1, .events = POLLIN };
		base = np;
		for (size_t i = 0; i < n_polled; i++)
			pfd[np++] = (struct pollfd){ .fd = io->conns[i].fd, .events = POLLIN };
		now = mono_ms();
		if (poll(pfd, np, (int)(next_tick > now ? next_tick - now : 0)) < 0 && errno != EINTR) {
			free(pfd);
			break;
		}
		if (pfd[0].revents)
			accept_conns(io);
		if (pfd[1].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				on_signal(io, (int)si.ssi_signo, h);
		}
		if (use_stdin && pfd[2].revents)
			forward_stdin(io);
		poll_conns(io, pfd, base, n_polled);
		free(pfd);
		now = mono_ms();
		for (size_t i = 0; i < io->n_conns; i++)
			if (io->conns[i].fd >= 0 && !io->conns[i].authed &&
			    now - io->conns[i].opened_ms > HELLO_TIMEOUT_MS)
				close_conn(&io->conns[i]);
		if (now >= next_tick) {
			next_tick = now + 1000;
			if (h->tick && h->tick(h->arg))
				break;
		}
	}
	for (uint32_t i = 0; i < io->ntasks; i++)
		if (io->tasks[i].exited && exit_rank(io->tasks[i].status) > code)
			code = exit_rank(io->tasks[i].status);
	if (io->n_exited < io->ntasks && !code)
		code = 1;
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return code;
}

int srun_io_worst_status(const struct srun_io *io)
{
	int worst = 0;

	for (uint32_t i = 0; i < io->ntasks; i++)
		if (io->tasks[i].exited && exit_rank(io->tasks[i].status) > exit_rank(worst))
			worst = io->tasks[i].status;
	if (!worst && io->n_exited < io->ntasks)
		worst = 1 << 8;
	return worst;
}
