// SPDX-License-Identifier: GPL-2.0
/* table.c: schema rows set by column name, see table.h. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/log.h"
#include "record/table.h"
#include "record/util.h"

struct ub_table {
	struct ub_csv	*csv;
	const struct ub_table_desc *d;
	enum ub_table_id id;
	char		**cell;		/* the current row; NULL = not set */
	char		bad[256];	/* first problem of the current row */
	char		err[320];	/* first refused row or write error */
	unsigned long	row;		/* rows begun (for messages) */
};

struct ub_table *ub_table_open(const char *dir, enum ub_table_id id, int flags)
{
	const struct ub_table_desc *d = &ub_tables[id];
	char path[PATH_MAX], *header = NULL;
	struct ub_table *t;
	size_t len = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, d->file) >= (int)sizeof(path)) {
		ub_err("%s/%s: path too long", dir, d->file);
		errno = ENAMETOOLONG;
		return NULL;
	}
	for (size_t i = 0; i < d->ncols; i++)
		len += strlen(d->cols[i].name) + 1;
	header = ub_xcalloc(1, len + 1);
	for (size_t i = 0; i < d->ncols; i++) {
		strcat(header, i ? "," : "");
		strcat(header, d->cols[i].name);
	}
	t = ub_xcalloc(1, sizeof(*t));
	t->csv = ub_csv_open(path, header, flags);
	free(header);
	if (!t->csv) {
		free(t);
		return NULL;
	}
	t->d = d;
	t->id = id;
	t->cell = ub_xcalloc(d->ncols, sizeof(*t->cell));
	return t;
}

