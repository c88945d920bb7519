/* SPDX-License-Identifier: GPL-2.0 */
/*
 * opts.h: the one option parser of every command.
 *
 * A command declares its options in a table (struct ub_opt: long name,
 * value kind, destination in its options struct, limits, one help line)
 * and ub_opts_parse() reads its command line, or a profile line, whose
 * KEY=VALUE tokens are the same long options without "--":
 *
 *	--name VALUE and --name=VALUE; a flag takes no value
 *	-h, --help prints the help made from the table (command line only)
 *	an option given twice: the later one counts (profile lines put
 *	their "defaults" first)
 *
 * Values: record/optval.h (every syntax is listed in --help, generated
 * from the table).
 *
 * Every error is one line, printed once, prefixed by WHERE when given
 * ("default:12: --cache: bad value 'tepid' in 'tepid': expected one of
 * hot, cold, all"); the text is also kept in ub_opt_errbuf for tests.
 */
#ifndef UB_OPTS_H
#define UB_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record/optval.h"

#define UB_OPT_CLI	(1U << 3)	/* command line only, not a profile key */

/* ub_opts_parse(): help was printed, the command should exit 0. */
#define UB_OPTS_HELP	(-1)

enum ub_optkind {
	UB_ARG_FLAG,		/* no value: int, set to 1 */
	UB_ARG_U64,		/* one number: uint64_t */
	UB_ARG_LIST,		/* numbers (and words): struct ub_u64_list */
	UB_ARG_NAME,		/* one name: uint64_t (its value) */
	UB_ARG_NAMES,		/* names: struct ub_u64_list of values */
	UB_ARG_BOOLS,		/* 0,1 off,on no,yes false,true: ub_u64_list */
	UB_ARG_TEXT,		/* text: char * (owned); .parse() may check it */
	UB_ARG_TEXTS,		/* non-empty texts: struct ub_str_list */
	UB_ARG_DUR,		/* a duration: uint64_t, in units of .unit_ns */
	UB_ARG_CUSTOM,		/* .parse() reads it */
};

struct ub_opt {
	const char *name;		/* long name without "--" */
	enum ub_optkind kind;
	size_t	off;			/* destination: offsetof(options, field) */
	unsigned flags;			/* UB_OPT_* */
	uint64_t min, max;		/* numbers: limits (max 0: none) */
	const char *const *names;	/* names: these (NULL-terminated; value = index) */
	int	en;			/* ... or, names NULL: a schema enum (ub_enum_id) */
	unsigned skip;			/* names: values not taken here (1U << value) */
	const struct ub_word *words;	/* LIST, U64, NAME(S): { NULL } terminated */
	uint64_t unit_ns;		/* DUR: the destination's unit in ns */
	const char *bare;		/* DUR: a bare number's unit ("s", "ns") */
	/* CUSTOM: parse VAL into DST; TEXT: check VAL (stores nothing). 0 or
	 * -1 after ub_opt_fail(). */
	int	(*parse)(const struct ub_opt *o, const char *val, void *dst);
	const char *arg;		/* metavariable (default from the kind) */
	const char *help;		/* one line; "\n" continues it */
	const char *excludes;		/* an option it cannot be given with */
	const char *legend;		/* CUSTOM, TEXT: its syntax, for --help;
					 * DUR: its range in words */
};

/* A command's options: the table and what --help says around it. */
struct ub_optset {
	const char *cmd;		/* "micro" */
	const char *synopsis;		/* "[OPTIONS]", "[OPTIONS] PROFILE" */
	const char *about;		/* paragraph under the usage line */
	const struct ub_opt *opt;	/* { NULL } terminated */
	size_t	given_off;		/* uint64_t: bit i = opt[i] given */
	const char *pos_name;		/* positional arguments, or NULL */
	int	pos_min, pos_max;
	size_t	pos_off;		/* struct ub_str_list */
	const char *footer;		/* after the options */
	void	(*free)(void *dst);	/* frees what CUSTOM parsers allocated */
	/* Checks across options after a parse: 0, or -1 after ub_opt_fail(). */
	int	(*check)(const void *dst);
};

/*
 * Parse ARGV[1..ARGC-1] into DST (already holding the defaults). CLI 0:
 * a profile line (UB_OPT_CLI options and --help refused). Returns 0,
 * UB_OPTS_HELP (help printed to stdout) or 2 after one error line.
 */
int  ub_opts_parse(const struct ub_optset *s, int argc, char **argv, void *dst,
		   const char *where, int cli);
void ub_opts_help(const struct ub_optset *s, FILE *f);
/*
 * A command's own command line: -1 when DST holds its options and the
 * command goes on; else the exit code to return (0 after --help, 2 after
 * an error), DST freed.
 */
int  ub_opts_command(const struct ub_optset *s, int argc, char **argv,
		     void *dst);
/* Was option NAME given? (its bit in the given mask) */
int  ub_opt_given(const struct ub_optset *s, const void *dst, const char *name);
/* Free what the parser allocated in DST (lists, texts). */
void ub_opts_free(const struct ub_optset *s, void *dst);

#endif
