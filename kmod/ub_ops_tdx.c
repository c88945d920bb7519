// SPDX-License-Identifier: GPL-2.0
/* The caller side of every variant over the tdx backend's wrappers. */
#define UB_BK tdx
#include "ub_ops_backend.h"
