// SPDX-License-Identifier: GPL-2.0
/* opts.c: list-valued option parsing, see opts.h. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/log.h"
#include "record/opts.h"
#include "record/util.h"

char ub_opt_errbuf[512];
const char *ub_opt_where;

int ub_opt_fail(const char *fmt, ...)
{
	va_list ap;

	size_t off = 0;

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

char *ub_u64_list_join(const struct ub_u64_list *l, char sep, char *buf,
		       size_t n)
{
	size_t off = 0;

	if (n)
		buf[0] = 0;
	for (size_t i = 0; i < l->n && off < n; i++) {
		int w = snprintf(buf + off, n - off, "%s%" PRIu64,
				 i ? (char[]){ sep, 0 } : "", l->v[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}

/*
 * One number, the whole of [s, e). Returns 0 and *out, or -1 (no message).
 */
static int num(const char *s, const char *e, unsigned flags, uint64_t *out)
{
	char tmp[64], *end;
	size_t len = (size_t)(e - s);
	unsigned long long v;
	unsigned shift = 0;

	if (!len || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	if (!isdigit((unsigned char)tmp[0]))
		return -1;
	errno = 0;
	v = strtoull(tmp, &end, 0);
	if (errno)
		return -1;
	if (*end && (flags & UB_OPT_SIZE)) {
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		default: return -1;
		}
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
		return "a number (K/M/G suffix allowed) or a range A-B, A-B:STEP, A-B*FACTOR";
	if (flags & UB_OPT_SIZE)
		return "a number (K/M/G suffix allowed)";
	if (flags & UB_OPT_RANGE)
		return "a number or a range A-B, A-B:STEP, A-B*FACTOR";
	return "a number";
}

static int check(const char *opt, const char *tok, const char *all,
		 uint64_t v, uint64_t min, uint64_t max)
{
	if (v < min || v > max)
		return ub_opt_fail("%s: value '%s' in '%s' is out of range [%" PRIu64
			    ", %" PRIu64 "]", opt, tok, all, min, max);
	return 0;
}

int ub_opt_parse_u64(const char *opt, const char *s, unsigned flags,
		     uint64_t min, uint64_t max, uint64_t *out)
{
	if (!s || num(s, s + strlen(s), flags, out))
		return ub_opt_fail("%s: bad value '%s': expected %s", opt,
			    s ? s : "", expect(flags & ~UB_OPT_RANGE));
	return check(opt, s, s, *out, min, max);
}

/* One item of a numeric list. */
static int item(const char *opt, const char *all, char *tok, unsigned flags,
		uint64_t min, uint64_t max, struct ub_u64_list *out)
{
	char *dash = NULL, *step;
	uint64_t a, b, st = 1;
	int geo = 0;

	if (flags & UB_OPT_RANGE)
		dash = strchr(tok, '-');
	if (!dash) {
		if (num(tok, tok + strlen(tok), flags, &a))
			return ub_opt_fail("%s: bad value '%s' in '%s': expected %s",
				    opt, tok, all, expect(flags));
		if (check(opt, tok, all, a, min, max))
			return -1;
		ub_u64_list_push(out, a);
		return 0;
	}
	step = strpbrk(dash + 1, ":*");
	if (num(tok, dash, flags, &a) ||
	    num(dash + 1, step ? step : dash + 1 + strlen(dash + 1), flags, &b))
		return ub_opt_fail("%s: bad range '%s' in '%s': expected %s", opt, tok,
			    all, expect(flags));
	if (step) {
		geo = *step == '*';
		if (num(step + 1, step + 1 + strlen(step + 1), 0, &st) ||
		    st == 0 || (geo && st < 2))
			return ub_opt_fail("%s: bad step in '%s' (in '%s'): expected "
				    "A-B:STEP with STEP >= 1 or A-B*FACTOR "
				    "with FACTOR >= 2", opt, tok, all);
	}
	if (a > b)
		return ub_opt_fail("%s: empty range '%s' in '%s' (start > end)", opt,
			    tok, all);
	if (geo && a == 0)
		return ub_opt_fail("%s: geometric range '%s' in '%s' must start above 0",
			    opt, tok, all);
	if (check(opt, tok, all, a, min, max) || check(opt, tok, all, b, min, max))
		return -1;
	for (uint64_t v = a; v <= b;) {
		if (out->n >= UB_OPT_MAX_ITEMS)
			return ub_opt_fail("%s: '%s' expands to more than %d values",
				    opt, tok, UB_OPT_MAX_ITEMS);
		ub_u64_list_push(out, v);
		if (geo) {
			if (v > UINT64_MAX / st)
				break;
			v *= st;
		} else {
			if (v > UINT64_MAX - st)
				break;
			v += st;
		}
	}
	return 0;
}

/* Split S at commas; call FN for each non-empty item. */
#define FOR_EACH_ITEM(s, tok, body)					\
	do {								\
		char *_copy = ub_xstrdup(s), *_save = NULL, *tok;	\
		int _rc = 0;						\
		if (!*_copy || _copy[strlen(_copy) - 1] == ',' ||	\
		    _copy[0] == ',' || strstr(_copy, ",,"))		\
			_rc = -2;					\
		for (tok = strtok_r(_copy, ",", &_save); tok && !_rc;	\
		     tok = strtok_r(NULL, ",", &_save)) {		\
			body						\
		}							\
		free(_copy);						\
		if (_rc == -2)						\
			return ub_opt_fail("%s: empty item in '%s'", opt, s);	\
		if (_rc)						\
			return -1;					\
	} while (0)

int ub_opt_parse_u64_list(const char *opt, const char *s, unsigned flags,
			  uint64_t min, uint64_t max, struct ub_u64_list *out)
{
	struct ub_u64_list l = { 0 };

	if (!s)
		s = "";
	FOR_EACH_ITEM(s, tok, {
		if (item(opt, s, tok, flags, min, max, &l))
			_rc = -1;
		else if (l.n > UB_OPT_MAX_ITEMS) {
			ub_opt_fail("%s: '%s' has more than %d values", opt, s,
			     UB_OPT_MAX_ITEMS);
			_rc = -1;
		}
	});
	ub_u64_list_free(out);
	*out = l;
	return 0;
}

int ub_opt_parse_names(const char *opt, const char *s, unsigned flags,
		       const char *const *names, size_t n,
		       struct ub_u64_list *out)
{
	struct ub_u64_list l = { 0 };

	if (!s)
		s = "";
	FOR_EACH_ITEM(s, tok, {
		size_t i;

		if ((flags & UB_OPT_ALL) && !strcmp(tok, "all")) {
			for (i = 0; i < n; i++)
				if (names[i])
					ub_u64_list_push(&l, i);
			continue;
		}
		for (i = 0; i < n; i++)
			if (names[i] && !strcmp(tok, names[i]))
				break;
		if (i == n) {
			char choices[256] = "";

			for (size_t k = 0; k < n; k++) {
				if (!names[k])
					continue;
				if (*choices)
					strncat(choices, ", ",
						sizeof(choices) - strlen(choices) - 1);
				strncat(choices, names[k],
					sizeof(choices) - strlen(choices) - 1);
			}
			ub_opt_fail("%s: bad value '%s' in '%s': expected one of %s%s",
			     opt, tok, s, choices,
			     flags & UB_OPT_ALL ? ", all" : "");
			_rc = -1;
			break;
		}
		ub_u64_list_push(&l, i);
	});
	ub_u64_list_free(out);
	*out = l;
	return 0;
}

int ub_opt_parse_strs(const char *opt, const char *s, struct ub_str_list *out)
{
	struct ub_str_list l = { 0 };

	if (!s)
		s = "";
	FOR_EACH_ITEM(s, tok, {
		ub_str_list_push(&l, tok);
	});
	ub_str_list_free(out);
	*out = l;
	return 0;
}

int ub_opt_parse_size(const char *opt, const char *s, uint64_t min,
		      uint64_t *out)
{
	if (!s || num(s, s + strlen(s), UB_OPT_SIZE, out))
		return ub_opt_fail("%s: bad size '%s': expected bytes with an optional "
			    "K/M/G/T suffix", opt, s ? s : "");
	if (*out < min)
		return ub_opt_fail("%s: size '%s' is below the minimum %" PRIu64 " bytes",
			    opt, s, min);
	return 0;
}

int ub_opt_parse_ms(const char *opt, const char *s, uint64_t *out)
{
	char *end;
	double v;

	errno = 0;
	v = s ? strtod(s, &end) : 0;
	if (!s || end == s || errno || v < 0)
		goto bad;
	if (!*end || !strcmp(end, "s"))
		v *= 1000;
	else if (!strcmp(end, "ms"))
		;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		v *= 60000;
	else if (!strcmp(end, "h"))
		v *= 3600000;
	else
		goto bad;
	*out = (uint64_t)v;
	return 0;
bad:
	return ub_opt_fail("%s: bad duration '%s': expected e.g. 30, 500ms, 2m, 1h",
		    opt, s ? s : "");
}

int ub_opt_parse_bool_list(const char *opt, const char *s,
			   struct ub_u64_list *out)
{
	static const char *const names[] = { "0", "1", "off", "on", "no", "yes",
					     "false", "true" };
	struct ub_u64_list l = { 0 };

	if (ub_opt_parse_names(opt, s, 0, names, UB_ARRAY_SIZE(names), &l))
		return -1;
	for (size_t i = 0; i < l.n; i++)
		l.v[i] &= 1;
	ub_u64_list_free(out);
	*out = l;
	return 0;
}
