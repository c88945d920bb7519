/* SPDX-License-Identifier: GPL-2.0 */
/*
 * table.h: a run-directory table of record/schema.def, written a row at
 * a time with every cell set by its column's name:
 *
 *	struct ub_table *t = ub_table_open(dir, UB_TABLE_RUNS, 0);
 *	ub_cell_uint(t, RUNS_rounds_done, 20);
 *	ub_cell_enum(t, RUNS_timer, UB_TIMER_TSC);	// written "tsc"
 *	...
 *	ub_row_end(t);		// -1: the row was refused, nothing written
 *
 * The header is the table's columns in schema order. A row is written
 * only when every column was set exactly once with a value its type
 * allows: an enum value of the column's list, no negative number in an
 * unsigned column, an empty cell only where the schema allows one (NaN
 * numbers are empty cells), the column's special literal. Anything else
 * is a harness bug: the row is refused with a message naming the table,
 * the row and the column, and ub_table_close() fails, so the run's
 * status says its files are incomplete.
 *
 * UB_CSV_APPEND appends to an existing file with the same header (profile
 * lines of one command share one file).
 */
#ifndef UB_TABLE_H
#define UB_TABLE_H

#include <stddef.h>

#include "record/csv.h"
#include "record/schema.h"

struct ub_table;

/* DIR/FILE of table ID; NULL (message logged, errno set) on failure. */
struct ub_table *ub_table_open(const char *dir, enum ub_table_id id, int flags);

void ub_cell_str(struct ub_table *t, int col, const char *s);
void ub_cell_fmt(struct ub_table *t, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ub_cell_int(struct ub_table *t, int col, long long v);
void ub_cell_uint(struct ub_table *t, int col, unsigned long long v);
/* PREC < 0: shortest exact (%.17g); NaN/Inf: an empty cell. */
void ub_cell_num(struct ub_table *t, int col, double v, int prec);
/* The name of C value V in the column's value list. */
void ub_cell_enum(struct ub_table *t, int col, unsigned v);
void ub_cell_empty(struct ub_table *t, int col);
/* The column's special literal (e.g. teardown.csv vm "all"). */
void ub_cell_special(struct ub_table *t, int col, const char *s);
/* intlist / strlist cells, ";"-joined. */
void ub_cell_ints(struct ub_table *t, int col, const int *v, size_t n);
void ub_cell_strs(struct ub_table *t, int col, const char *const *v, size_t n);

/* Write the row if it is complete; 0, or -1 if it was refused. */
int  ub_row_end(struct ub_table *t);
/* Push rows to the file; 0, or -1 after any refused row or write error
 * (ub_table_error() says which; it was printed once, when it happened). */
int  ub_table_flush(struct ub_table *t);
const char *ub_table_error(const struct ub_table *t);
/* Close and free (NULL is fine); 0 if every row and write was fine. */
int  ub_table_close(struct ub_table *t);

#endif
