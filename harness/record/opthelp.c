// SPDX-License-Identifier: GPL-2.0
/*
 * opthelp.c: a command's --help, made from its option table: one line per
 * option (metavariable from the value kind, the choices of a name list),
 * then every value syntax the command accepts, so none is undocumented.
 */
#include <stdio.h>
#include <string.h>

#include "record/opts.h"
#include "record/schema.h"

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
