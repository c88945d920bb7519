/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instantiate the template UB_TEMPLATE once per layout replica, with
 * UB_REP set to 0..UB_NR_REPLICAS-1 and UB_REP_PAD to its entry offset
 * (8 x UB_REP, see UB_REPLICA_ENTRY). UB_BK, where the template uses it,
 * is set by the includer. No include guard: included once per template.
 */
#define UB_REP 0
#define UB_REP_PAD 0
#include UB_TEMPLATE
#undef UB_REP_PAD
#undef UB_REP
#define UB_REP 1
#define UB_REP_PAD 8
#include UB_TEMPLATE
#undef UB_REP_PAD
#undef UB_REP
#define UB_REP 2
#define UB_REP_PAD 16
#include UB_TEMPLATE
#undef UB_REP_PAD
#undef UB_REP
#define UB_REP 3
#define UB_REP_PAD 24
#include UB_TEMPLATE
#undef UB_REP_PAD
#undef UB_REP
#define UB_REP 4
#define UB_REP_PAD 32
#include UB_TEMPLATE
#undef UB_REP_PAD
#undef UB_REP
#define UB_REP 5
#define UB_REP_PAD 40
#include UB_TEMPLATE
#undef UB_REP_PAD
#undef UB_REP
#define UB_REP 6
#define UB_REP_PAD 48
#include UB_TEMPLATE
#undef UB_REP_PAD
#undef UB_REP
#define UB_REP 7
#define UB_REP_PAD 56
#include UB_TEMPLATE
#undef UB_REP_PAD
#undef UB_REP
