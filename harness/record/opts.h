/* SPDX-License-Identifier: GPL-2.0 */
/*
 * opts.h: list-valued option values, shared by the command line and the
 * profile parser.
 *
 * A list is comma-separated items. Numeric items:
 *	N		decimal (or 0x hex)
 *	NK NM NG NT	with UB_OPT_SIZE: binary multiples (K=1024 ...);
 *			lower-case k/m/g/t are the same
 *	A-B		with UB_OPT_RANGE: every integer from A to B
 *	A-B:S		with UB_OPT_RANGE: A, A+S, ... <= B
 *	A-B*F		with UB_OPT_RANGE: A, A*F, A*F*F, ... <= B (F >= 2)
 * Names (ub_opt_parse_names): each item must be one of the given names
 * (case-sensitive); "all" expands to every name when allowed.
 *
 * Every function returns 0, or -1 after printing (ub_err) a message that
 * names the option and the offending token, e.g.
 *	--pages: bad value '12x' in '64,12x': expected a number (K/M/G suffix allowed)
 * The same text is kept in ub_opt_errbuf for tests.
 */
#ifndef UB_OPTS_H
#define UB_OPTS_H

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
	char	**v;
};

/* Numbers within [min, max]. OPT names the option in messages. */
int  ub_opt_parse_u64(const char *opt, const char *s, unsigned flags,
		      uint64_t min, uint64_t max, uint64_t *out);
int  ub_opt_parse_u64_list(const char *opt, const char *s, unsigned flags,
			   uint64_t min, uint64_t max,
			   struct ub_u64_list *out);
/* Each item one of NAMES[0..n-1]; out gets the indexes. */
int  ub_opt_parse_names(const char *opt, const char *s, unsigned flags,
			const char *const *names, size_t n,
			struct ub_u64_list *out);
/* Plain items (no validation beyond non-empty), e.g. variant globs. */
int  ub_opt_parse_strs(const char *opt, const char *s, struct ub_str_list *out);
/* A size ("512M", "1G", "4096") in bytes, at least MIN. */
int  ub_opt_parse_size(const char *opt, const char *s, uint64_t min,
		       uint64_t *out);
/* A duration: "30" (seconds), "500ms", "2m", "1h"; in milliseconds. */
int  ub_opt_parse_ms(const char *opt, const char *s, uint64_t *out);
/* A boolean list: "0,1", "off,on", "no,yes". */
int  ub_opt_parse_bool_list(const char *opt, const char *s,
			    struct ub_u64_list *out);

/* Print + keep a message (prefixed by ub_opt_where); returns -1. */
int  ub_opt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void ub_u64_list_free(struct ub_u64_list *l);
void ub_str_list_free(struct ub_str_list *l);
void ub_u64_list_push(struct ub_u64_list *l, uint64_t v);
void ub_str_list_push(struct ub_str_list *l, const char *s);
/* "1;2;3" style join into buf (for CSV cells); returns buf. */
char *ub_u64_list_join(const struct ub_u64_list *l, char sep, char *buf,
		       size_t n);

#endif
