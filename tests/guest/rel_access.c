// SPDX-License-Identifier: GPL-2.0
/*
 * rel_access: who may drive the module (issue 8).
 *
 * Checks, as root in the guest:
 *  - the ctl file is a regular file, mode 0600, owner root:root;
 *  - a child that became nobody (setuid 65534, no capabilities) cannot
 *    open it (EACCES or EPERM);
 *  - a child that inherited an fd opened by root and then became nobody
 *    gets EPERM from INFO and RUN (every ioctl checks CAP_SYS_ADMIN, so
 *    a leaked fd is no way in);
 *  - a child that stays uid 0 but drops CAP_SYS_ADMIN can open the file
 *    (DAC allows root) yet gets EPERM from INFO and RUN;
 *  - a child in a new user namespace (CAP_SYS_ADMIN there, not in the
 *    initial namespace) gets EPERM (skipped without user namespaces).
 * Prints "ACCESS-SUMMARY ..." for the documentation.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>

#include "rel_common.h"

/* Result of one probe in a child: open errno, INFO errno, RUN errno. */
struct probe { int open_err, info_err, run_err; };

static int do_ioctls(int fd, struct probe *p)
{
	struct ub_info info;
	struct ub_run r;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	p->info_err = ioctl(fd, UB_IOC_INFO, &info) ? errno : 0;
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	p->run_err = ioctl(fd, UB_IOC_RUN, &r) ? errno : 0;
	return 0;
}

static int become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -1;
	return 0;
}

static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	for (int i = 0; i < 2; i++) {
		unsigned bit = CAP_SYS_ADMIN;

		if (bit / 32 == (unsigned)i) {
			d[i].effective &= ~(1U << (bit % 32));
			d[i].permitted &= ~(1U << (bit % 32));
			d[i].inheritable &= ~(1U << (bit % 32));
		}
	}
	return (int)syscall(SYS_capset, &h, d);
}

enum how { NOBODY_OPEN, NOBODY_INHERIT, NOCAP_OPEN, USERNS_INHERIT };

/* Run one probe in a child; -1 if the child could not set itself up. */
static int probe(enum how how, struct probe *out)
{
	int pfd[2], fd = -1, st;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	if (how == NOBODY_INHERIT || how == USERNS_INHERIT) {
		fd = open(UB_CTL_PATH, O_RDWR);
		if (fd < 0)
			return -1;
	}
	pid = fork();
	if (!pid) {
		struct probe p = { -1, -1, -1 };
		int setup = 0;

		close(pfd[0]);
		switch (how) {
		case NOBODY_OPEN:
			setup = become_nobody();
			if (!setup) {
				fd = open(UB_CTL_PATH, O_RDWR);
				p.open_err = fd < 0 ? errno : 0;
				if (fd >= 0)
					do_ioctls(fd, &p);
			}
			break;
		case NOBODY_INHERIT:
			setup = become_nobody();
			if (!setup)
				do_ioctls(fd, &p);
			break;
		case NOCAP_OPEN:
			setup = drop_sys_admin();
			if (!setup) {
				fd = open(UB_CTL_PATH, O_RDWR);
				p.open_err = fd < 0 ? errno : 0;
				if (fd >= 0)
					do_ioctls(fd, &p);
			}
			break;
		case USERNS_INHERIT:
			setup = unshare(CLONE_NEWUSER);
			if (!setup)
				do_ioctls(fd, &p);
			else
				p.open_err = errno;	/* why unshare failed */
			break;
		}
		if (setup && how != USERNS_INHERIT)
			_exit(3);
		if (write(pfd[1], &p, sizeof(p)) != sizeof(p))
			_exit(4);
		_exit(setup ? 5 : 0);
	}
	close(pfd[1]);
	if (fd >= 0)
		close(fd);
	if (read(pfd[0], out, sizeof(*out)) != sizeof(*out))
		memset(out, 0xff, sizeof(*out));
	close(pfd[0]);
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 5)
		return 1;		/* setup refused (e.g. no user namespaces) */
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int denied(int e) { return e == EACCES || e == EPERM; }

int main(void)
{
	struct probe p;
	struct stat st;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (stat(UB_CTL_PATH, &st)) {
		rel_tap(0, "access: %s: %s", UB_CTL_PATH, strerror(errno));
		return 1;
	}
	rel_tap(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600 &&
		st.st_uid == 0 && st.st_gid == 0,
		"access: ctl file is a regular file, mode 0600, root:root (mode %04o, "
		"%u:%u)", st.st_mode & 07777, st.st_uid, st.st_gid);
	if (!stat("/sys/kernel/debug", &st))
		rel_note("debugfs mount point mode %04o", st.st_mode & 07777);

	r = probe(NOBODY_OPEN, &p);
	rel_tap(r == 0 && denied(p.open_err),
		"access: uid 65534 cannot open the ctl file (%s)",
		r ? "child setup failed" : rel_errname(p.open_err));

	r = probe(NOBODY_INHERIT, &p);
	rel_tap(r == 0 && p.info_err == EPERM && p.run_err == EPERM,
		"access: uid 65534 with an fd root opened: INFO %s, RUN %s (want EPERM)",
		r ? "?" : rel_errname(p.info_err), r ? "?" : rel_errname(p.run_err));

	r = probe(NOCAP_OPEN, &p);
	rel_tap(r == 0 && p.open_err == 0 && p.info_err == EPERM && p.run_err == EPERM,
		"access: uid 0 without CAP_SYS_ADMIN: open %s, INFO %s, RUN %s "
		"(want open ok, EPERM)", r ? "?" : rel_errname(p.open_err),
		r ? "?" : rel_errname(p.info_err), r ? "?" : rel_errname(p.run_err));

	r = probe(USERNS_INHERIT, &p);
	if (r == 1)
		rel_skip("access: CAP_SYS_ADMIN in a user namespace is not enough",
			 "unshare(CLONE_NEWUSER): %s", rel_errname(p.open_err));
	else
		rel_tap(r == 0 && p.info_err == EPERM && p.run_err == EPERM,
			"access: CAP_SYS_ADMIN in a new user namespace only: INFO %s, "
			"RUN %s (want EPERM)", r ? "?" : rel_errname(p.info_err),
			r ? "?" : rel_errname(p.run_err));
	printf("ACCESS-SUMMARY ctl=%s mode=0600 owner=root:root nonroot_open=denied "
	       "ioctl_without_CAP_SYS_ADMIN=EPERM\n", UB_CTL_PATH);
	return rel_failed;
}
