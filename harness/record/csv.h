/* SPDX-License-Identifier: GPL-2.0 */
/*
 * csv.h: RFC 4180 CSV writer for the run-directory tables.
 *
 * A file is opened with its header as one comma-separated string (the
 * run directory's tables are opened through record/table.h, which makes
 * the header from record/schema.def). Each row is a sequence of cell
 * calls ended by ub_csv_end_row(),
 * which checks that the row has exactly as many cells as the header.
 * Cells holding a comma, a double quote, CR or LF (or leading/trailing
 * spaces) are quoted, with quotes doubled. Lines end in "\n".
 *
 * Opening with UB_CSV_APPEND appends rows to an existing file with the
 * same header (the header is written only if the file is new or empty;
 * an existing file with a different header is refused).
 */
#ifndef UB_CSV_H
#define UB_CSV_H

#include <stdio.h>
#include <stdint.h>

#define UB_CSV_APPEND	1

struct ub_csv {
	FILE	*f;
	char	*path;
	int	ncols;
	int	col;		/* cells written in the current row */
	int	err;
	int	io_errno;	/* first write error's errno, 0 if none */
	unsigned long rows;
};

/* NULL (message logged, errno set) on failure. */
struct ub_csv *ub_csv_open(const char *path, const char *header, int flags);
/* One cell (NULL -> empty); typed cells: record/table.h. */
void ub_csv_str(struct ub_csv *c, const char *s);
/* 0, or -1 if the row had the wrong number of cells (row still ends). */
int  ub_csv_end_row(struct ub_csv *c);
int  ub_csv_flush(struct ub_csv *c);
/* Close and free; 0 if every row and write was fine, else -1. */
int  ub_csv_close(struct ub_csv *c);

/* Write one CSV cell (quoted when needed) to F. */
void ub_csv_write_cell(FILE *f, const char *s);
/* Number of columns in a header string. */
int  ub_csv_count_cols(const char *header);

#endif
