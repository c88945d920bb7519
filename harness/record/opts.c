// SPDX-License-Identifier: GPL-2.0
/*
 * opts.c: the one parser of command lines and profile lines over a
 * command's option table, and the --help made from it; see opts.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/log.h"
#include "record/opts.h"
#include "record/schema.h"
#include "record/util.h"

#define DST(dst, o, type)	((type *)((char *)(dst) + (o)->off))

static const struct ub_opt *find(const struct ub_optset *s, const char *name,
				 size_t len)
{
	for (const struct ub_opt *o = s->opt; o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

/* Keep the first of equal items; say so once when there were any. */
static void dedup_u64(const char *opt, struct ub_u64_list *l,
		      const struct ub_opt *o)
{
	size_t n = 0, dup = 0;
	uint64_t first_dup = 0;

	for (size_t i = 0; i < l->n; i++) {
		size_t k;

		for (k = 0; k < n && l->v[k] != l->v[i]; k++)
			;
		if (k < n) {
			if (!dup++)
				first_dup = l->v[i];
			continue;
		}
		l->v[n++] = l->v[i];
	}
	l->n = n;
	if (!dup)
		return;
	if (o->kind == UB_ARG_NAMES)
		ub_info("%s%s%s: '%s' is listed more than once; it counts once",
			ub_opt_where ? ub_opt_where : "", ub_opt_where ? ": " : "",
			opt, o->names ? o->names[first_dup] :
			ub_name_or(o->en, (unsigned)first_dup));
	else
		ub_info("%s%s%s: %" PRIu64 " is listed more than once; it counts "
			"once", ub_opt_where ? ub_opt_where : "",
			ub_opt_where ? ": " : "", opt, first_dup);
}

static void dedup_strs(const char *opt, struct ub_str_list *l)
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

static int parse_bools(const char *opt, const char *val, struct ub_u64_list *l)
{
	static const char *const names[] = { "0", "1", "off", "on", "no", "yes",
					     "false", "true", NULL };

	if (ub_opt_parse_names(opt, val, 0, UB_ENUM_NONE, names, 0, NULL, l))
		return -1;
	for (size_t i = 0; i < l->n; i++)
		l->v[i] &= 1;
	return 0;
}

/* Parse VAL for option O into DST; 0 or -1 (message given). */
static int value(const struct ub_opt *o, const char *opt, const char *val,
		 void *dst)
{
	struct ub_u64_list names = { 0 };
	uint64_t ns;

	switch (o->kind) {
	case UB_ARG_U64:
		if (o->words)
			for (const struct ub_word *w = o->words; w->word; w++)
				if (!strcmp(val, w->word)) {
					*DST(dst, o, uint64_t) = w->value;
					return 0;
				}
		return ub_opt_parse_u64(opt, val, o->flags, o->min, o->max,
					DST(dst, o, uint64_t));
	case UB_ARG_LIST:
		return ub_opt_parse_list(opt, val, o->flags, o->min, o->max,
					 o->words, DST(dst, o, struct ub_u64_list));
	case UB_ARG_NAMES:
		return ub_opt_parse_names(opt, val, o->flags, o->en, o->names,
					  o->skip, o->words,
					  DST(dst, o, struct ub_u64_list));
	case UB_ARG_NAME:
		if (strchr(val, ','))
			return ub_opt_fail("%s: one value, not a list ('%s')", opt, val);
		if (ub_opt_parse_names(opt, val, 0, o->en, o->names, o->skip,
				       o->words, &names))
			return -1;
		*DST(dst, o, uint64_t) = names.v[0];
		ub_u64_list_free(&names);
		return 0;
	case UB_ARG_BOOLS:
		return parse_bools(opt, val, DST(dst, o, struct ub_u64_list));
	case UB_ARG_TEXT:
		if (o->parse && o->parse(o, val, dst))
			return -1;
		free(*DST(dst, o, char *));
		*DST(dst, o, char *) = ub_xstrdup(val);
		return 0;
	case UB_ARG_TEXTS:
		return ub_opt_parse_strs(opt, val, DST(dst, o, struct ub_str_list));
	case UB_ARG_DUR:
		if (ub_opt_parse_dur(opt, val, o->bare, &ns))
			return -1;
		if (ns < o->min * o->unit_ns || (o->max && ns > o->max * o->unit_ns))
			return ub_opt_fail("%s: '%s' is outside %s", opt, val, o->legend);
		*DST(dst, o, uint64_t) = ns / o->unit_ns;
		return 0;
	case UB_ARG_CUSTOM:
		return o->parse(o, val, dst);
	case UB_ARG_FLAG:
		break;
	}
	return -1;
}

