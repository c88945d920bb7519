// SPDX-License-Identifier: GPL-2.0
/* rundir.c: run-directory life cycle and signal flag, see rundir.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "record/env.h"
#include "record/log.h"
#include "record/rundir.h"
#include "record/tree.h"
#include "record/util.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

static void sanitize(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		      *s == '+' || *s == '-'))
			*s = '_';
}

/* $UB_RESULTS_DIR, else the source tree's results/, else ./results. */
static const char *results_base(char *buf, size_t n)
{
	const char *env = getenv("UB_RESULTS_DIR");

	if (env && *env)
		return env;
	if (!ub_source_tree(buf, n) &&
	    strlen(buf) + sizeof("/results") <= n) {
		strcat(buf, "/results");
		return buf;
	}
	return "results";
}

int rundir_default_path(char *out, size_t n, const char *base,
			const struct ub_env *env)
{
	char ts[32], host[128], krel[128], top[PATH_MAX];
	struct utsname u;

	if (!base)
		base = results_base(top, sizeof(top));
	uname(&u);
	ub_strlcpy(host, env && *env->hostname ? env->hostname : u.nodename,
		   sizeof(host));
	ub_strlcpy(krel, env && *env->kernel_release ? env->kernel_release :
		   u.release, sizeof(krel));
	/* Short host name: up to the first dot. */
	if (strchr(host, '.'))
		*strchr(host, '.') = 0;
	sanitize(host);
	sanitize(krel);
	ub_utc_compact(ts, sizeof(ts), (long)time(NULL));
	if (snprintf(out, n, "%s/%s-%s-%s", base, ts, host, krel) >= (int)n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int write_status(struct ub_rundir *rd, const char *text)
{
	char tmp[PATH_MAX + 16], fin[PATH_MAX + 16];
	const char *dir = rd->open ? rd->partial : rd->final;
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s/status.tmp", dir) >= (int)sizeof(tmp) ||
	    snprintf(fin, sizeof(fin), "%s/status", dir) >= (int)sizeof(fin)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	f = fopen(tmp, "we");
	if (f) {
		fprintf(f, "%s\n", text);
		if (!fclose(f) && !rename(tmp, fin))
			return 0;
	}
	/*
	 * Typically a full disk. Rewrite the status in place: truncating it
	 * frees its own block, so a full disk can still record why a run
	 * stopped instead of leaving "running" behind.
	 */
	int e = errno;

	unlink(tmp);
	f = fopen(fin, "we");
	if (!f) {
		errno = e;
		return -1;
	}
	fprintf(f, "%s\n", text);
	if (fclose(f)) {
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * A partial directory is live while the process writing it holds the
 * flock() on it (taken by make_partial(), dropped when the process ends);
 * without one (a killed run, or one of an older harness) it is stale. A
 * kernel without file locking (CONFIG_FILE_LOCKING off, as in the
 * testbed) cannot tell: every partial counts as live there.
 */
static int partial_live(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int live;

	if (fd < 0)
		return errno != ENOENT;		/* not a directory: leave it */
	live = flock(fd, LOCK_EX | LOCK_NB) != 0;
	close(fd);
	return live;
}

/* mkdir PATH and lock it; 0, or -1 with errno (EEXIST: it exists). */
static int make_partial(struct ub_rundir *rd, const char *path)
{
	if (mkdir(path, 0755))
		return -1;
	ub_strlcpy(rd->partial, path, sizeof(rd->partial));
	rd->lock_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rd->lock_fd >= 0 && flock(rd->lock_fd, LOCK_EX | LOCK_NB) &&
	    errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
		int e = errno;	/* someone else's lock on a new directory? */

		close(rd->lock_fd);
		rd->lock_fd = -1;
		rmdir(path);
		errno = e;
		return -1;
	}
	return 0;
}

/* Split OUT into rd->final, rd->name and PARENT. */
static int split_out(struct ub_rundir *rd, const char *out, char *parent,
		     size_t n)
{
	char *slash;
	size_t len = ub_strlcpy(rd->final, out, sizeof(rd->final));

	if (!len || len >= sizeof(rd->final) - 32) {
		ub_err("--out: bad directory name '%s'", out);
		errno = EINVAL;
		return -1;
	}
	while (len > 1 && rd->final[len - 1] == '/')
		rd->final[--len] = 0;
	ub_strlcpy(parent, rd->final, n);
	slash = strrchr(parent, '/');
	if (slash) {
		ub_strlcpy(rd->name, slash + 1, sizeof(rd->name));
		if (slash == parent)
			slash[1] = 0;
		else
			*slash = 0;
	} else {
		ub_strlcpy(rd->name, parent, sizeof(rd->name));
		ub_strlcpy(parent, ".", n);
	}
	if (!*rd->name || !strcmp(rd->name, ".") || !strcmp(rd->name, "..")) {
		ub_err("--out: '%s' does not name a new directory", out);
		errno = EINVAL;
		return -1;
	}
	if (ub_mkdir_p(parent, 0755)) {
		int e = errno;

		ub_err("cannot create %s: %s", parent, strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

/* .NAME.partial (or .NAME.partial-N after stale ones) for an explicit name. */
static int claim_named(struct ub_rundir *rd, const char *parent)
{
	const char *p = strcmp(parent, "/") ? parent : "";
	char path[PATH_MAX];
	struct stat st;

	if (lstat(rd->final, &st) == 0) {
		ub_err("%s already exists; not overwriting it (choose another --out)",
		       rd->final);
		errno = EEXIST;
		return -1;
	}
	for (int k = 1; k <= 100; k++) {
		int w = k == 1 ?
			snprintf(path, sizeof(path), "%s/.%s.partial", p, rd->name) :
			snprintf(path, sizeof(path), "%s/.%s.partial-%d", p, rd->name, k);

		if (w >= (int)sizeof(path)) {
			errno = ENAMETOOLONG;
			break;
		}
		if (!make_partial(rd, path))
			return 0;
		if (errno != EEXIST)
			break;
		if (partial_live(path)) {
			ub_err("%s already exists and a run of the same name may "
			       "still be writing it; not touching it (choose another "
			       "--out)", path);
			errno = EEXIST;
			return -1;
		}
		ub_warn("%s: an unfinished earlier run, left as it is", path);
	}
	{
		int e = errno;

		ub_err("cannot create %s: %s", path, strerror(e));
		errno = e;
	}
	return -1;
}

/* NAME, NAME-2, ...: the first whose final and partial names are free. */
static int claim_unique(struct ub_rundir *rd, const char *parent)
{
	const char *p = strcmp(parent, "/") ? parent : "";
	char base[256], path[PATH_MAX];
	struct stat st;

	ub_strlcpy(base, rd->name, sizeof(base));
	for (int k = 1; k <= 1000; k++) {
		if (k > 1 &&
		    (snprintf(rd->name, sizeof(rd->name), "%s-%d", base, k) >=
		     (int)sizeof(rd->name) ||
		     snprintf(rd->final, sizeof(rd->final), "%s/%s", p, rd->name) >=
		     (int)sizeof(rd->final)))
			break;
		if (lstat(rd->final, &st) == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/.%s.partial", p, rd->name) >=
		    (int)sizeof(path))
			break;
		if (!make_partial(rd, path))
			return 0;
		if (errno != EEXIST) {
			int e = errno;

			ub_err("cannot create %s: %s", path, strerror(e));
			errno = e;
			return -1;
		}
	}
	ub_err("%s: no free name", rd->final);
	errno = EEXIST;
	return -1;
}

static int create(struct ub_rundir *rd, const char *out, int unique)
{
	char parent[PATH_MAX];

	memset(rd, 0, sizeof(*rd));
	rd->lock_fd = -1;
	if (split_out(rd, out, parent, sizeof(parent)) ||
	    (unique ? claim_unique(rd, parent) : claim_named(rd, parent)))
		return -1;
	rd->open = 1;
	if (write_status(rd, "running")) {
		int e = errno;

		ub_err("%s/status: %s", rd->partial, strerror(e));
		/* Nothing was measured: leave nothing behind. */
		unlink(rundir_file(rd, "status.tmp"));
		unlink(rundir_file(rd, "status"));
		if (!rmdir(rd->partial))
			rd->open = 0;
		errno = e;
		return -1;
	}
	if (ub_log_open(rundir_file(rd, "log.txt")))
		ub_warn("%s: %s (continuing without a log file)",
			rundir_file(rd, "log.txt"), strerror(errno));
	return 0;
}

int rundir_create(struct ub_rundir *rd, const char *out)
{
	return create(rd, out, 0);
}

int rundir_open(struct ub_rundir *rd, const char *out, const struct ub_env *env)
{
	char path[PATH_MAX];

	if (out)
		return create(rd, out, 0);
	if (rundir_default_path(path, sizeof(path), NULL, env)) {
		ub_err("the default run directory name is too long");
		return -1;
	}
	return create(rd, path, 1);
}

const char *rundir_file(struct ub_rundir *rd, const char *file)
{
	if (snprintf(rd->buf, sizeof(rd->buf), "%s/%s", rundir_path(rd),
		     file) >= (int)sizeof(rd->buf))
		ub_warn("path too long: %s/%s", rundir_path(rd), file);
	return rd->buf;
}

const char *rundir_path(const struct ub_rundir *rd)
{
	return rd->open ? rd->partial : rd->final;
}

static void unlock(struct ub_rundir *rd)
{
	if (rd->lock_fd >= 0)
		close(rd->lock_fd);
	rd->lock_fd = -1;
}

static int vset(struct ub_rundir *rd, const char *fmt, va_list ap)
{
	char text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	/* One line: the status file is read by scripts. */
	for (char *p = text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (write_status(rd, text)) {
		ub_err("%s/status: %s", rundir_path(rd), strerror(errno));
		return -1;
	}
	return 0;
}

int rundir_set_status(struct ub_rundir *rd, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vset(rd, fmt, ap);
	va_end(ap);
	return rc;
}

int rundir_fail(struct ub_rundir *rd, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vset(rd, fmt, ap);
	va_end(ap);
	ub_logfile("run directory left partial: %s", rd->partial);
	ub_log_close();
	unlock(rd);
	return rc;
}

int rundir_complete(struct ub_rundir *rd)
{
	if (!rd->open)
		return 0;
	if (rundir_set_status(rd, "complete"))
		return -1;
	ub_log_close();
	if (syscall(SYS_renameat2, AT_FDCWD, rd->partial, AT_FDCWD, rd->final,
		    RENAME_NOREPLACE)) {
		int e = errno;

		/* Kernels/filesystems without renameat2 flags: check + rename. */
		if ((e == EINVAL || e == ENOSYS) && access(rd->final, F_OK) &&
		    !rename(rd->partial, rd->final))
			goto done;
		rundir_set_status(rd, "failed: could not rename to %s: %s",
				  rd->final, strerror(e));
		ub_err("could not rename %s to %s: %s", rd->partial, rd->final,
		       strerror(e));
		errno = e;
		return -1;
	}
done:
	rd->open = 0;
	unlock(rd);
	return 0;
}

static volatile sig_atomic_t pending;

static void on_signal(int sig)
{
	if (pending == SIGINT && sig == SIGINT) {
		/* Second ^C: give up at once. */
		signal(SIGINT, SIG_DFL);
		raise(SIGINT);
	}
	pending = sig;
}

void ub_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking ioctl returns EINTR and the module stops. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int ub_signal_pending(void)
{
	return pending;
}

const char *ub_signal_name(void)
{
	switch (pending) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case 0: return "";
	default: return "signal";
	}
}
