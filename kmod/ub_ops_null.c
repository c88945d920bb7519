// SPDX-License-Identifier: GPL-2.0
/* The caller side of every variant over the null backend's wrappers. */
#define UB_BK null
#include "ub_ops_backend.h"
