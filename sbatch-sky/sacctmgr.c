/*
 * sacctmgr: accounts, users, their associations and QOS (slurm.md section 7).
 *
 *   sacctmgr [-i] [-n] [-p|-P] add|create account|user|qos NAME... [KEY=VALUE...]
 *   sacctmgr [-i] modify|update account|user|qos [where] NAME|COND... set KEY=VALUE...
 *   sacctmgr [-i] delete|remove account|user|qos NAME... [where COND...]
 *   sacctmgr [-n] [-p|-P] show|list account|user|assoc|qos [format=...] [where COND...]
 *
 * The controller checks, applies and prints the change (assoc_ops.c); this
 * command asks first unless -i, as Slurm's does: a dry run shows what would
 * change, then "Would you like to commit changes?" sends it for real.
 */
#include "config.h"

#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli_util.h"
#include "log.h"
#include "sacctmgr.h"
#include "xalloc.h"

static void usage(FILE *fp)
{
	fprintf(fp, "sacctmgr [<OPTION>] [<COMMAND>]\n"
		"    Valid <OPTION> values are:\n"
		"     -h or --help: equivalent to \"help\" command\n"
		"     -i or --immediate: commit changes immediately\n"
		"     -n or --noheader: no header will be added to the beginning of output\n"
		"     -p or --parsable: output will be '|' delimited with a '|' at the end\n"
		"     -P or --parsable2: output will be '|' delimited without a '|' at the end\n"
		"     -V or --version: equivalent to \"version\" command\n"
		"\n"
		"    Valid <COMMAND> values are:\n"
		"     add|create account|user|qos <NAME> [<SPECS>]\n"
		"     modify|update account|user|qos [where] <SPECS> set <SPECS>\n"
		"     delete|remove account|user|qos <NAME> [where <SPECS>]\n"
		"     show|list account|user|association|qos [format=...] [where <SPECS>]\n");
}

static bool word_is(const char *w, const char *full, size_t min)
{
	size_t l = strlen(w);

	return l >= min && l <= strlen(full) && strncasecmp(w, full, l) == 0;
}

static int entity_of(const char *w, enum sm_entity *e)
{
	if (!strcasecmp(w, "qos"))
		*e = SM_QOS;
	else if (word_is(w, "accounts", 3))
		*e = SM_ACCOUNT;
	else if (word_is(w, "users", 1))
		*e = SM_USER;
	else if (word_is(w, "associations", 3))
		*e = SM_ASSOC;
	else
		return -1;
	return 0;
}

/* 30 seconds to answer, as Slurm's commit_check(); true for yes. */
static bool ask_commit(void)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char c = 0;

	printf("Would you like to commit changes? (You have 30 seconds to decide)\n");
	for (;;) {
		printf("(N/y): ");
		fflush(stdout);
		if (poll(&p, 1, 30000) <= 0) {
			printf("\nYou didn't respond in 30 seconds, auto-discarding changes.\n");
			return false;
		}
		if (read(STDIN_FILENO, &c, 1) != 1)
			return false;
		if (c == 'y' || c == 'Y') {
			while (c != '\n' && read(STDIN_FILENO, &c, 1) == 1)
				;
			return true;
		}
		if (c == 'n' || c == 'N' || c == '\n')
			return false;
	}
}

static int send_op(Sky__AssocOpRequest *q, Sky__AssocOpReply **rep, struct sky_errbuf *eb)
{
	struct sky_client *c = NULL;
	ProtobufCMessage *r = NULL;
	int rc;

	if ((rc = cli_open(&c, eb)) == 0)
		rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_ASSOC_OP, &q->base,
				    &sky__assoc_op_reply__descriptor, &r, eb);
	sky_client_close(c);
	*rep = (Sky__AssocOpReply *)r;
	return rc;
}

static void print_lines(const Sky__AssocOpReply *r)
{
	for (size_t i = 0; i < r->n_lines; i++)
		printf("%s\n", r->lines[i]);
}

static const char *problem_prefix(const char *op, const char *entity)
{
	if (!strcmp(op, "add"))
		return !strcmp(entity, "account") ? " Problem adding accounts: " :
		       !strcmp(entity, "qos") ? " Problem adding QOS: " : " Problem adding users: ";
	return " Error with request: ";
}

