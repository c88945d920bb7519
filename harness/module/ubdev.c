// SPDX-License-Identifier: GPL-2.0
/* ubdev.c: open the module's ctl file, INFO and RUN, with clear errors. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module/ubdev.h"
#include "record/log.h"
#include "record/opts.h"
#include "record/rundir.h"
#include "user/ub_user.h"
#include "record/version.h"
#include "record/schema.h"
#include "record/util.h"

static const char *const insn_names[] = {
	"clflush", "clflushopt", "movdir64b", "movnti", "sfence", "mfence",
	"seamcall", "rdtsc", "ktime",
};

/* Natively the engine's timers are RDTSCP and CLOCK_MONOTONIC. */
static const char *const insn_names_native[] = {
	"clflush", "clflushopt", "movdir64b", "movnti", "sfence", "mfence",
	"seamcall", "rdtscp", "clock_gettime",
};

static unsigned ub_where_set = UINT32_MAX;	/* not chosen yet */

static char *join_bits(unsigned bits, const char *const *names, size_t nn,
		       char sep, const char *none, char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < 32; i++) {
		int w;

		if (!(bits & (1U << i)))
			continue;
		if (i < nn)
			w = snprintf(buf + off, n - off, "%s%s", off ? (char[]){ sep, 0 } : "",
				     names[i]);
		else
			w = snprintf(buf + off, n - off, "%sbit%zu",
				     off ? (char[]){ sep, 0 } : "", i);
		if (w < 0 || (size_t)w >= n - off)
			break;
		off += (size_t)w;
	}
	if (!off)
		ub_strlcpy(buf, none, n);
	return buf;
}

char *ub_insns_str(unsigned insns, unsigned where, char *buf, size_t n)
{
	return join_bits(insns, where == UB_WHERE_NATIVE ? insn_names_native :
			 insn_names, UB_ARRAY_SIZE(insn_names), ';', "", buf, n);
}

char *ub_bits_str(unsigned mask, int en, char *buf, size_t n)
{
	const char *names[32];
	size_t nn = 0;

	while (nn < 32 && ub_name(en, (unsigned)nn)) {
		names[nn] = ub_name(en, (unsigned)nn);
		nn++;
	}
	return join_bits(mask, names, nn, ';', "", buf, n);
}

unsigned ubdev_where(void)
{
	const char *e = getenv("UB_WHERE");

	if (ub_where_set != UINT32_MAX)
		return ub_where_set;
	return e && !strcmp(e, "native") ? UB_WHERE_NATIVE : UB_WHERE_MODULE;
}

int ubdev_set_where(unsigned where)
{
	if (ub_where_set != UINT32_MAX && ub_where_set != where)
		return ub_opt_fail("--where: one run directory runs in one place "
				   "(%s already chosen, %s asked)",
				   ub_name_or(UB_ENUM_where, ub_where_set),
				   ub_name_or(UB_ENUM_where, where));
	ub_where_set = where;
	return 0;
}

char *ub_status_str(unsigned status, char *buf, size_t n)
{
	static const char *const names[] = { "wall_cap", "signal", "irqoff_clamp" };

	return join_bits(status, names, UB_ARRAY_SIZE(names), ';', "ok", buf, n);
}

char *ub_backends_str(unsigned mask, char *buf, size_t n)
{
	const char *names[UB_BACKEND_NR];

	for (unsigned b = 0; b < UB_BACKEND_NR; b++)
		names[b] = ub_name_or(UB_ENUM_backend_req, b);
	return join_bits(mask, names, UB_BACKEND_NR, ',', "none", buf, n);
}

static int dir_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int debugfs_mounted(void)
{
	char *m = ub_read_file("/proc/mounts", 0);
	int r = m && strstr(m, " /sys/kernel/debug debugfs ");

	free(m);
	return r;
}

/* Explain why the ctl file could not be opened (errno E). */
static void explain_open(struct ub_modstatus *mi, int e)
{
	int module_dir = dir_exists("/sys/module/unmap_bench");

	mi->loaded = module_dir;
	if (access("/proc/modules", F_OK) && !module_dir) {
		snprintf(mi->why, sizeof(mi->why),
			 "module not loaded: this kernel was built without "
			 "module support (no /proc/modules), so unmap_bench.ko "
			 "cannot be loaded here; run the suite in the testbed "
			 "with 'make vm-bench'");
		return;
	}
	if (e == EACCES || e == EPERM) {
		snprintf(mi->why, sizeof(mi->why),
			 "%s: %s: the module's control file is root-only "
			 "(debugfs, CAP_SYS_ADMIN): run as root%s",
			 UB_CTL_PATH, strerror(e),
			 module_dir ? "" : " (and the module may not be loaded: "
			 UB_INSMOD_HINT ")");
		return;
	}
	if (module_dir && !debugfs_mounted()) {
		snprintf(mi->why, sizeof(mi->why),
			 "the unmap_bench module is loaded but debugfs is not "
			 "mounted: mount -t debugfs none /sys/kernel/debug");
		return;
	}
	if (!module_dir) {
		snprintf(mi->why, sizeof(mi->why),
			 "module not loaded (no /sys/module/unmap_bench): "
			 UB_INSMOD_HINT);
		return;
	}
	snprintf(mi->why, sizeof(mi->why), "%s: %s (module loaded but its "
		 "control file is missing: reload it)", UB_CTL_PATH, strerror(e));
}

