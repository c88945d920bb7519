// SPDX-License-Identifier: GPL-2.0
/* csv.c: RFC 4180 CSV writer, see csv.h. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "record/csv.h"
#include "record/log.h"
#include "record/util.h"

int ub_csv_count_cols(const char *header)
{
	int n = 1;

	for (; *header; header++)
		n += *header == ',';
	return n;
}

void ub_csv_write_cell(FILE *f, const char *s)
{
	size_t len;
	int quote;

	if (!s)
		s = "";
	len = strlen(s);
	quote = strpbrk(s, ",\"\r\n") != NULL ||
		(len && (s[0] == ' ' || s[len - 1] == ' '));
	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* First line of an existing file, or NULL. */
static char *first_line(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getline(&line, &cap, f);
	fclose(f);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	return line;
}

struct ub_csv *ub_csv_open(const char *path, const char *header, int flags)
{
	struct ub_csv *c;
	int need_header = 1;
	FILE *f;

	if (flags & UB_CSV_APPEND) {
		char *old = first_line(path);

		if (old) {
			if (strcmp(old, header)) {
				ub_err("%s: exists with other columns ('%s'), not appending",
				       path, old);
				free(old);
				errno = EINVAL;
				return NULL;
			}
			need_header = 0;
			free(old);
		}
		f = fopen(path, "ae");
	} else {
		f = fopen(path, "we");
	}
	if (!f) {
		int e = errno;

		ub_err("%s: cannot open: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	c = ub_xcalloc(1, sizeof(*c));
	c->f = f;
	c->path = ub_xstrdup(path);
	c->ncols = ub_csv_count_cols(header);
	if (need_header)
		fprintf(f, "%s\n", header);
	return c;
}

static void sep(struct ub_csv *c)
{
	if (c->col++)
		fputc(',', c->f);
}

void ub_csv_str(struct ub_csv *c, const char *s)
{
	sep(c);
	ub_csv_write_cell(c->f, s);
}

int ub_csv_end_row(struct ub_csv *c)
{
	int bad = c->col != c->ncols;

	fputc('\n', c->f);
	if (bad) {
		ub_err("%s: row %lu has %d cells, header has %d (harness bug)",
		       c->path, c->rows + 1, c->col, c->ncols);
		c->err = 1;
	}
	c->col = 0;
	c->rows++;
	return bad ? -1 : 0;
}

int ub_csv_flush(struct ub_csv *c)
{
	if (fflush(c->f) || ferror(c->f)) {
		if (!c->io_errno)
			c->io_errno = errno ? errno : EIO;
		c->err = 1;
		return -1;
	}
	return 0;
}

int ub_csv_close(struct ub_csv *c)
{
	int rc;

	if (!c)
		return 0;
	rc = c->err || c->col ? -1 : 0;
	errno = 0;
	if (fflush(c->f) || ferror(c->f)) {
		if (!c->io_errno)
			c->io_errno = errno ? errno : EIO;
		rc = -1;
	}
	if (fclose(c->f)) {
		if (!c->io_errno)
			c->io_errno = errno ? errno : EIO;
		rc = -1;
	}
	if (rc && c->io_errno)
		ub_err("%s: write failed: %s", c->path, strerror(c->io_errno));
	else if (rc)
		ub_err("%s: incomplete (a row was left unfinished)", c->path);
	free(c->path);
	free(c);
	return rc;
}
