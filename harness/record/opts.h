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
 * Values (every syntax is listed in --help, generated from the table):
 *	N		decimal, or hex with 0x
 *	NK NM NG NT	with UB_OPT_SIZE: binary multiples (K = 1024; k, KiB
 *			and KB are the same)
 *	A-B		with UB_OPT_RANGE: every integer from A to B
 *	A-B:S		with UB_OPT_RANGE: A, A+S, ... <= B
 *	A-B*F		with UB_OPT_RANGE: A, A*F, A*F*F, ... <= B (F >= 2)
 *	a LIST		comma-separated items: no empty item, no trailing
 *			comma; an item listed twice counts once (a one-line
 *			note says so)
 *	names		one of the value names of the option's list (schema
 *			enum or its own); UB_OPT_ALL: "all" = every one
 *	words		named numbers besides the numbers ("half", "any")
 *	DUR		30 (a bare number in the option's unit), 500us,
 *			500ms, 30s, 2m, 1h
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

#define UB_OPT_SIZE	(1U << 0)	/* K/M/G/T suffixes */
#define UB_OPT_RANGE	(1U << 1)	/* A-B, A-B:S, A-B*F */
#define UB_OPT_ALL	(1U << 2)	/* names: "all" = every name */
#define UB_OPT_CLI	(1U << 3)	/* command line only, not a profile key */
#define UB_OPT_MAX_ITEMS 4096		/* a list longer than this is refused */

/* ub_opts_parse(): help was printed, the command should exit 0. */
#define UB_OPTS_HELP	(-1)

extern char ub_opt_errbuf[512];
/* When set (e.g. "default:12"), messages start with it: "default:12: ...". */
extern const char *ub_opt_where;

struct ub_u64_list {
	size_t	 n;
	uint64_t *v;
};

struct ub_str_list {
	size_t	n;
	char	**v;			/* NULL-terminated */
};

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

/* A named number accepted besides numbers ("all", "any", "half"). */
struct ub_word {
	const char *word;
	uint64_t value;
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
/* Was option NAME given? (its bit in the given mask) */
int  ub_opt_given(const struct ub_optset *s, const void *dst, const char *name);
/* Free what the parser allocated in DST (lists, texts). */
void ub_opts_free(const struct ub_optset *s, void *dst);

/* ---- the value syntaxes, for CUSTOM parsers and tests ---- */

/* Print + keep a message (prefixed by ub_opt_where); returns -1. */
int  ub_opt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One number within [min, max] (max 0: no maximum). */
int  ub_opt_parse_u64(const char *opt, const char *s, unsigned flags,
		      uint64_t min, uint64_t max, uint64_t *out);
/* A list of numbers (and WORDS, may be NULL) within [min, max]. */
int  ub_opt_parse_list(const char *opt, const char *s, unsigned flags,
		       uint64_t min, uint64_t max, const struct ub_word *words,
		       struct ub_u64_list *out);
/* Names of NAMES (value = index), or of schema enum EN when NAMES is
 * NULL, without the values in SKIP (bit 1 << value), or WORDS (may be
 * NULL): their values. */
int  ub_opt_parse_names(const char *opt, const char *s, unsigned flags, int en,
			const char *const *names, unsigned skip,
			const struct ub_word *words, struct ub_u64_list *out);
/* Non-empty texts, e.g. variant globs. */
int  ub_opt_parse_strs(const char *opt, const char *s, struct ub_str_list *out);
/* A size ("512M", "1G", "4096") in bytes, at least MIN. */
int  ub_opt_parse_size(const char *opt, const char *s, uint64_t min,
		       uint64_t *out);
/* A duration in ns; a bare number is in BARE ("s" or "ns"). */
int  ub_opt_parse_dur(const char *opt, const char *s, const char *bare,
		      uint64_t *ns);
/* The items of a comma list, each non-empty; -1 (message) otherwise. */
int  ub_opt_split(const char *opt, const char *s, struct ub_str_list *out);

void ub_u64_list_free(struct ub_u64_list *l);
void ub_str_list_free(struct ub_str_list *l);
void ub_u64_list_push(struct ub_u64_list *l, uint64_t v);
void ub_str_list_push(struct ub_str_list *l, const char *s);

#endif