/* The ioctl where the device is: 0, or -1 with errno. */
static int dev_ioctl(const struct ubdev *d, unsigned long cmd, void *arg)
{
	if (d->where == UB_WHERE_NATIVE)
		return ub_user_ioctl(cmd, arg);
	return ioctl(d->fd, cmd, arg);
}

static int native_stop(void)
{
	return ub_signal_pending() != 0;
}

static int do_info(const struct ubdev *d, struct ub_modstatus *mi)
{
	memset(&mi->info, 0, sizeof(mi->info));
	mi->info.size = sizeof(mi->info);
	if (dev_ioctl(d, UB_IOC_INFO, &mi->info)) {
		int e = errno;

		if (e == ENOTTY || e == EINVAL || e == E2BIG)
			snprintf(mi->why, sizeof(mi->why),
				 "UB_IOC_INFO failed: %s: the loaded module does "
				 "not speak this harness's ABI (struct ub_info "
				 "of %zu bytes, ABI %d): rebuild module and "
				 "harness from the same tree and reload the module",
				 strerror(e), sizeof(mi->info), UB_ABI_VERSION);
		else
			snprintf(mi->why, sizeof(mi->why),
				 "UB_IOC_INFO failed: %s", strerror(e));
		errno = e;
		return -1;
	}
	if (mi->info.abi_version != UB_ABI_VERSION) {
		snprintf(mi->why, sizeof(mi->why),
			 "ABI mismatch: the loaded module has ABI version %u, "
			 "this harness was built for %d: rebuild both from the "
			 "same tree (make kmod harness) and reload the module",
			 mi->info.abi_version, UB_ABI_VERSION);
		errno = EPROTO;
		return -1;
	}
	if (mi->info.nr_variants > UB_MAX_VARIANTS)
		mi->info.nr_variants = UB_MAX_VARIANTS;
	mi->info.module_version[UB_NAME_LEN - 1] = 0;
	mi->info.tdx_reason[UB_REASON_LEN - 1] = 0;
	mi->info.auto_reason[UB_REASON_LEN - 1] = 0;
	mi->info.build[UB_BUILD_LEN - 1] = 0;
	for (unsigned i = 0; i < mi->info.nr_variants; i++)
		mi->info.variants[i].name[UB_NAME_LEN - 1] = 0;
	mi->usable = 1;
	return 0;
}

int ubdev_open(struct ubdev *d, int quiet)
{
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->where = d->mi.where = ubdev_where();
	if (d->where == UB_WHERE_NATIVE) {
		ub_user_set_version("native " UB_VERSION);
		ub_user_set_stop(native_stop);
		d->mi.loaded = 1;
		if (do_info(d, &d->mi))
			goto fail;
		return 0;
	}
	d->fd = open(UB_CTL_PATH, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		explain_open(&d->mi, errno);
		goto fail;
	}
	d->mi.loaded = 1;
	if (do_info(d, &d->mi)) {
		close(d->fd);
		d->fd = -1;
		goto fail;
	}
	return 0;
fail:
	if (!quiet)
		ub_err("%s", d->mi.why);
	return -1;
}

void ubdev_close(struct ubdev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

void ubdev_probe(struct ub_modstatus *mi)
{
	struct ubdev d;

	ubdev_open(&d, 1);
	*mi = d.mi;
	ubdev_close(&d);
}

int ubdev_run(struct ubdev *d, struct ub_run *r)
{
	int rc;

	r->size = sizeof(*r);
	r->reason[0] = 0;
	r->result_size = UB_RESULT_SIZE;
	r->sample_size = UB_SAMPLE_SIZE;
	rc = dev_ioctl(d, UB_IOC_RUN, r);
	r->reason[UB_REASON_LEN - 1] = 0;
	r->pmu_reason[UB_REASON_LEN - 1] = 0;
	return rc ? -1 : 0;
}

int ubdev_progress(struct ubdev *d, struct ub_run_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	return dev_ioctl(d, UB_IOC_PROGRESS, p) ? -1 : 0;
}
