/* SPDX-License-Identifier: GPL-2.0 */
/* touch.h: teardown/touch.c, --populate touch: a guest that writes its memory. */
#ifndef UB_TD_TOUCH_H
#define UB_TD_TOUCH_H

#include "record/progress.h"
#include "teardown/guest_state.h"

/*
 * touch.c, --populate touch. touch_setup_vm(): the control pages and
 * their memslot SLOT (after the guest memory's slots, before the vCPUs);
 * touch_setup_vcpu(): vCPU I's long-mode state, its kvm_run and stats fd.
 * touch_populate(): run every vCPU of GS[0..N-1] until each has written
 * and verified its share and is halted in KVM_RUN; 0, -1 (guest_fail
 * says why) or 130 (signal). touch_stop(): make the vCPUs leave KVM_RUN
 * and join them (idempotent); touch_free(): that, and the control pages.
 */
int  touch_setup_vm(struct guest *g, uint32_t slot, struct ubk_err *e);
int  touch_setup_vcpu(struct guest *g, unsigned i, int kvm_fd, struct ubk_err *e);
int  touch_populate(struct guest *gs, unsigned n, struct ub_progress *pr,
		    const char *note);
void touch_stop(struct guest *g);
/*
 * A vCPU's last beat BEAT (ns) is older than LIMIT_NS at NOW. A beat the
 * vCPU stored after NOW was read counts as fresh: unsigned NOW - BEAT
 * would wrap to a huge age and call a running vCPU lost.
 */
int  touch_beat_stale(uint64_t beat, uint64_t now, uint64_t limit_ns);
void touch_free(struct guest *g);

#endif
