/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rel_common.h: helpers shared by the reliability test programs
 * (tests/guest/fuzz_ioctl.c, tests/guest/rel_*.c; issue 8). Header-only:
 * every program is one static binary built from one .c file.
 *
 * TAP output: every program prints "ok - ...", "not ok - ..." or
 * "ok - ... # SKIP why" lines and "# ..." comments on stdout, and exits 0
 * when it printed no "not ok" (1 otherwise, 2 on a usage error).
 */
#ifndef REL_COMMON_H
#define REL_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unmap_bench.h"

#define REL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int rel_failed __attribute__((unused));

static inline void __attribute__((format(printf, 2, 3)))
rel_tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		rel_failed = 1;
}

static inline void __attribute__((format(printf, 2, 3)))
rel_skip(const char *desc, const char *fmt, ...)
{
	va_list ap;

	printf("ok - %s # SKIP ", desc);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void __attribute__((format(printf, 1, 2)))
rel_note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline const char *rel_errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EOVERFLOW: return "EOVERFLOW";
	case ETIMEDOUT: return "ETIMEDOUT";
	default: return "E?";
	}
}

/* Value of WORD=... on the kernel command line, or NULL. */
static inline const char *rel_cmdline(const char *word)
{
	static char buf[4096];
	size_t n = strlen(word);
	char *p, *save = NULL;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	for (p = strtok_r(buf, " \n", &save); p; p = strtok_r(NULL, " \n", &save))
		if (!strncmp(p, word, n) && p[n] == '=')
			return p + n + 1;
	return NULL;
}

static inline int rel_write_file(const char *path, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int fd, n, r;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = write(fd, buf, n);
	if (r != n) {
		int e = r < 0 ? errno : EIO;

		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/* Read a whole small file into buf (NUL-terminated); -1 on error. */
static inline int rel_read_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r, off = 0;

	if (fd < 0)
		return -1;
	while ((size_t)off < n - 1 && (r = read(fd, buf + off, n - 1 - off)) > 0)
		off += r;
	close(fd);
	buf[off] = 0;
	return 0;
}

static inline long long rel_read_ll(const char *path)
{
	char buf[64];

	if (rel_read_file(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 0);
}

/* A field of /proc/meminfo ("MemFree:") in KiB (-1 on error). */
static inline long long rel_meminfo_kb(const char *field)
{
	char buf[8192], *p;

	if (rel_read_file("/proc/meminfo", buf, sizeof(buf)))
		return -1;
	p = strstr(buf, field);
	return p ? strtoll(p + strlen(field), NULL, 10) : -1;
}

static inline long long rel_memfree_kb(void)
{
	return rel_meminfo_kb("MemFree:");
}

static inline double rel_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void rel_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* An ioctl number of our magic with any direction, nr and size. */
static inline unsigned long rel_ioc(unsigned dir, unsigned type, unsigned nr,
			     unsigned size)
{
	return _IOC(dir & 3, type & 0xff, nr & 0xff, size & _IOC_SIZEMASK);
}

static inline int rel_open_ctl(void)
{
	return open(UB_CTL_PATH, O_RDWR | O_CLOEXEC);
}

/* INFO into *info; 0 or -errno. */
static inline int rel_info(int fd, struct ub_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	if (ioctl(fd, UB_IOC_INFO, info))
		return -errno;
	return 0;
}

/* Index of the variant named NAME, or -1. */
static inline int rel_variant(const struct ub_info *info, const char *name)
{
	for (unsigned i = 0; i < info->nr_variants && i < UB_MAX_VARIANTS; i++)
		if (!strcmp(info->variants[i].name, name))
			return (int)i;
	return -1;
}

/* Mask of every variant that runs at GRANULE (UB_GRANULE_ANY included). */
static inline uint64_t rel_mask_for(const struct ub_info *info, unsigned granule)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < info->nr_variants && i < 64; i++)
		if (info->variants[i].granule == granule ||
		    info->variants[i].granule == UB_GRANULE_ANY)
			m |= 1ULL << i;
	return m;
}

/*
 * A run with buffers of the exact sizes it needs (from a first call that
 * gets ENOSPC), so the tests do not depend on how the module counts
 * variants. The buffers live as long as the process (tests are short).
 */
