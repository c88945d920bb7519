/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's portable code run natively: ub_user_ioctl() answers
 * UB_IOC_INFO and UB_IOC_RUN in the calling process exactly as the
 * module's ioctl does (same size rules, same checks, errnos and reasons,
 * same engine, schedule and variant table), with the null backend only,
 * userspace threads pinned to the CPUs asked for, and a stand-in memmap
 * (struct page is 64 bytes and the memmap base a variable, so the page
 * shape costs what it costs in the kernel: "shl $6; add base" and
 * "sub base; sar $6").
 *
 * Its figures are real measurements of the null backend's code in
 * userspace, not of the kernel: preemption and IRQs are not controlled
 * (UB_RUN_IRQ_OFF is accepted and cannot be honoured; runs say so), there
 * is no model or tdx backend, and memory placement is not controlled (the
 * null backend reads no page data). It is also the harness's test double
 * of the module: it cannot drift from the module because it is the
 * module's own code.
 */
#ifndef UB_USER_H
#define UB_USER_H

/*
 * The ioctl, natively: 0, or -1 with errno set and (for RUN) reason[]
 * filled, as ioctl(2) on the module's control file.
 */
int ub_user_ioctl(unsigned long cmd, void *arg);

/*
 * Stop requests: @fn is polled before every batch and at every lockstep
 * barrier; non-zero stops the run as a signal stops the module's (status
 * UB_STATUS_SIGNAL). NULL: only the wall cap stops a run.
 */
void ub_user_set_stop(int (*fn)(void));

/* Version text INFO reports as module_version (default "native"). */
void ub_user_set_version(const char *version);

#endif /* UB_USER_H */
