// SPDX-License-Identifier: LGPL-2.1-or-later
/* The portable IOQ ring, compiled for userspace: see kmod/ioq/ioq.c. */
#include "ioq/ioq.c"
