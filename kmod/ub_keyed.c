// SPDX-License-Identifier: GPL-2.0
/* Path "convert": every replica of the keyed-address functions (ub_keyed.h). */
#include "ub_core.h"

#define UB_TEMPLATE "ub_keyed.h"
#include "ub_each_replica.h"
