// SPDX-License-Identifier: GPL-2.0
/*
 * optval.c: the value syntaxes of options (numbers, sizes, ranges, lists,
 * names, durations), see optval.h. Every failure is one message through
 * ub_opt_fail() naming the option and the offending token.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/log.h"
#include "record/optval.h"
#include "record/schema.h"
#include "record/util.h"

char ub_opt_errbuf[512];
const char *ub_opt_where;

int ub_opt_fail(const char *fmt, ...)
{
	size_t off = 0;
	va_list ap;

	ub_opt_errbuf[0] = 0;
	if (ub_opt_where && *ub_opt_where)
		off = (size_t)snprintf(ub_opt_errbuf, sizeof(ub_opt_errbuf), "%s: ",
				       ub_opt_where);
	if (off >= sizeof(ub_opt_errbuf))
		off = 0;
	va_start(ap, fmt);
	vsnprintf(ub_opt_errbuf + off, sizeof(ub_opt_errbuf) - off, fmt, ap);
	va_end(ap);
	ub_err("%s", ub_opt_errbuf);
	return -1;
}

void ub_u64_list_push(struct ub_u64_list *l, uint64_t v)
{
	l->v = ub_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = v;
}

void ub_str_list_push(struct ub_str_list *l, const char *s)
{
	l->v = ub_xrealloc(l->v, (l->n + 2) * sizeof(*l->v));
	l->v[l->n++] = ub_xstrdup(s);
	l->v[l->n] = NULL;
}

void ub_u64_list_free(struct ub_u64_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void ub_str_list_free(struct ub_str_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int ub_opt_split(const char *opt, const char *s, struct ub_str_list *out)
{
	const char *p = s ? s : "";

	ub_str_list_free(out);
	if (!*p)
		return ub_opt_fail("%s: empty value", opt);
	for (;;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		char *item;

		if (!len) {
			ub_str_list_free(out);
			return ub_opt_fail("%s: empty item in '%s'%s", opt, s,
					   !c ? " (trailing comma)" : "");
		}
		item = ub_xstrdup(p);
		item[len] = 0;
		ub_str_list_push(out, item);
		free(item);
		if (!c)
			return 0;
		p = c + 1;
	}
}

/*
 * One number, the whole of [s, e): decimal, or hex with 0x; with
 * UB_OPT_SIZE a K/M/G/T suffix. 0, or -1 (no message).
 */
