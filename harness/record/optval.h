/* SPDX-License-Identifier: GPL-2.0 */
/*
 * optval.h: the value syntaxes of options, shared by the option parser
 * (record/opts.h) and the commands' own checks:
 *	N		decimal, or hex with 0x
 *	NK NM NG NT	with UB_OPT_SIZE: binary multiples (K = 1024; k, KiB
 *			and KB are the same)
 *	A-B		with UB_OPT_RANGE: every integer from A to B
 *	A-B:S		with UB_OPT_RANGE: A, A+S, ... <= B
 *	A-B*F		with UB_OPT_RANGE: A, A*F, A*F*F, ... <= B (F >= 2)
 *	a LIST		comma-separated items: no empty item, no trailing
 *			comma; an item listed twice counts once (a one-line
 *			note says so: ub_u64_list_dedup())
 *	names		one of the value names of a list (schema enum or its
 *			own); UB_OPT_ALL: "all" = every one
 *	words		named numbers besides the numbers ("half", "any")
 *	DUR		30 (a bare number in the option's unit), 500us,
 *			500ms, 30s, 2m, 1h
 * Every failure is one line through ub_opt_fail(), prefixed by
 * ub_opt_where when set ("default:12: --cache: bad value 'tepid' in
 * 'tepid': expected one of hot, cold, all"), and kept in ub_opt_errbuf.
 */
#ifndef UB_OPTVAL_H
#define UB_OPTVAL_H

#include <stddef.h>
#include <stdint.h>

#define UB_OPT_SIZE	(1U << 0)	/* K/M/G/T suffixes */
#define UB_OPT_RANGE	(1U << 1)	/* A-B, A-B:S, A-B*F */
#define UB_OPT_ALL	(1U << 2)	/* names: "all" = every name */
#define UB_OPT_MAX_ITEMS 4096		/* a list longer than this is refused */

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

/* A named number accepted besides numbers ("all", "any", "half"). */
struct ub_word {
	const char *word;
	uint64_t value;
};

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
/* DST gets SRC's items, or DFLT alone when SRC is empty (an option's
 * default). */
void ub_u64_list_copy(struct ub_u64_list *dst, const struct ub_u64_list *src,
		      uint64_t dflt);

/* Keep the first of equal items; one note line (WHAT names an item by
 * its value) when any were dropped. */
void ub_u64_list_dedup(const char *opt, struct ub_u64_list *l,
		       const char *(*what)(uint64_t v, void *arg), void *arg);
void ub_str_list_dedup(const char *opt, struct ub_str_list *l);

#endif
