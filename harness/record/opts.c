// SPDX-License-Identifier: GPL-2.0
/*
 * opts.c: the one parser of command lines and profile lines over a
 * command's option table, and the --help made from it (one line per
 * option, the choices of a name list, then every value syntax the
 * command accepts, so none is undocumented); see opts.h.
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

/* The name of value V of option ARG (a name option), for the note. */
static const char *name_of(uint64_t v, void *arg)
{
	const struct ub_opt *o = arg;

	return o->names ? o->names[v] : ub_name_or(o->en, (unsigned)v);
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
		if (o->kind == UB_ARG_LIST)
			ub_u64_list_dedup(opt, DST(dst, o, struct ub_u64_list), NULL, NULL);
		else if (o->kind == UB_ARG_NAMES || o->kind == UB_ARG_BOOLS)
			ub_u64_list_dedup(opt, DST(dst, o, struct ub_u64_list),
					  o->kind == UB_ARG_NAMES ? name_of : NULL,
					  (void *)o);
		else if (o->kind == UB_ARG_TEXTS)
			ub_str_list_dedup(opt, DST(dst, o, struct ub_str_list));
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

int ub_opts_command(const struct ub_optset *s, int argc, char **argv, void *dst)
{
	int rc = ub_opts_parse(s, argc, argv, dst, NULL, 1);

	if (!rc)
		return -1;
	ub_opts_free(s, dst);
	return rc == UB_OPTS_HELP ? 0 : rc;
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

/* ---- --help, made from the table ---- */

/* Syntaxes a command's options use, for the "Values:" legend. */
enum { SX_NUM = 1, SX_SIZE = 2, SX_RANGE = 4, SX_LIST = 8, SX_DUR = 16,
       SX_BOOL = 32 };

static void names_of(const struct ub_opt *o, char *buf, size_t n)
{
	buf[0] = 0;
	if (o->names) {
		for (unsigned i = 0; o->names[i]; i++)
			if (!(o->skip >> i & 1))
				snprintf(buf + strlen(buf), n - strlen(buf), "%s%s",
					 *buf ? "|" : "", o->names[i]);
	} else {
		const struct ub_enum_desc *d = &ub_enums[o->en];

		for (size_t i = 0; i < d->nvals; i++)
			if (ub_name(o->en, d->vals[i].c) && !(o->skip >> d->vals[i].c & 1))
				snprintf(buf + strlen(buf), n - strlen(buf), "%s%s",
					 *buf ? "|" : "", d->vals[i].text);
	}
	if (o->flags & UB_OPT_ALL)
		snprintf(buf + strlen(buf), n - strlen(buf), "|all");
}

static void words_of(const struct ub_opt *o, char *buf, size_t n)
{
	for (const struct ub_word *w = o->words; w && w->word; w++)
		snprintf(buf + strlen(buf), n - strlen(buf), "|%s", w->word);
}

/* The metavariable of O, and the syntaxes it takes into *sx. */
static void metavar(const struct ub_opt *o, char *buf, size_t n, unsigned *sx)
{
	buf[0] = 0;
	if (o->flags & UB_OPT_SIZE)
		*sx |= SX_SIZE;
	if (o->flags & UB_OPT_RANGE)
		*sx |= SX_RANGE;
	switch (o->kind) {
	case UB_ARG_FLAG:
		return;
	case UB_ARG_U64:
		*sx |= SX_NUM;
		snprintf(buf, n, "%s", o->flags & UB_OPT_SIZE ? "SIZE" : "N");
		words_of(o, buf, n);
		break;
	case UB_ARG_LIST:
		*sx |= SX_NUM | SX_LIST;
		snprintf(buf, n, "LIST");
		words_of(o, buf, n);
		break;
	case UB_ARG_NAME:
		names_of(o, buf, n);
		words_of(o, buf, n);
		break;
	case UB_ARG_NAMES:
		*sx |= SX_LIST;
		names_of(o, buf, n);
		words_of(o, buf, n);
		snprintf(buf + strlen(buf), n - strlen(buf), ",...");
		break;
	case UB_ARG_BOOLS:
		*sx |= SX_LIST | SX_BOOL;
		snprintf(buf, n, "0|1,...");
		break;
	case UB_ARG_TEXTS:
		*sx |= SX_LIST;
		snprintf(buf, n, "LIST");
		break;
	case UB_ARG_DUR:
		*sx |= SX_DUR;
		snprintf(buf, n, "DUR");
		break;
	default:
		snprintf(buf, n, "TEXT");
		break;
	}
	if (o->arg)
		snprintf(buf, n, "%s", o->arg);
}

static void option_line(FILE *f, const struct ub_opt *o, unsigned *sx)
{
	char mv[200], head[260];
	const char *h = o->help, *nl;

	metavar(o, mv, sizeof(mv), sx);
	snprintf(head, sizeof(head), "  --%s%s%s", o->name, *mv ? " " : "", mv);
	if (strlen(head) > 20)
		fprintf(f, "%s\n%21s", head, "");
	else
		fprintf(f, "%-21s", head);
	for (; (nl = strchr(h, '\n')); h = nl + 1)
		fprintf(f, "%.*s\n%21s", (int)(nl - h), h, "");
	fputs(h, f);
	if (o->kind == UB_ARG_DUR)
		fprintf(f, " (%s; a bare number is %s)", o->legend, o->bare);
	if (o->flags & UB_OPT_CLI)
		fputs(" [not in profiles]", f);
	if (o->excludes)
		fprintf(f, " [not with --%s]", o->excludes);
	fputc('\n', f);
}

static void legend(FILE *f, const struct ub_optset *s, unsigned sx)
{
	int any = sx != 0;

	for (const struct ub_opt *o = s->opt; o->name; o++)
		any |= o->kind != UB_ARG_DUR && o->legend;
	if (!any)
		return;
	fputs("Values:\n", f);
	if (sx & SX_NUM)
		fputs("  N        a decimal number, or hex with 0x (0x1000)\n", f);
	if (sx & SX_SIZE)
		fputs("  SIZE     N with a K, M, G or T suffix: binary multiples "
		      "(1K = 1024;\n           k, KiB and KB are the same)\n", f);
	if (sx & SX_RANGE)
		fputs("  ranges   A-B every integer from A to B; A-B:S every S-th; "
		      "A-B*F\n           A, A*F, A*F*F, ... up to B (F >= 2)\n", f);
	if (sx & SX_LIST)
		fputs("  LIST     comma-separated items, no empty item, no trailing "
		      "comma;\n           an item listed twice counts once; "
		      "\"all\" where shown = every one\n", f);
	if (sx & SX_BOOL)
		fputs("  0|1      also off|on, no|yes, false|true\n", f);
	if (sx & SX_DUR)
		fputs("  DUR      a number with ns, us, ms, s, m or h (500us, 30s, "
		      "2m, 1h)\n", f);
	for (const struct ub_opt *o = s->opt; o->name; o++)
		if (o->kind != UB_ARG_DUR && o->legend)
			fprintf(f, "  --%s: %s\n", o->name, o->legend);
}

void ub_opts_help(const struct ub_optset *s, FILE *f)
{
	unsigned sx = 0;

	fprintf(f, "usage: unmapbench %s %s\n", s->cmd, s->synopsis);
	if (s->about)
		fprintf(f, "%s\n", s->about);
	fputs("Options:\n", f);
	for (const struct ub_opt *o = s->opt; o->name; o++)
		option_line(f, o, &sx);
	fputs("  -h, --help         this text\n", f);
	legend(f, s, sx);
	if (s->footer)
		fputs(s->footer, f);
}