struct rel_run {
	struct ub_run r;
	uint32_t cpus[UB_MAX_THREADS];
	void *results, *samples, *hist;
};

static inline void rel_run_init(struct rel_run *x, const struct ub_info *info,
			 unsigned backend, unsigned granule, int node,
			 unsigned nthreads, const uint32_t *cpus,
			 uint64_t units, uint32_t rounds)
{
	memset(x, 0, sizeof(*x));
	x->r.size = sizeof(x->r);
	x->r.backend = backend;
	x->r.granule = granule;
	x->r.node = node;
	x->r.variant_mask = rel_mask_for(info, granule);
	x->r.nr_units = units;
	x->r.batch = 4;
	x->r.rounds = rounds;
	x->r.seed = 1;
	x->r.max_wall_ms = 30000;
	x->r.result_size = UB_RESULT_SIZE;
	x->r.sample_size = UB_SAMPLE_SIZE;
	x->r.nr_threads = nthreads;
	for (unsigned i = 0; i < nthreads && i < UB_MAX_THREADS; i++)
		x->cpus[i] = cpus ? cpus[i] : i;
	x->r.cpus = (uintptr_t)x->cpus;
}

/* Size the buffers (ENOSPC round trip), then the caller issues the RUN. */
static inline int rel_run_size(int fd, struct rel_run *x, int want_samples,
			int want_hist)
{
	struct ub_run probe = x->r;

	probe.results = 0;
	probe.results_len = 0;
	probe.samples = want_samples ? 1 : 0;	/* non-NULL: asked for */
	probe.samples_len = 0;
	probe.hist = want_hist ? 1 : 0;
	probe.hist_len = 0;
	if (ioctl(fd, UB_IOC_RUN, &probe) == 0)
		return -EPROTO;		/* a run without a results buffer ran */
	if (errno != ENOSPC) {
		int e = errno;

		memcpy(x->r.reason, probe.reason, sizeof(x->r.reason));
		x->r.status = probe.status;
		return -e;
	}
	free(x->results);
	free(x->samples);
	free(x->hist);
	x->results = calloc(1, probe.results_needed + 1);
	x->samples = want_samples ? calloc(1, probe.samples_needed + 1) : NULL;
	x->hist = want_hist ? calloc(1, probe.hist_needed + 1) : NULL;
	x->r.results = (uintptr_t)x->results;
	x->r.results_len = probe.results_needed;
	x->r.samples = (uintptr_t)x->samples;
	x->r.samples_len = want_samples ? probe.samples_needed : 0;
	x->r.hist = (uintptr_t)x->hist;
	x->r.hist_len = want_hist ? probe.hist_needed : 0;
	return 0;
}

/* RUN; 0 or -errno. */
static inline int rel_run_do(int fd, struct rel_run *x)
{
	x->r.size = sizeof(x->r);
	x->r.cpus = (uintptr_t)x->cpus;
	if (ioctl(fd, UB_IOC_RUN, &x->r))
		return -errno;
	return 0;
}

/* Does /proc/modules list unmap_bench? */
static inline int rel_module_loaded(void)
{
	char buf[16384];

	if (rel_read_file("/proc/modules", buf, sizeof(buf)))
		return 0;
	return !strncmp(buf, "unmap_bench ", 12) || strstr(buf, "\nunmap_bench ");
}

static inline int rel_delete_module(const char *name, int flags)
{
	return (int)syscall(SYS_delete_module, name, flags);
}

/* The module's kernel threads alive now (comm "unmap_bench*"), their
 * names comma-separated in NAMES when given; -1 if /proc is unreadable. */
static inline int rel_module_threads(char *names, size_t n)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int cnt = 0;
	size_t off = 0;

	if (names && n)
		names[0] = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[300], comm[64];

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (rel_read_file(path, comm, sizeof(comm)))
			continue;
		comm[strcspn(comm, "\n")] = 0;
		if (strncmp(comm, "unmap_bench", 11))
			continue;
		cnt++;
		if (names && off + strlen(comm) + 2 < n)
			off += snprintf(names + off, n - off, "%s%s", off ? "," : "", comm);
	}
	closedir(d);
	return cnt;
}

#endif
