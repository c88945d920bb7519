// SPDX-License-Identifier: GPL-2.0
/* The caller side of every variant over the model backend's wrappers. */
#define UB_BK model
#include "ub_ops_backend.h"