static int num(const char *s, const char *e, unsigned flags, uint64_t *out)
{
	char tmp[64], *end;
	size_t len = (size_t)(e - s);
	unsigned long long v;
	unsigned shift = 0;
	int hex;

	if (!len || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	if (!isdigit((unsigned char)tmp[0]))
		return -1;
	hex = tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X');
	errno = 0;
	v = strtoull(tmp, &end, hex ? 16 : 10);
	if (errno || (hex && end == tmp + 2))
		return -1;
	if (*end && (flags & UB_OPT_SIZE)) {
		const char *u = strchr("KMGT", toupper((unsigned char)*end));

		if (!u || !*u)
			return -1;
		shift = 10 * (unsigned)(u - "KMGT" + 1);
		end++;
		/* "64KiB", "64KB" are fine too. */
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
	}
	if (*end)
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static const char *expect(unsigned flags)
{
	if ((flags & UB_OPT_SIZE) && (flags & UB_OPT_RANGE))
		return "a number (K/M/G/T suffix allowed) or a range A-B, "
		       "A-B:STEP, A-B*FACTOR";
	if (flags & UB_OPT_SIZE)
		return "a number (K/M/G/T suffix allowed)";
	if (flags & UB_OPT_RANGE)
		return "a number or a range A-B, A-B:STEP, A-B*FACTOR";
	return "a number";
}

/* A limit as the user would write it: 1T rather than 1099511627776. */
static void limit_str(char *buf, size_t n, uint64_t v, unsigned flags)
{
	static const char sfx[] = "TGMK";

	for (int i = 0; (flags & UB_OPT_SIZE) && v && i < 4; i++) {
		unsigned shift = 10 * (unsigned)(4 - i);

		if (!(v & ((1ULL << shift) - 1))) {
			snprintf(buf, n, "%" PRIu64 "%c", v >> shift, sfx[i]);
			return;
		}
	}
	snprintf(buf, n, "%" PRIu64, v);
}

static int check(const char *opt, const char *tok, const char *all,
		 unsigned flags, uint64_t v, uint64_t min, uint64_t max)
{
	char lo[32], hi[32], in[600] = "";

	if (v >= min && (!max || v <= max))
		return 0;
	limit_str(lo, sizeof(lo), min, flags);
	if (strcmp(tok, all))
		snprintf(in, sizeof(in), " in '%s'", all);
	/* A maximum no one types (2^62 and up) is not worth a 19-digit number. */
	if (!max || max >= 1ULL << 62)
		return ub_opt_fail("%s: value '%s'%s is below the minimum %s", opt,
				   tok, in, lo);
	limit_str(hi, sizeof(hi), max, flags);
	return ub_opt_fail("%s: value '%s'%s is out of range %s-%s", opt, tok, in,
			   lo, hi);
}

int ub_opt_parse_u64(const char *opt, const char *s, unsigned flags,
		     uint64_t min, uint64_t max, uint64_t *out)
{
	if (!s || !*s)
		return ub_opt_fail("%s: empty value", opt);
	if (num(s, s + strlen(s), flags, out))
		return ub_opt_fail("%s: bad value '%s': expected %s", opt, s,
				   expect(flags & ~UB_OPT_RANGE));
	return check(opt, s, s, flags, *out, min, max);
}

/* A range item A-B, A-B:S or A-B*F (DASH points at its '-'). */
static int range(const char *opt, const char *all, const char *tok,
		 const char *dash, unsigned flags, uint64_t min, uint64_t max,
		 struct ub_u64_list *out)
{
	const char *step = strpbrk(dash + 1, ":*");
	uint64_t a, b, st = 1;
	int geo = 0;

	if (num(tok, dash, flags, &a) ||
	    num(dash + 1, step ? step : dash + 1 + strlen(dash + 1), flags, &b))
		return ub_opt_fail("%s: bad range '%s' in '%s': expected %s", opt,
				   tok, all, expect(flags));
	if (step) {
		geo = *step == '*';
		if (num(step + 1, step + 1 + strlen(step + 1), 0, &st) || !st ||
		    (geo && st < 2))
			return ub_opt_fail("%s: bad step in '%s' (in '%s'): expected "
					   "A-B:STEP with STEP >= 1 or A-B*FACTOR "
					   "with FACTOR >= 2", opt, tok, all);
	}
	if (a > b)
		return ub_opt_fail("%s: empty range '%s' in '%s' (start > end)",
				   opt, tok, all);
	if (geo && a == 0)
		return ub_opt_fail("%s: geometric range '%s' in '%s' must start "
				   "above 0", opt, tok, all);
	if (check(opt, tok, all, flags, a, min, max) ||
	    check(opt, tok, all, flags, b, min, max))
		return -1;
	for (uint64_t v = a; v <= b;) {
		if (out->n >= UB_OPT_MAX_ITEMS)
			return ub_opt_fail("%s: '%s' expands to more than %d values",
					   opt, tok, UB_OPT_MAX_ITEMS);
		ub_u64_list_push(out, v);
		if (geo ? v > UINT64_MAX / st : v > UINT64_MAX - st)
			break;
		v = geo ? v * st : v + st;
	}
	return 0;
}

static const char *words_str(const struct ub_word *w, char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = 0;
	for (; w && w->word && off < n; w++)
		off += (size_t)snprintf(buf + off, n - off, ", '%s'", w->word);
	return buf;
}

/* A parsed list replaces OUT's when RC says it parsed; else it goes. */
static int hand_over(struct ub_u64_list *out, struct ub_u64_list *l, int rc)
{
	if (rc) {
		ub_u64_list_free(l);
		return -1;
	}
	ub_u64_list_free(out);
	*out = *l;
	return 0;
}

/* One item of a numeric list. */
static int item(const char *opt, const char *all, const char *tok,
		unsigned flags, uint64_t min, uint64_t max,
		const struct ub_word *words, struct ub_u64_list *out)
{
	const char *dash = flags & UB_OPT_RANGE ? strchr(tok, '-') : NULL;
	char wl[200];
	uint64_t a;

	for (const struct ub_word *w = words; w && w->word; w++)
		if (!strcmp(tok, w->word)) {
			ub_u64_list_push(out, w->value);
			return 0;
		}
	if (dash && dash != tok)
		return range(opt, all, tok, dash, flags, min, max, out);
	if (num(tok, tok + strlen(tok), flags, &a))
		return ub_opt_fail("%s: bad value '%s' in '%s': expected %s%s", opt,
				   tok, all, expect(flags),
				   words_str(words, wl, sizeof(wl)));
	if (check(opt, tok, all, flags, a, min, max))
		return -1;
	ub_u64_list_push(out, a);
	return 0;
}

int ub_opt_parse_list(const char *opt, const char *s, unsigned flags,
		      uint64_t min, uint64_t max, const struct ub_word *words,
		      struct ub_u64_list *out)
{
	struct ub_str_list items = { 0 };
	struct ub_u64_list l = { 0 };
	int rc = ub_opt_split(opt, s, &items);

	for (size_t i = 0; !rc && i < items.n; i++)
		rc = item(opt, s, items.v[i], flags, min, max, words, &l);
	ub_str_list_free(&items);
	return hand_over(out, &l, rc);
}

/*
 * The values a name option takes, in order, with their names: NAMES
 * (value = index) or the schema enum EN, less the values in SKIP.
 */
static size_t name_values(int en, const char *const *names, unsigned skip,
			  unsigned *val, const char **text, size_t max)
{
	size_t n = 0;

	if (names) {
		for (unsigned i = 0; names[i] && n < max; i++)
			if (i >= 32 || !(skip >> i & 1)) {
				val[n] = i;
				text[n++] = names[i];
			}
		return n;
	}
	for (size_t i = 0; i < ub_enums[en].nvals && n < max; i++) {
		unsigned c = ub_enums[en].vals[i].c;

		if (ub_name(en, c) && (c >= 32 || !(skip >> c & 1))) {
			val[n] = c;
			text[n++] = ub_enums[en].vals[i].text;
		}
	}
	return n;
}

/* "a, b, c[, all]" for messages. */
static void choices(int en, const char *const *names, unsigned skip,
		    unsigned flags, char *buf, size_t n)
{
	unsigned val[64];
	const char *text[64];
	size_t k = name_values(en, names, skip, val, text, 64);

	buf[0] = 0;
	for (size_t i = 0; i < k; i++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? ", " : "",
			 text[i]);
	if (flags & UB_OPT_ALL)
		snprintf(buf + strlen(buf), n - strlen(buf), ", all");
}

int ub_opt_parse_names(const char *opt, const char *s, unsigned flags, int en,
		       const char *const *names, unsigned skip,
		       const struct ub_word *words, struct ub_u64_list *out)
{
	struct ub_str_list items = { 0 };
	struct ub_u64_list l = { 0 };
	unsigned val[64];
	const char *text[64];
	size_t k = name_values(en, names, skip, val, text, 64);
	int rc = ub_opt_split(opt, s, &items);

	for (size_t i = 0; !rc && i < items.n; i++) {
		const char *tok = items.v[i];
		size_t v;
		char c[256], wl[200];

		const struct ub_word *w = words;

		for (v = 0; v < k && strcmp(text[v], tok); v++)
			;
		while (w && w->word && strcmp(w->word, tok))
			w++;
		if (w && w->word) {
			ub_u64_list_push(&l, w->value);
		} else if ((flags & UB_OPT_ALL) && !strcmp(tok, "all")) {
			for (v = 0; v < k; v++)
				ub_u64_list_push(&l, val[v]);
		} else if (v < k) {
			ub_u64_list_push(&l, val[v]);
		} else {
			choices(en, names, skip, flags, c, sizeof(c));
			rc = ub_opt_fail("%s: bad value '%s' in '%s': expected one "
					 "of %s%s", opt, tok, s, c,
					 words_str(words, wl, sizeof(wl)));
		}
	}
	ub_str_list_free(&items);
	return hand_over(out, &l, rc);
}

int ub_opt_parse_strs(const char *opt, const char *s, struct ub_str_list *out)
{
	struct ub_str_list l = { 0 };

	if (ub_opt_split(opt, s, &l))
		return -1;
	ub_str_list_free(out);
	*out = l;
	return 0;
}

int ub_opt_parse_size(const char *opt, const char *s, uint64_t min,
		      uint64_t *out)
{
	if (!s || num(s, s + strlen(s), UB_OPT_SIZE, out))
		return ub_opt_fail("%s: bad size '%s': expected bytes with an "
				   "optional K/M/G/T suffix", opt, s ? s : "");
	return check(opt, s, s, UB_OPT_SIZE, *out, min, 0);
}

int ub_opt_parse_dur(const char *opt, const char *s, const char *bare,
		     uint64_t *ns)
{
	static const struct { const char *sfx; double ns; } u[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 },
	};
	const char *unit;
	char *end;
	double v;

	if (!s || !*s)
		return ub_opt_fail("%s: empty value", opt);
	errno = 0;
	v = strtod(s, &end);
	unit = *end ? end : bare;
	if (end == s || errno || v < 0 || !isdigit((unsigned char)*s))
		goto bad;
	for (size_t i = 0; i < UB_ARRAY_SIZE(u); i++)
		if (!strcmp(unit, u[i].sfx) && v * u[i].ns < 1.8e19) {
			*ns = (uint64_t)(v * u[i].ns + 0.5);
			return 0;
		}
bad:
	return ub_opt_fail("%s: bad duration '%s': expected a number with ns, "
			   "us, ms, s, m or h (a bare number is %s)", opt, s, bare);
}

void ub_u64_list_dedup(const char *opt, struct ub_u64_list *l,
		       const char *(*what)(uint64_t v, void *arg), void *arg)
{
	size_t n = 0, dup = 0;
	uint64_t first = 0;

	for (size_t i = 0; i < l->n; i++) {
		size_t k;

		for (k = 0; k < n && l->v[k] != l->v[i]; k++)
			;
		if (k < n) {
			if (!dup++)
				first = l->v[i];
			continue;
		}
		l->v[n++] = l->v[i];
	}
	l->n = n;
	if (!dup)
		return;
	if (what)
		ub_info("%s%s%s: '%s' is listed more than once; it counts once",
			ub_opt_where ? ub_opt_where : "", ub_opt_where ? ": " : "",
			opt, what(first, arg));
	else
		ub_info("%s%s%s: %" PRIu64 " is listed more than once; it counts "
			"once", ub_opt_where ? ub_opt_where : "",
			ub_opt_where ? ": " : "", opt, first);
}

void ub_str_list_dedup(const char *opt, struct ub_str_list *l)
{
	size_t n = 0;
	char *dup = NULL;

	for (size_t i = 0; i < l->n; i++) {
		size_t k;

		for (k = 0; k < n && strcmp(l->v[k], l->v[i]); k++)
			;
		if (k < n) {
			if (!dup)
				dup = ub_xstrdup(l->v[i]);
			free(l->v[i]);
			continue;
		}
		l->v[n++] = l->v[i];
	}
	l->n = n;
	if (l->v)
		l->v[n] = NULL;
	if (dup)
		ub_info("%s%s%s: '%s' is listed more than once; it counts once",
			ub_opt_where ? ub_opt_where : "", ub_opt_where ? ": " : "",
			opt, dup);
	free(dup);
}

void ub_u64_list_copy(struct ub_u64_list *dst, const struct ub_u64_list *src,
		      uint64_t dflt)
{
	for (size_t i = 0; i < src->n; i++)
		ub_u64_list_push(dst, src->v[i]);
	if (!dst->n)
		ub_u64_list_push(dst, dflt);
}
