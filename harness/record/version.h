/* SPDX-License-Identifier: GPL-2.0 */
/* version.h: the suite version (VERSION at the top of the tree). */
#ifndef UB_VERSION_H
#define UB_VERSION_H

#ifndef UB_VERSION
#define UB_VERSION "unknown"
#endif

#endif