static void bad(struct ub_table *t, const char *col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void bad(struct ub_table *t, const char *col, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (t->bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(t->bad, sizeof(t->bad), "column '%s': %s", col, msg);
}

/* The column descriptor of COL if it belongs to this table, else NULL. */
static const struct ub_col_desc *col_of(struct ub_table *t, int col)
{
	const struct ub_col_desc *c = ub_col(col);

	if (!c || UB_COL_TABLE(col) != (unsigned)t->id) {
		if (!t->bad[0])
			snprintf(t->bad, sizeof(t->bad), "a cell for column %d, "
				 "which is not one of %s's", col, t->d->file);
		return NULL;
	}
	return c;
}

/* Store TEXT (copied) as the cell of COL, refusing a second set. */
static void put(struct ub_table *t, int col, const char *text)
{
	unsigned i = UB_COL_INDEX(col);

	if (t->cell[i]) {
		bad(t, t->d->cols[i].name, "set twice ('%s', then '%s')",
		    t->cell[i], text);
		return;
	}
	t->cell[i] = ub_xstrdup(text);
}

static int empty_ok(const struct ub_col_desc *c)
{
	return (c->flags & UB_COL_EMPTY) || c->type == UB_T_TEXT ||
	       c->type == UB_T_INTLIST || c->type == UB_T_STRLIST;
}

void ub_cell_str(struct ub_table *t, int col, const char *s)
{
	const struct ub_col_desc *c = col_of(t, col);

	if (!c)
		return;
	if (c->type != UB_T_TEXT && c->type != UB_T_STRLIST &&
	    c->type != UB_T_INTLIST) {
		bad(t, c->name, "text '%s' in a %s column", s ? s : "",
		    ub_type_name(c->type));
		return;
	}
	put(t, col, s ? s : "");
}

void ub_cell_fmt(struct ub_table *t, int col, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	ub_cell_str(t, col, s ? s : "");
	free(s);
}

/* A number in COL: TEXT of V, whether it is negative and whole. */
static void number(struct ub_table *t, int col, const char *text, int neg,
		   int whole, int one_bit)
{
	const struct ub_col_desc *c = col_of(t, col);

	if (!c)
		return;
	switch (c->type) {
	case UB_T_UINT:
		if (!whole || neg)
			goto bad;
		break;
	case UB_T_INT:
		if (!whole)
			goto bad;
		break;
	case UB_T_UNUM:
		if (neg)
			goto bad;
		break;
	case UB_T_NUM:
	case UB_T_TEXT:
		break;
	case UB_T_BOOL:
		if (!one_bit)
			goto bad;
		break;
	default:
		goto bad;
	}
	put(t, col, text);
	return;
bad:
	bad(t, c->name, "%s is not a %s value", text, ub_type_name(c->type));
}

void ub_cell_int(struct ub_table *t, int col, long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", v);
	number(t, col, s, v < 0, 1, v == 0 || v == 1);
}

void ub_cell_uint(struct ub_table *t, int col, unsigned long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu", v);
	number(t, col, s, 0, 1, v <= 1);
}

void ub_cell_num(struct ub_table *t, int col, double v, int prec)
{
	char s[64];

	if (!isfinite(v)) {
		ub_cell_empty(t, col);
		return;
	}
	if (prec < 0)
		snprintf(s, sizeof(s), "%.17g", v);
	else
		snprintf(s, sizeof(s), "%.*f", prec, v);
	number(t, col, s, v < 0, 0, 0);
}

void ub_cell_enum(struct ub_table *t, int col, unsigned v)
{
	const struct ub_col_desc *c = col_of(t, col);
	const char *name;

	if (!c)
		return;
	name = c->type == UB_T_ENUM ? ub_name(c->en, v) : NULL;
	if (!name) {
		bad(t, c->name, "value %u is not one of %s", v,
		    c->en >= 0 ? ub_enums[c->en].name : "its values (not an enum)");
		return;
	}
	put(t, col, name);
}

void ub_cell_empty(struct ub_table *t, int col)
{
	const struct ub_col_desc *c = col_of(t, col);

	if (!c)
		return;
	if (!empty_ok(c)) {
		bad(t, c->name, "empty, but the schema wants a %s value",
		    ub_type_name(c->type));
		return;
	}
	put(t, col, "");
}

void ub_cell_special(struct ub_table *t, int col, const char *s)
{
	const struct ub_col_desc *c = col_of(t, col);

	if (!c)
		return;
	if (!c->special || strcmp(c->special, s)) {
		bad(t, c->name, "'%s' is not its special value", s);
		return;
	}
	put(t, col, s);
}

void ub_cell_ints(struct ub_table *t, int col, const int *v, size_t n)
{
	char *buf = ub_xcalloc(n + 1, 12);
	size_t off = 0;

	for (size_t i = 0; i < n; i++)
		off += (size_t)sprintf(buf + off, "%s%d", i ? ";" : "", v[i]);
	if (ub_col(col) && ub_col(col)->type != UB_T_INTLIST)
		bad(t, ub_col(col)->name, "a list of numbers in a %s column",
		    ub_type_name(ub_col(col)->type));
	else
		ub_cell_str(t, col, buf);
	free(buf);
}

void ub_cell_strs(struct ub_table *t, int col, const char *const *v, size_t n)
{
	size_t len = 1;
	char *buf;

	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	buf = ub_xcalloc(1, len);
	for (size_t i = 0; i < n; i++) {
		if (!*v[i] || strchr(v[i], ';'))
			bad(t, ub_col(col) ? ub_col(col)->name : "?",
			    "list item '%s' is empty or holds ';'", v[i]);
		strcat(buf, i ? ";" : "");
		strcat(buf, v[i]);
	}
	ub_cell_str(t, col, buf);
	free(buf);
}

static void clear_row(struct ub_table *t)
{
	for (size_t i = 0; i < t->d->ncols; i++) {
		free(t->cell[i]);
		t->cell[i] = NULL;
	}
	t->bad[0] = 0;
}

int ub_row_end(struct ub_table *t)
{
	t->row++;
	for (size_t i = 0; i < t->d->ncols && !t->bad[0]; i++)
		if (!t->cell[i])
			bad(t, t->d->cols[i].name, "not set");
	if (t->bad[0]) {
		ub_err("%s: row %lu refused: %s (harness bug)", t->d->file,
		       t->row, t->bad);
		if (!t->err[0])
			snprintf(t->err, sizeof(t->err), "%s: row %lu refused: %s",
				 t->d->file, t->row, t->bad);
		clear_row(t);
		return -1;
	}
	for (size_t i = 0; i < t->d->ncols; i++)
		ub_csv_str(t->csv, t->cell[i]);
	ub_csv_end_row(t->csv);
	clear_row(t);
	return 0;
}

int ub_table_flush(struct ub_table *t)
{
	if (ub_csv_flush(t->csv) && !t->err[0]) {
		snprintf(t->err, sizeof(t->err), "%s: write failed: %s",
			 t->d->file, strerror(t->csv->io_errno));
		ub_err("%s", t->err);
	}
	return t->err[0] ? -1 : 0;
}

const char *ub_table_error(const struct ub_table *t)
{
	return t && t->err[0] ? t->err : NULL;
}

int ub_table_close(struct ub_table *t)
{
	int rc;

	if (!t)
		return 0;
	rc = ub_csv_close(t->csv) || t->err[0] ? -1 : 0;
	clear_row(t);
	free(t->cell);
	free(t);
	return rc;
}
