// SPDX-License-Identifier: GPL-2.0
/* log.c: messages to stderr and to the run directory's log.txt. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#include "record/log.h"

int ub_verbose;
int ub_quiet;
static FILE *logf;
static int status_shown;	/* a status line is on stderr now */

void ub_status_line(const char *text)
{
	fputs("\r\033[K", stderr);
	fputs(text, stderr);
	fflush(stderr);
	status_shown = 1;
}

void ub_status_clear(void)
{
	if (status_shown) {
		fputs("\r\033[K", stderr);
		status_shown = 0;
	}
}

int ub_log_open(const char *path)
{
	FILE *f = fopen(path, "ae");

	if (!f)
		return -1;
	if (logf)
		fclose(logf);
	logf = f;
	setvbuf(logf, NULL, _IOLBF, 0);
	return 0;
}

void ub_log_close(void)
{
	if (logf)
		fclose(logf);
	logf = NULL;
}

static void to_file(const char *level, const char *fmt, va_list ap)
{
	struct timeval tv;
	struct tm tm;
	char ts[32];

	if (!logf)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(logf, "%s.%03ldZ %s", ts, (long)tv.tv_usec / 1000, level);
	vfprintf(logf, fmt, ap);
	fputc('\n', logf);
}

static void emit(int to_stderr, const char *level, const char *fmt,
		 va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	if (to_stderr) {
		ub_status_clear();
		fprintf(stderr, "unmapbench: %s", level);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	to_file(level, fmt, ap2);
	va_end(ap2);
}

#define DEF(fn, cond, level)				\
void fn(const char *fmt, ...)				\
{							\
	va_list ap;					\
	va_start(ap, fmt);				\
	emit(cond, level, fmt, ap);			\
	va_end(ap);					\
}

DEF(ub_debug, ub_verbose, "")
DEF(ub_info, !ub_quiet, "")
DEF(ub_warn, 1, "warning: ")
DEF(ub_err, 1, "error: ")
DEF(ub_logfile, 0, "")