static int run_op(const struct sm_opts *o, Sky__AssocOpRequest *q)
{
	Sky__AssocOpReply *r = NULL;
	struct sky_errbuf eb;
	int rc;

	sky_err_clear(&eb);
	q->has_commit = true;
	q->commit = o->immediate;
	if ((rc = send_op(q, &r, &eb))) {
		log_error("Problem talking to the database: %s", cli_rpc_errtext(&eb));
		return 1;
	}
	if (r->rc) {
		const char *msg = r->message ? r->message : sky_strerror((int)r->rc);
		/* Slurm words failures of adds by what was added; others as a bad request. */
		if (r->rc == SKY_E_ACCESS_DENIED || strcmp(q->op, "add"))
			fprintf(stderr, "%s%s\n", problem_prefix(q->op, q->entity), msg);
		else
			fprintf(stderr, " %s\n", msg);
		sky__assoc_op_reply__free_unpacked(r, NULL);
		return 1;
	}
	print_lines(r);
	rc = 0;
	if (!o->immediate && r->changed) {
		if (!ask_commit()) {
			printf(" Changes Discarded\n");
		} else {
			sky__assoc_op_reply__free_unpacked(r, NULL);
			r = NULL;
			q->commit = true;
			if ((rc = send_op(q, &r, &eb))) {
				log_error("Problem talking to the database: %s", cli_rpc_errtext(&eb));
				return 1;
			}
			if (r->rc) {
				fprintf(stderr, " %s\n", r->message ? r->message : "Error");
				rc = 1;
			}
		}
	}
	if (!r->changed && !rc && strcmp(q->op, "add") == 0)
		rc = 1;   /* "Nothing new added." is an error exit in Slurm */
	sky__assoc_op_reply__free_unpacked(r, NULL);
	return rc;
}

/* Split words into names, where conditions and set values for an operation. */
static int build_op(const char *op, enum sm_entity e, char **w, size_t n,
		    Sky__AssocOpRequest *q)
{
	bool in_set = false;

	q->op = (char *)op;
	q->entity = e == SM_ACCOUNT ? "account" : e == SM_QOS ? "qos" : "user";
	q->names = xcalloc(n + 1, sizeof(char *));
	q->where = xcalloc(n + 1, sizeof(char *));
	q->set = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		bool kv = strchr(w[i], '=') != NULL;
		if (!strcasecmp(w[i], "where")) {
			in_set = false;
			continue;
		}
		if (!strcasecmp(w[i], "set")) {
			in_set = true;
			continue;
		}
		if (!kv && !in_set) {
			q->names[q->n_names++] = w[i];
		} else if (!kv) {
			log_error("Unknown option: %s", w[i]);
			return -1;
		} else if (!strcmp(op, "add") || in_set) {
			q->set[q->n_set++] = w[i];
		} else {
			q->where[q->n_where++] = w[i];
		}
	}
	return 0;
}

static int command(const struct sm_opts *o, char **w, size_t n)
{
	Sky__AssocOpRequest q = SKY__ASSOC_OP_REQUEST__INIT;
	enum sm_entity e;
	const char *op;
	int rc;

	if (n < 2 || entity_of(w[1], &e)) {
		if (n >= 1 && (word_is(w[0], "help", 1))) {
			usage(stdout);
			return 0;
		}
		if (n >= 1 && word_is(w[0], "version", 1)) {
			cli_print_version();
			return 0;
		}
		log_error("Invalid command: %s", n ? w[0] : "(none)");
		return 1;
	}
	if ((word_is(w[0], "show", 3) || word_is(w[0], "list", 3)) && e == SM_QOS)
		return sm_show_qos(o, w + 2, n - 2);
	if (word_is(w[0], "show", 3) || word_is(w[0], "list", 3))
		return sm_show(o, e, w + 2, n - 2);
	if (word_is(w[0], "add", 3) || word_is(w[0], "create", 3))
		op = "add";
	else if (word_is(w[0], "modify", 3) || word_is(w[0], "update", 3))
		op = "modify";
	else if (word_is(w[0], "delete", 3) || word_is(w[0], "remove", 3))
		op = "delete";
	else {
		log_error("Invalid command: %s", w[0]);
		return 1;
	}
	if (e == SM_ASSOC) {
		log_error("Use 'account' or 'user' to %s associations", op);
		return 1;
	}
	rc = build_op(op, e, w + 2, n - 2, &q) ? 1 : run_op(o, &q);
	free(q.names);
	free(q.where);
	free(q.set);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "immediate", no_argument, NULL, 'i' },
		{ "noheader", no_argument, NULL, 'n' },
		{ "parsable", no_argument, NULL, 'p' },
		{ "parsable2", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "readonly", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sm_opts o = { 0 };
	int ch;

	log_init(argv[0], LOG_LEVEL_WARN, NULL, false);
	while ((ch = getopt_long(argc, argv, "+inpPQrhVv", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': o.immediate = true; break;
		case 'n': o.noheader = true; break;
		case 'p': o.parsable = ACCT_PRINT_PARSABLE; break;
		case 'P': o.parsable = ACCT_PRINT_PARSABLE_NO_END; break;
		case 'Q': case 'r': case 'v': break;
		case 'h': usage(stdout); return 0;
		case 'V': cli_print_version(); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	return command(&o, argv + optind, (size_t)(argc - optind));
}
