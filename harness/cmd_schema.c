// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_schema.c: `unmapbench schema`, the run-directory schema of
 * record/schema.def as the two documents made from it:
 *
 *   --json                 plot/schema.json (plot/ loads it)
 *   --markdown             the sections of results/README.md, each between
 *                          lines <!-- schema:NAME --> and <!-- /schema -->
 *   --markdown --into F    rewrite those sections of F in place
 *   --markdown --check F   exit 1 naming each section of F that differs
 *   --header FILE          the CSV header line of table FILE (runs.csv)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "record/log.h"
#include "record/schema.h"
#include "record/util.h"

#define BEGIN	"<!-- schema:"
#define END	"<!-- /schema -->"

struct schema_opts {
	uint64_t given;
	int	json, markdown;
	char	*into, *check, *header;
};

#define O(f)	offsetof(struct schema_opts, f)
static const struct ub_opt schema_opts_table[] = {
	{ .name = "json", .kind = UB_ARG_FLAG, .off = O(json),
	  .excludes = "markdown", .help = "as plot/schema.json" },
	{ .name = "markdown", .kind = UB_ARG_FLAG, .off = O(markdown),
	  .help = "the column sections of results/README.md" },
	{ .name = "into", .kind = UB_ARG_TEXT, .off = O(into), .arg = "FILE",
	  .excludes = "check", .help = "with --markdown: rewrite FILE's sections" },
	{ .name = "check", .kind = UB_ARG_TEXT, .off = O(check), .arg = "FILE",
	  .help = "with --markdown: exit 1 if FILE's sections differ" },
	{ .name = "header", .kind = UB_ARG_TEXT, .off = O(header), .arg = "TABLE",
	  .excludes = "json", .help = "the CSV header of TABLE (e.g. runs.csv)" },
	{ .name = NULL },
};
#undef O

/* One document; --into and --check only for the markdown one. */
static int check(const void *dst)
{
	const struct schema_opts *o = dst;

	if (!o->json && !o->markdown && !o->header)
		return ub_opt_fail("schema: --json, --markdown or --header (see "
				   "unmapbench schema --help)");
	if (o->header && o->markdown)
		return ub_opt_fail("--header goes alone");
	if (o->json && (o->into || o->check))
		return ub_opt_fail("--into and --check go with --markdown");
	return 0;
}

const struct ub_optset schema_optset = {
	.cmd = "schema",
	.synopsis = "--json | --markdown [--into FILE | --check FILE] | --header TABLE",
	.about = "The run-directory schema (harness/record/schema.def) as "
		 "plot/schema.json or\nas the column sections of "
		 "results/README.md (make -C harness schema writes both).",
	.opt = schema_opts_table,
	.given_off = offsetof(struct schema_opts, given),
	.check = check,
};

/* The markdown of section NAME (malloc'ed), or NULL if there is none. */
static char *section(const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return NULL;
	rc = ub_schema_markdown(f, name);
	fclose(f);
	if (rc) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void all_sections(FILE *f)
{
	char *s = section("conventions");

	fprintf(f, "%sconventions -->\n%s%s\n", BEGIN, s, END);
	free(s);
	for (int t = 0; t < UB_TABLE_NR; t++) {
		s = section(ub_tables[t].file);
		fprintf(f, "\n%s%s -->\n%s%s\n", BEGIN, ub_tables[t].file, s, END);
		free(s);
	}
}

/* The first NEEDLE at or after P that starts a line of TEXT, or NULL. */
static const char *line_start(const char *text, const char *p,
			      const char *needle)
{
	while ((p = strstr(p, needle)) && p != text && p[-1] != '\n')
		p++;
	return p;
}

/*
 * FILE's text with every section replaced by the definition's (into OUT);
 * the number of sections that differed, or -1 after a message. Every
 * table of the definition must have its section.
 */
static int splice(const char *path, const char *text, FILE *out, int say)
{
	const char *p = text;
	int differ = 0, seen[UB_TABLE_NR] = { 0 };

	while (*p) {
		const char *b = line_start(text, p, BEGIN), *name, *nl, *e;
		char key[64];
		char *want;

		if (!b) {
			fputs(p, out);
			break;
		}
		name = b + strlen(BEGIN);
		nl = strchr(name, '\n');
		e = nl ? line_start(text, nl + 1, END) : NULL;
		if (!nl || !e || sscanf(name, "%63[^ ] -->", key) != 1 ||
		    !(want = section(key)))
			return ub_err("%s: a bad %s...%s block", path, BEGIN, END), -1;
		for (int t = 0; t < UB_TABLE_NR; t++)
			seen[t] |= !strcmp(key, ub_tables[t].file);
		if ((size_t)(e - (nl + 1)) != strlen(want) ||
		    strncmp(nl + 1, want, strlen(want))) {
			if (say)
				ub_info("%s: section %s differs from the schema "
					"definition", path, key);
			differ++;
		}
		fwrite(p, 1, (size_t)(nl + 1 - p), out);
		fputs(want, out);
		free(want);
		p = e;
	}
	for (int t = 0; t < UB_TABLE_NR; t++)
		if (!seen[t]) {
			ub_info("%s: no section %s%s --> for %s", path, BEGIN,
				ub_tables[t].file, ub_tables[t].file);
			differ++;
		}
	return differ;
}

static int readme(const char *path, int write)
{
	char *text = ub_read_file(path, 0), *buf = NULL, tmp[4200];
	size_t len = 0;
	FILE *f;
	int differ;

	if (!text)
		return ub_err("%s: %s", path, strerror(errno)), 2;
	f = open_memstream(&buf, &len);
	differ = splice(path, text, f, !write);
	fclose(f);
	free(text);
	if (differ < 0 || !write) {
		free(buf);
		return differ < 0 ? 2 : differ ? 1 : 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f || fputs(buf, f) < 0 || fclose(f) || rename(tmp, path)) {
		ub_err("%s: %s", tmp, strerror(errno));
		free(buf);
		return 1;
	}
	free(buf);
	return 0;
}

/* The header line of table FILE: 0, or 2 naming the tables there are. */
static int header(const char *file)
{
	for (int t = 0; t < UB_TABLE_NR; t++) {
		const struct ub_table_desc *d = &ub_tables[t];

		if (strcmp(d->file, file))
			continue;
		for (size_t i = 0; i < d->ncols; i++)
			printf("%s%s", i ? "," : "", d->cols[i].name);
		putchar('\n');
		return 0;
	}
	ub_err("schema --header: no table '%s' (runs.csv, micro.csv, ...)", file);
	return 2;
}

int cmd_schema(int argc, char **argv)
{
	struct schema_opts o = { 0 };
	int rc = ub_opts_command(&schema_optset, argc, argv, &o);

	if (rc >= 0)
		return rc;
	rc = 0;
	if (o.header)
		rc = header(o.header);
	else if (o.json)
		rc = ub_schema_json(stdout) ? 1 : 0;
	else if (o.into || o.check)
		rc = readme(o.into ? o.into : o.check, !!o.into);
	else
		all_sections(stdout);
	ub_opts_free(&schema_optset, &o);
	return rc;
}