/* Parse "--NAME[=VALUE]" at argv[*i]; 0 or -1 (message given). */
static int one(const struct ub_optset *s, int argc, char **argv, int *i,
	       void *dst, int cli)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '='), *val;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct ub_opt *o = find(s, arg, len);
	char opt[80];

	snprintf(opt, sizeof(opt), "--%.*s", (int)len, arg);
	if (!o)
		return ub_opt_fail("unknown option %s (see unmapbench %s --help)",
				   opt, s->cmd);
	if (!cli && (o->flags & UB_OPT_CLI))
		return ub_opt_fail("%s is a command-line option, not a profile key",
				   opt);
	if (o->kind == UB_ARG_FLAG) {
		if (eq)
			return ub_opt_fail("%s takes no value (got '%s')", opt, eq + 1);
		*DST(dst, o, int) = 1;
	} else {
		if (!eq && *i + 1 >= argc)
			return ub_opt_fail("%s: missing value (see unmapbench %s "
					   "--help)", opt, s->cmd);
		val = eq ? eq + 1 : argv[++*i];
		if (value(o, opt, val, dst))
			return -1;
		if (o->kind == UB_ARG_LIST || o->kind == UB_ARG_NAMES ||
		    o->kind == UB_ARG_BOOLS)
			dedup_u64(opt, DST(dst, o, struct ub_u64_list), o);
		else if (o->kind == UB_ARG_TEXTS)
			dedup_strs(opt, DST(dst, o, struct ub_str_list));
	}
	*(uint64_t *)((char *)dst + s->given_off) |= 1ULL << (o - s->opt);
	return 0;
}

static int exclusions(const struct ub_optset *s, const void *dst)
{
	for (const struct ub_opt *o = s->opt; o->name; o++)
		if (o->excludes && ub_opt_given(s, dst, o->name) &&
		    ub_opt_given(s, dst, o->excludes))
			return ub_opt_fail("--%s and --%s cannot be combined: give one",
					   o->name, o->excludes);
	return 0;
}

int ub_opts_parse(const struct ub_optset *s, int argc, char **argv, void *dst,
		  const char *where, int cli)
{
	const char *saved = ub_opt_where;
	int rc = 0, npos = 0, only_pos = 0;

	ub_opt_where = where;
	for (int i = 1; i < argc && !rc; i++) {
		const char *a = argv[i];

		if (!only_pos && cli && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			ub_opts_help(s, stdout);
			rc = UB_OPTS_HELP;
		} else if (!only_pos && cli && !strcmp(a, "--")) {
			only_pos = 1;
		} else if (!only_pos && !strncmp(a, "--", 2) && a[2]) {
			rc = one(s, argc, argv, &i, dst, cli) ? 2 : 0;
		} else if (!only_pos && a[0] == '-' && a[1]) {
			rc = ub_opt_fail("unknown option %s (see unmapbench %s --help)",
					 a, s->cmd) ? 2 : 0;
		} else if (s->pos_name && npos < s->pos_max) {
			ub_str_list_push((struct ub_str_list *)((char *)dst + s->pos_off), a);
			npos++;
		} else {
			rc = ub_opt_fail("unexpected argument '%s' (see unmapbench %s "
					 "--help)", a, s->cmd) ? 2 : 0;
		}
	}
	if (!rc && s->pos_name && npos < s->pos_min)
		rc = ub_opt_fail("missing %s (usage: unmapbench %s %s)", s->pos_name,
				 s->cmd, s->synopsis) ? 2 : 0;
	if (!rc && (exclusions(s, dst) || (s->check && s->check(dst))))
		rc = 2;
	ub_opt_where = saved;
	return rc;
}

int ub_opt_given(const struct ub_optset *s, const void *dst, const char *name)
{
	const struct ub_opt *o = find(s, name, strlen(name));
	uint64_t mask = *(const uint64_t *)((const char *)dst + s->given_off);

	return o && (mask & (1ULL << (o - s->opt)));
}

void ub_opts_free(const struct ub_optset *s, void *dst)
{
	for (const struct ub_opt *o = s->opt; o->name; o++) {
		switch (o->kind) {
		case UB_ARG_LIST:
		case UB_ARG_NAMES:
		case UB_ARG_BOOLS:
			ub_u64_list_free(DST(dst, o, struct ub_u64_list));
			break;
		case UB_ARG_TEXTS:
			ub_str_list_free(DST(dst, o, struct ub_str_list));
			break;
		case UB_ARG_TEXT:
			free(*DST(dst, o, char *));
			*DST(dst, o, char *) = NULL;
			break;
		default:
			break;
		}
	}
	if (s->pos_name)
		ub_str_list_free((struct ub_str_list *)((char *)dst + s->pos_off));
	if (s->free)
		s->free(dst);
}
