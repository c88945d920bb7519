/* SPDX-License-Identifier: GPL-2.0 */
/* guest.h: teardown/guest.c, a guest's life: create, trigger, release. */
#ifndef UB_TD_GUEST_H
#define UB_TD_GUEST_H

#include "teardown/guest_state.h"

/* guest.c: create (VM, memory, memslots, vCPUs; TDX steps), the
 * trigger, release (the last close destroys it). */
int  guest_create(struct guest *g, int kvm_fd, const struct kvm_cpuid2 *cpuid,
		  struct ubk_err *e);
void guest_trigger(struct guest *g);
void guest_release(struct guest *g);

#endif
