// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_ioctl: random and mutated UB_IOC_RUN / UB_IOC_INFO requests against
 * /sys/kernel/debug/unmap_bench/ctl from several processes at once
 * (issue 8).
 *
 * usage: fuzz_ioctl [-n REQUESTS] [-w WORKERS] [-s SEED] [-V PERCENT]
 *                   [-t SECONDS] [-x WORKER:INDEX] [-v]
 *   -n  requests in total, split over the workers (default 20000)
 *   -w  worker processes, each with its own fd (default 4)
 *   -s  seed (default: from the clock; always printed). The requests a
 *       worker makes depend only on the seed, its index and the module's
 *       variant table, never on earlier answers: rerun with the same -s,
 *       -w and -n to get the same requests.
 *   -V  share of RUN requests left unmutated (valid), in percent (5)
 *   -t  a request taking longer than this is a hang (default 120 s)
 *   -x  replay one request (worker W, 0-based index I) verbosely
 *
 * Every request is either a valid small RUN (tiny nr_units and rounds, a
 * short wall cap, so it finishes fast under TCG) or a valid one with one
 * to four fields mutated: flags, enums, counts, node, CPUs, variant mask,
 * batch/rounds, the size field, the struct size in the ioctl number
 * (undersize, oversize with a zero or nonzero tail), and every pointer
 * (struct, cpus, results, samples, hist): NULL, unmapped (munmap'd),
 * read-only, kernel addresses, non-canonical, straddling a PROT_NONE
 * page, too short. INFO requests get the same size and pointer
 * mutations; a share of requests use random ioctl numbers near ours.
 *
 * Checks, per request:
 *  - the return is 0 or an errno the module documents (kmod/ub_main.c,
 *    kmod/ub_run.c, kmod/uapi/unmap_bench.h): EPERM ENOTTY EINVAL EFAULT
 *    E2BIG ENOMEM EOPNOTSUPP ERANGE ENOSPC ENODEV ENXIO ESRCH EBUSY;
 *    anything else fails (EIO only comes from a failing SEAMCALL and
 *    there is no TDX here; EINTR only with a fatal signal);
 *  - directed mutations get the errno the uapi header promises (size
 *    field != ioctl size: EINVAL; nonzero tail: E2BIG; unreadable struct:
 *    EFAULT; foreign magic: ENOTTY; tdx backend without TDX: ENODEV; no
 *    results buffer: ENOSPC);
 *  - a refused RUN whose struct was readable and writable carries a
 *    NUL-terminated, non-empty reason (EINVAL ERANGE ENOSPC ENODEV ENXIO
 *    ESRCH EOPNOTSUPP EBUSY);
 *  - a successful RUN wrote nothing outside its buffers (canaries on both
 *    sides), and its outputs hold: nr_selected, backend_used, rounds_done,
 *    batch_used, results naming selected variants, their thread, CPU and
 *    node, and page/pfn shapes of a path visiting the same PFNs;
 *  - no request hangs (alarm per request), no worker dies.
 * Prints TAP lines and the errno histogram per request kind.
 */
#define _GNU_SOURCE
#include <signal.h>

#include "rel_common.h"

#define PAGE 4096UL
#define CANARY 0xA5
#define CANARY_LEN 64
#define ARENA_SIZE (4UL << 20)
#define MAX_IOC_SIZE 16383U		/* 14-bit size field of an ioctl number */
#define MAX_MSGS 12			/* failure lines per worker */

enum kind { K_INFO, K_RUN, K_OTHER, K_NR };
static const char *const kind_name[K_NR] = { "INFO", "RUN", "other-ioctl" };

#define NERR 160
struct shared {
	uint64_t cnt[K_NR][NERR];
	uint64_t tried, undocumented, wrong_errno, no_reason, canary,
		 invariant, valid_ok, valid_tried, busy_retries;
	int msgs[64];
	double progress[64];	/* when each worker last finished a request */
};
static struct shared *sh;

/* Errnos the module documents; see the header comment. */
static int documented(int e)
{
	switch (e) {
	case 0: case EPERM: case ENOTTY: case EINVAL: case EFAULT: case E2BIG:
	case ENOMEM: case EOPNOTSUPP: case ERANGE: case ENOSPC: case ENODEV:
	case ENXIO: case ESRCH: case EBUSY:
		return 1;
	}
	return 0;
}

static int wants_reason(int e)
{
	switch (e) {
	case EINVAL: case ERANGE: case ENOSPC: case ENODEV: case ENXIO:
	case ESRCH: case EOPNOTSUPP: case EBUSY:
		return 1;
	}
	return 0;
}

/* xorshift64*: small, seedable, the same everywhere. */
struct rng { uint64_t s; };
static uint64_t rnd(struct rng *g)
{
	uint64_t x = g->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->s = x;
	return x * 0x2545F4914F6CDD1DULL;
}
static uint64_t below(struct rng *g, uint64_t n) { return n ? rnd(g) % n : 0; }
static int chance(struct rng *g, unsigned pct) { return below(g, 100) < pct; }

static struct ub_info info;
static uint64_t mask4k, mask2m;
static int ncpus_online;
static int verbose;

/* Per-worker memory. */
struct mem {
	uint8_t *arena;		/* RW buffers with canaries */
	size_t arena_off;
	uint8_t *guard;		/* [RW][NONE][RO][unmapped] */
	uint8_t *sbuf;		/* struct area: RW, MAX_IOC_SIZE + slack */
	uint8_t *sro;		/* a read-only copy of the struct */
};

enum ptrkind {
	P_OK, P_NULL, P_UNMAPPED, P_RO, P_KERNEL, P_NONCANON, P_STRADDLE,
	P_SHORT, P_NR
};
static const char *const ptrkind_name[P_NR] = {
	"ok", "NULL", "unmapped", "read-only", "kernel", "non-canonical",
	"straddling", "short"
};

struct req {
	enum kind kind;
	unsigned long cmd;
	unsigned usize;		/* size in the ioctl number */
	int struct_ptr;		/* enum ptrkind for the struct itself */
	int tail_nonzero;
	int nmut;
	char what[160];		/* mutations applied, for messages */
	/* directed expectation: 0 = none, else the errno */
	int expect;
	/* RUN */
	struct ub_run r;
	uint32_t cpus[UB_MAX_THREADS + 8];
	int cpus_ptr;
	int buf_kind[3];	/* results, samples, hist: enum ptrkind */
	int want[3];
	int size_field_changed;
	int extra_info;		/* INFO: oversize/undersize */
};

static uint64_t kernel_addr(struct rng *g)
{
	static const uint64_t base[] = {
		0xffff888000000000ULL, 0xffffffff81000000ULL,
		0xffffc90000000000ULL, 0xffffea0000000000ULL,
	};
	return base[below(g, 4)] + (below(g, 1 << 20) << 3);
}

static uint64_t bad_ptr(struct rng *g, struct mem *m, int kind, size_t len)
{
	switch (kind) {
	case P_NULL: return 0;
	case P_UNMAPPED: return (uintptr_t)(m->guard + 3 * PAGE) + below(g, 64);
	case P_RO: return (uintptr_t)(m->guard + 2 * PAGE);
	case P_KERNEL: return kernel_addr(g);
	case P_NONCANON: return 0x8000000000000000ULL + (below(g, 1 << 20) << 12);
	case P_STRADDLE: {
		size_t in = len > 1 ? 1 + below(g, len - 1 < 64 ? len - 1 : 64) : 0;

		return (uintptr_t)(m->guard + PAGE - in);
	}
	}
	return 0;
}

/* Carve LEN bytes out of the arena, canaries on both sides. */
static uint8_t *carve(struct mem *m, size_t len)
{
	size_t need = (len + 2 * CANARY_LEN + 63) & ~63UL;
	uint8_t *p;

	if (m->arena_off + need > ARENA_SIZE)
		return NULL;
	p = m->arena + m->arena_off;
	m->arena_off += need;
	memset(p, CANARY, CANARY_LEN);
	memset(p + CANARY_LEN, 0, len);
	memset(p + CANARY_LEN + len, CANARY, CANARY_LEN);
	return p + CANARY_LEN;
}

static int canary_ok(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < CANARY_LEN; i++)
		if (p[-1 - (long)i] != CANARY || p[len + i] != CANARY)
			return 0;
	return 1;
}

static void addwhat(struct req *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void addwhat(struct req *q, const char *fmt, ...)
{
	size_t n = strlen(q->what);
	va_list ap;

	if (n + 2 >= sizeof(q->what))
		return;
	if (n)
		q->what[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(q->what + n, sizeof(q->what) - n, fmt, ap);
	va_end(ap);
}

static unsigned popcount64(uint64_t v) { return (unsigned)__builtin_popcountll(v); }

/* Sizes a RUN needs, the module's way (ub_check_buffers). */
static void needed(const struct ub_run *r, uint64_t *res, uint64_t *smp,
		   uint64_t *hist)
{
	uint64_t appl = r->granule == UB_GRANULE_2M ? mask2m : mask4k;
	uint64_t nsel = popcount64(r->variant_mask & appl);
	uint64_t t = r->nr_threads;

	*res = t * nsel * sizeof(struct ub_result);
	*smp = t * r->rounds * nsel * sizeof(struct ub_sample);
	*hist = t * nsel * UB_HIST_BUCKETS * sizeof(uint32_t);
}

static void gen_valid_run(struct rng *g, struct req *q)
{
	struct ub_run *r = &q->r;
	uint64_t appl;

	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->backend = chance(g, 50) ? UB_BACKEND_NULL :
		     chance(g, 60) ? UB_BACKEND_MODEL : UB_BACKEND_AUTO;
	r->reset_mode = below(g, 2);
	r->cache_state = below(g, 2);
	r->granule = chance(g, 80) ? UB_GRANULE_4K : UB_GRANULE_2M;
	r->timer = chance(g, 80) ? UB_TIMER_TSC : UB_TIMER_KTIME;
	r->node = below(g, 2);
	appl = r->granule == UB_GRANULE_2M ? mask2m : mask4k;
	do {
		r->variant_mask = rnd(g) & appl;
	} while (!r->variant_mask);
	r->nr_units = r->granule == UB_GRANULE_2M ? 1 + below(g, 2) : 1 + below(g, 8);
	r->batch = 1 + below(g, 8);
	r->rounds = 1 + below(g, 3);
	r->seed = rnd(g);
	if (chance(g, 15)) {
		r->flags = UB_RUN_IRQ_OFF;
		r->max_irqoff_ns = chance(g, 50) ? 0 : 1 + below(g, 1000000);
	}
	r->max_wall_ms = 50 + below(g, 450);
	r->warmup = below(g, 3);
	r->replicas = below(g, UB_NR_REPLICAS + 1);
	r->result_size = UB_RESULT_SIZE;
	r->sample_size = UB_SAMPLE_SIZE;
	if (chance(g, 10))
		r->flags |= UB_RUN_PMU;
	r->nr_threads = ncpus_online >= 2 && chance(g, 40) ? 2 : 1;
	q->cpus[0] = below(g, ncpus_online >= 2 ? 2 : 1);
	q->cpus[1] = !q->cpus[0];
	q->cpus_ptr = P_OK;
	q->want[0] = 1;
	q->want[1] = chance(g, 40);
	q->want[2] = chance(g, 25);
	for (int i = 0; i < 3; i++)
		q->buf_kind[i] = P_OK;
	q->usize = sizeof(struct ub_run);
	q->struct_ptr = P_OK;
}

static uint32_t pick_u32(struct rng *g, const uint32_t *v, size_t n)
{
	size_t i = below(g, n + 1);

	return i < n ? v[i] : (uint32_t)rnd(g);
}

static void mutate_run(struct rng *g, struct req *q, int only)
{
	struct ub_run *r = &q->r;
	int m = only >= 0 ? only : (int)below(g, 28);

	switch (m) {
	case 0: {
		static const uint32_t v[] = { 2, 4, 0x80000000u, 0xffffffffu, 3 };

		r->flags = pick_u32(g, v, REL_ARRAY_SIZE(v));
		addwhat(q, "flags=%#x", r->flags);
		break;
	}
	case 1: {
		static const uint32_t v[] = { UB_BACKEND_TDX, UB_BACKEND_NR, 5,
					      0xffffffffu, 0x80000000u };

		r->backend = pick_u32(g, v, REL_ARRAY_SIZE(v));
		addwhat(q, "backend=%u", r->backend);
		if (r->backend == UB_BACKEND_TDX &&
		    !(info.backends & (1U << UB_BACKEND_TDX)) && q->nmut == 1)
			q->expect = ENODEV;
		break;
	}
	case 2:
		r->reset_mode = chance(g, 50) ? 2 : (uint32_t)rnd(g) | 2;
		addwhat(q, "reset_mode=%u", r->reset_mode);
		break;
	case 3:
		r->cache_state = chance(g, 50) ? 2 : (uint32_t)rnd(g) | 2;
		addwhat(q, "cache_state=%u", r->cache_state);
		break;
	case 4: {
		static const uint32_t v[] = { UB_GRANULE_ANY, 3, UB_GRANULE_4K,
					      UB_GRANULE_2M, 0xffffffffu };

		r->granule = pick_u32(g, v, REL_ARRAY_SIZE(v));
		addwhat(q, "granule=%u", r->granule);
		break;
	}
	case 5:
		r->timer = chance(g, 50) ? 2 : (uint32_t)rnd(g) | 2;
		addwhat(q, "timer=%u", r->timer);
		break;
	case 6: {
		static const int32_t v[] = { -1, 2, 3, 63, 64, 1023, 1024,
					     INT32_MIN, INT32_MAX, -2 };
		size_t i = below(g, REL_ARRAY_SIZE(v) + 1);

		r->node = i < REL_ARRAY_SIZE(v) ? v[i] : (int32_t)rnd(g);
		addwhat(q, "node=%d", r->node);
		break;
	}
	case 7: {
		unsigned k = below(g, 6);

		r->variant_mask = k == 0 ? 0 : k == 1 ? ~0ULL : k == 2 ? 1ULL << 63 :
				  k == 3 ? (info.nr_variants < 64 ? 1ULL << info.nr_variants : 0) :
				  k == 4 ? 1ULL << below(g, 64) : rnd(g);
		addwhat(q, "variant_mask=%#" PRIx64, (uint64_t)r->variant_mask);
		break;
	}
	case 8: {
		static const uint64_t v[] = {
			0, 1ULL << 19, 1ULL << 20, (1ULL << 20) + 1, 2048, 2049,
			1ULL << 32, ~0ULL, 1ULL << 63,
		};
		size_t i = below(g, REL_ARRAY_SIZE(v) + 1);

		r->nr_units = i < REL_ARRAY_SIZE(v) ? v[i] : rnd(g);
		addwhat(q, "nr_units=%" PRIu64, (uint64_t)r->nr_units);
		break;
	}
	case 9: {
		static const uint32_t v[] = { 0, 1U << 16, (1U << 16) + 1,
					      0xffffffffu, 0x80000000u };

		r->batch = pick_u32(g, v, REL_ARRAY_SIZE(v));
		addwhat(q, "batch=%u", r->batch);
		break;
	}
	case 10: {
		static const uint32_t v[] = { 0, 1U << 20, (1U << 20) + 1,
					      0xffffffffu, 100000 };

		r->rounds = pick_u32(g, v, REL_ARRAY_SIZE(v));
		addwhat(q, "rounds=%u", r->rounds);
		break;
	}
	case 11:
		r->flags |= UB_RUN_IRQ_OFF;
		r->max_irqoff_ns = chance(g, 50) ? 1 + below(g, 3) : rnd(g);
		addwhat(q, "irq_off,max_irqoff_ns=%" PRIu64, (uint64_t)r->max_irqoff_ns);
		break;
	case 12: {
		static const uint64_t v[] = { 0, 1, 3600000ULL, 3600001ULL, ~0ULL };
		size_t i = below(g, REL_ARRAY_SIZE(v) + 1);

		r->max_wall_ms = i < REL_ARRAY_SIZE(v) ? v[i] : rnd(g);
		addwhat(q, "max_wall_ms=%" PRIu64, (uint64_t)r->max_wall_ms);
		break;
	}
	case 13: {
		static const uint32_t v[] = { 0, 3, 8, UB_MAX_THREADS,
					      UB_MAX_THREADS + 1, 0xffffffffu };

		r->nr_threads = pick_u32(g, v, REL_ARRAY_SIZE(v));
		for (unsigned i = 0; i < UB_MAX_THREADS + 8; i++)
			q->cpus[i] = i;
		addwhat(q, "nr_threads=%u", r->nr_threads);
		break;
	}
	case 14: {
		static const int k[] = { P_NULL, P_UNMAPPED, P_KERNEL, P_NONCANON,
					 P_STRADDLE, P_RO };

		q->cpus_ptr = k[below(g, REL_ARRAY_SIZE(k))];
		addwhat(q, "cpus=%s", ptrkind_name[q->cpus_ptr]);
		break;
	}
	case 15: {
		static const uint32_t v[] = { 2, 7, 8, 63, 64, 1000, 4096,
					      0xffffffffu, 0x80000000u };
		unsigned i = below(g, r->nr_threads && r->nr_threads <= UB_MAX_THREADS ?
				   r->nr_threads : 1);

		if (chance(g, 25) && r->nr_threads >= 2) {
			q->cpus[1] = q->cpus[0];
			addwhat(q, "cpus[1]=cpus[0]");
		} else {
			q->cpus[i] = pick_u32(g, v, REL_ARRAY_SIZE(v));
			addwhat(q, "cpus[%u]=%u", i, q->cpus[i]);
		}
		break;
	}
	case 16: case 17: case 18: {
		static const int k[] = { P_NULL, P_UNMAPPED, P_RO, P_KERNEL,
					 P_NONCANON, P_STRADDLE, P_SHORT };
		int b = m - 16;

		q->want[b] = 1;
		q->buf_kind[b] = k[below(g, REL_ARRAY_SIZE(k))];
		addwhat(q, "%s=%s", b == 0 ? "results" : b == 1 ? "samples" : "hist",
			ptrkind_name[q->buf_kind[b]]);
		if (b == 0 && q->nmut == 1 &&
		    (q->buf_kind[b] == P_NULL || q->buf_kind[b] == P_SHORT))
			q->expect = ENOSPC;
		break;
	}
	case 19: {
		uint32_t v[] = { 0, UB_RUN_SIZE_VER0 - 1, UB_RUN_SIZE_VER0 + 8, 8,
				 0xffffffffu };

		r->size = pick_u32(g, v, REL_ARRAY_SIZE(v));
		if (r->size == q->usize)
			r->size++;
		q->size_field_changed = 1;
		addwhat(q, "size_field=%u", r->size);
		if (q->nmut == 1)
			q->expect = EINVAL;
		break;
	}
	case 20: {
		unsigned k = below(g, 4);

		if (k == 0) {
			q->usize = below(g, UB_RUN_SIZE_VER0);
			addwhat(q, "ioctl_size=%u(under)", q->usize);
			if (q->nmut == 1)
				q->expect = EINVAL;
		} else if (k == 1) {
			/* an older, smaller struct: zero-extended */
			q->usize = UB_RUN_SIZE_VER0 + 1 +
				   below(g, sizeof(struct ub_run) - UB_RUN_SIZE_VER0 - 1);
			addwhat(q, "ioctl_size=%u(older)", q->usize);
		} else {
			q->usize = sizeof(struct ub_run) + 1 +
				   below(g, k == 2 ? 64 :
					 MAX_IOC_SIZE - sizeof(struct ub_run));
			q->tail_nonzero = chance(g, 50);
			addwhat(q, "ioctl_size=%u(over,tail=%s)", q->usize,
				q->tail_nonzero ? "nonzero" : "zero");
			if (q->nmut == 1 && q->tail_nonzero)
				q->expect = E2BIG;
		}
		r->size = q->usize;
		break;
	}
	case 21: {
		static const int k[] = { P_NULL, P_UNMAPPED, P_RO, P_KERNEL,
					 P_NONCANON, P_STRADDLE };

		q->struct_ptr = k[below(g, REL_ARRAY_SIZE(k))];
		addwhat(q, "struct=%s", ptrkind_name[q->struct_ptr]);
		if (q->nmut == 1)
			q->expect = EFAULT;
		break;
	}
	case 22:
		r->pad0 = (uint32_t)rnd(g) | 1;
		addwhat(q, "pad0=%#x", r->pad0);
		break;
	case 23:
		/* Outputs prefilled with garbage: must be ignored. */
		memset(&r->nr_selected, 0x5a,
		       offsetof(struct ub_run, warmup) -
		       offsetof(struct ub_run, nr_selected));
		memset(&r->prep_lines, 0x5a,
		       sizeof(*r) - offsetof(struct ub_run, prep_lines));
		addwhat(q, "garbage-outputs");
		break;
	case 24: {
		static const uint32_t v[] = { 0, 88, UB_RESULT_SIZE - 8,
					      UB_RESULT_SIZE + 8, 0xffffffffu };

		r->result_size = pick_u32(g, v, REL_ARRAY_SIZE(v));
		if (r->result_size == UB_RESULT_SIZE)
			r->result_size = 0;
		addwhat(q, "result_size=%u", r->result_size);
		if (q->nmut == 1)
			q->expect = EINVAL;
		break;
	}
	case 25:
		r->warmup = UB_MAX_WARMUP + 1 + (uint32_t)below(g, 1000);
		addwhat(q, "warmup=%u", r->warmup);
		if (q->nmut == 1)
			q->expect = ERANGE;
		break;
	case 26:
		r->replicas = UB_NR_REPLICAS + 1 + (uint32_t)below(g, 300);
		addwhat(q, "replicas=%u", r->replicas);
		if (q->nmut == 1)
			q->expect = ERANGE;
		break;
	default:
		r->seed = rnd(g);
		addwhat(q, "seed");
		break;
	}
}

/* Keep whatever stays valid short: no mutation may make a RUN long. */
static void clamp_run(struct req *q)
{
	struct ub_run *r = &q->r;
	int long_wall = r->max_wall_ms == 0 || r->max_wall_ms > 2000;

	if (long_wall && r->rounds > 4 && r->rounds <= (1U << 20))
		r->max_wall_ms = 300;
	if (r->max_wall_ms == 0 || r->max_wall_ms > 2000) {
		if (r->batch > 64 && r->batch <= (1U << 16))
			r->batch = 64;
	}
}

static void gen_info(struct rng *g, struct req *q)
{
	unsigned k = below(g, 10);

	q->kind = K_INFO;
	q->usize = sizeof(struct ub_info);
	q->struct_ptr = P_OK;
	switch (k) {
	case 0:
		q->usize = below(g, UB_INFO_SIZE_VER0);
		addwhat(q, "ioctl_size=%u(under)", q->usize);
		q->expect = EINVAL;
		break;
	case 1: case 2:
		/* beyond the module's struct: its tail decides */
		q->usize = sizeof(struct ub_info) + 1 +
			   below(g, MAX_IOC_SIZE - sizeof(struct ub_info));
		q->tail_nonzero = k == 2;
		addwhat(q, "ioctl_size=%u(over,tail=%s)", q->usize,
			q->tail_nonzero ? "nonzero" : "zero");
		if (q->tail_nonzero)
			q->expect = E2BIG;
		break;
	case 3: {
		static const int pk[] = { P_NULL, P_UNMAPPED, P_RO, P_KERNEL,
					  P_NONCANON, P_STRADDLE };

		q->struct_ptr = pk[below(g, REL_ARRAY_SIZE(pk))];
		addwhat(q, "struct=%s", ptrkind_name[q->struct_ptr]);
		q->expect = EFAULT;
		break;
	}
	case 4:
		q->size_field_changed = 1;
		addwhat(q, "size_field-mismatch");
		q->expect = EINVAL;
		break;
	default:
		addwhat(q, "valid");
		break;
	}
	q->cmd = rel_ioc(_IOC_READ | _IOC_WRITE, UB_IOC_MAGIC,
			 _IOC_NR(UB_IOC_INFO), q->usize);
}

static void gen_other(struct rng *g, struct req *q)
{
	static const unsigned types[] = { UB_IOC_MAGIC, UB_IOC_MAGIC - 1,
					  UB_IOC_MAGIC + 1, 0, 'T' };
	unsigned dir = below(g, 4), type, nr, size;

	type = chance(g, 80) ? types[below(g, REL_ARRAY_SIZE(types))] : below(g, 256);
	nr = chance(g, 70) ? below(g, 6) : below(g, 256);
	size = chance(g, 50) ? below(g, 600) : below(g, MAX_IOC_SIZE + 1);
	if (type == UB_IOC_MAGIC && dir == (_IOC_READ | _IOC_WRITE) &&
	    (nr == 1 || nr == 2))
		dir = _IOC_WRITE;	/* real commands are the other kinds' job */
	q->kind = K_OTHER;
	q->usize = size;
	q->cmd = rel_ioc(dir, type, nr, size);
	q->struct_ptr = chance(g, 80) ? P_OK : P_NULL;
	q->expect = ENOTTY;	/* foreign magic, other nr, or wrong direction */
	/*
	 * UB_IOC_PROGRESS (nr 3) is real: any size from its VER0 on is
	 * valid, so it may succeed. Sent at random while other workers RUN,
	 * it must still return 0 or a documented errno (its size rules are
	 * kmod_abi's directed tests).
	 */
	if (type == UB_IOC_MAGIC && dir == (_IOC_READ | _IOC_WRITE) &&
	    nr == _IOC_NR(UB_IOC_PROGRESS))
		q->expect = 0;
	addwhat(q, "cmd=%#lx(dir=%u,type=%#x,nr=%u,size=%u)", q->cmd, dir, type,
		nr, size);
}

/* The request number IDX of a worker: a function of (seed, worker, idx). */
static void gen(uint64_t seed, int worker, uint64_t idx, unsigned valid_pct,
		struct req *q)
{
	struct rng g = { seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(worker + 1)) ^
			 (0xD1B54A32D192ED03ULL * (idx + 1)) };
	unsigned k;

	for (int i = 0; i < 4; i++)
		rnd(&g);
	if (!g.s)
		g.s = 1;
	memset(q, 0, sizeof(*q));
	k = below(&g, 100);
	if (k < 10) {
		gen_info(&g, q);
		return;
	}
	if (k < 15) {
		gen_other(&g, q);
		return;
	}
	q->kind = K_RUN;
	gen_valid_run(&g, q);
	if (!chance(&g, valid_pct)) {
		unsigned r = below(&g, 100);

		q->nmut = r < 60 ? 1 : r < 85 ? 2 : r < 95 ? 3 : 4;
		for (int i = 0; i < q->nmut; i++)
			mutate_run(&g, q, -1);
		if (q->nmut > 1)
			q->expect = 0;
	} else {
		addwhat(q, "valid");
	}
	clamp_run(q);
	q->cmd = rel_ioc(_IOC_READ | _IOC_WRITE, UB_IOC_MAGIC,
			 _IOC_NR(UB_IOC_RUN), q->usize);
}

static void msg(int worker, uint64_t idx, const struct req *q, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void msg(int worker, uint64_t idx, const struct req *q, const char *fmt, ...)
{
	char line[768];
	int n;
	va_list ap;

	if (__atomic_add_fetch(&sh->msgs[worker & 63], 1, __ATOMIC_RELAXED) > MAX_MSGS &&
	    !verbose)
		return;
	n = snprintf(line, sizeof(line), "#   FAIL worker %d request %" PRIu64 " (%s: %s): ",
		     worker, idx, kind_name[q->kind], q->what);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 2, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(1, line, n) < 0)
		_exit(3);
}

static int reason_ok(const char *s)
{
	size_t n = strnlen(s, UB_REASON_LEN);

	return n > 0 && n < UB_REASON_LEN;
}

/* Check a successful RUN's outputs. Returns a message or NULL. */
static const char *check_run_ok(const struct req *q, const struct ub_run *out,
				const struct ub_result *res, char *buf, size_t n)
{
	const struct ub_run *in = &q->r;
	uint64_t appl = in->granule == UB_GRANULE_2M ? mask2m : mask4k;
	unsigned nsel = popcount64(in->variant_mask & appl);
	unsigned want_backend = in->backend == UB_BACKEND_AUTO ? info.auto_backend :
				in->backend;

	if (out->nr_selected != nsel) {
		snprintf(buf, n, "nr_selected %u, expected %u", out->nr_selected, nsel);
		return buf;
	}
	if (out->backend_used != want_backend) {
		snprintf(buf, n, "backend_used %u, expected %u", out->backend_used,
			 want_backend);
		return buf;
	}
	if (out->rounds_done > in->rounds ||
	    (!(out->status & (UB_STATUS_WALL_CAP | UB_STATUS_SIGNAL)) &&
	     out->rounds_done != in->rounds)) {
		snprintf(buf, n, "rounds_done %u of %u with status %#x",
			 out->rounds_done, in->rounds, out->status);
		return buf;
	}
	if (out->status & ~(UB_STATUS_WALL_CAP | UB_STATUS_SIGNAL |
			    UB_STATUS_IRQOFF_CLAMP)) {
		snprintf(buf, n, "unknown status bits %#x", out->status);
		return buf;
	}
	if (!out->batch_used || out->batch_used > in->batch) {
		snprintf(buf, n, "batch_used %u with batch %u", out->batch_used,
			 in->batch);
		return buf;
	}
	if (!(out->insns_used & (UB_INSN_RDTSC | UB_INSN_KTIME))) {
		snprintf(buf, n, "insns_used %#x names no timer", out->insns_used);
		return buf;
	}
	for (unsigned t = 0; t < in->nr_threads; t++) {
		for (unsigned s = 0; s < nsel; s++) {
			const struct ub_result *x = &res[t * nsel + s];

			if (x->variant >= info.nr_variants ||
			    !(in->variant_mask & (1ULL << x->variant)) ||
			    !(appl & (1ULL << x->variant))) {
				snprintf(buf, n, "result %u names variant %u, not selected",
					 t * nsel + s, x->variant);
				return buf;
			}
			if (x->thread != t || x->cpu != q->cpus[t] ||
			    x->node != in->node) {
				snprintf(buf, n, "result %u: thread %u cpu %u node %d, "
					 "expected %u %u %d", t * nsel + s, x->thread,
					 x->cpu, x->node, t, q->cpus[t], in->node);
				return buf;
			}
			if (x->batches && x->min > x->max) {
				snprintf(buf, n, "result %u: min %" PRIu64 " > max %" PRIu64,
					 t * nsel + s, (uint64_t)x->min, (uint64_t)x->max);
				return buf;
			}
			if (s && x->variant <= res[t * nsel + s - 1].variant) {
				snprintf(buf, n, "results not in variant-table order");
				return buf;
			}
		}
		/* page and pfn shapes of one path visit the same PFNs. */
		for (unsigned a = 0; a < nsel; a++) {
			const struct ub_result *x = &res[t * nsel + a];
			const struct ub_variant_desc *dx = &info.variants[x->variant];

			if (dx->shape != UB_SHAPE_PAGE)
				continue;
			for (unsigned b = 0; b < nsel; b++) {
				const struct ub_result *y = &res[t * nsel + b];
				const struct ub_variant_desc *dy = &info.variants[y->variant];

				if (dy->shape != UB_SHAPE_PFN || dy->path != dx->path ||
				    dy->granule != dx->granule || y->ops != x->ops)
					continue;
				if (y->pfn_checksum != x->pfn_checksum ||
				    y->pages_touched != x->pages_touched) {
					snprintf(buf, n, "%s and %s: pfn_checksum %#" PRIx64
						 "/%#" PRIx64 " pages %" PRIu64 "/%" PRIu64
						 " differ with equal ops", dx->name, dy->name,
						 (uint64_t)x->pfn_checksum,
						 (uint64_t)y->pfn_checksum,
						 (uint64_t)x->pages_touched,
						 (uint64_t)y->pages_touched);
					return buf;
				}
			}
		}
	}
	return NULL;
}

/* Execute request Q; classify. */
static void exec_req(int worker, uint64_t idx, struct req *q, struct mem *m,
		     int fd)
{
	uint8_t *sp = NULL, *bufs[3] = { NULL, NULL, NULL };
	uint64_t need[3] = { 0, 0, 0 }, len[3] = { 0, 0, 0 };
	uintptr_t arg;
	size_t ssize;
	int ret, e, readable_struct;
	struct ub_run *rout = NULL;
	char cbuf[256];

	m->arena_off = 0;
	ssize = q->kind == K_INFO ? sizeof(struct ub_info) : sizeof(struct ub_run);
	/* The struct, padded to the ioctl size with a zero or nonzero tail. */
	sp = m->sbuf;
	memset(sp, 0, MAX_IOC_SIZE + 64);
	if (q->kind == K_RUN) {
		struct ub_run *r = &q->r;

		if (!q->size_field_changed && q->usize >= sizeof(uint32_t))
			r->size = q->usize;
		needed(r, &need[0], &need[1], &need[2]);
		for (int b = 0; b < 3; b++) {
			__u64 *pp = b == 0 ? &r->results : b == 1 ? &r->samples : &r->hist;
			__u64 *pl = b == 0 ? &r->results_len : b == 1 ? &r->samples_len :
					      &r->hist_len;

			if (!q->want[b]) {
				*pp = 0;
				*pl = 0;
				continue;
			}
			switch (q->buf_kind[b]) {
			case P_OK:
				if (need[b] && need[b] + 2 * CANARY_LEN + 64 < ARENA_SIZE / 2)
					bufs[b] = carve(m, need[b]);
				*pp = (uintptr_t)bufs[b];
				*pl = bufs[b] ? need[b] : 0;
				if (!bufs[b])	/* too big for us: a short buffer */
					*pp = (uintptr_t)carve(m, 64), *pl = 64;
				break;
			case P_SHORT:
				len[b] = need[b] ? need[b] - 1 : 0;
				if (len[b] > ARENA_SIZE / 4)
					len[b] = 64;
				bufs[b] = carve(m, len[b]);
				*pp = (uintptr_t)bufs[b];
				*pl = len[b];
				break;
			default: {
				struct rng g = { idx * 7 + b + 1 };

				*pp = bad_ptr(&g, m, q->buf_kind[b], need[b]);
				*pl = need[b];
				break;
			}
			}
			len[b] = *pl;
		}
		if (q->cpus_ptr == P_OK)
			r->cpus = (uintptr_t)q->cpus;
		else if (q->cpus_ptr == P_RO) {
			r->cpus = (uintptr_t)(m->guard + 2 * PAGE);	/* zeros: cpu 0 */
			memset(q->cpus, 0, sizeof(q->cpus));
		} else {
			struct rng g = { idx * 13 + 5 };

			r->cpus = bad_ptr(&g, m, q->cpus_ptr,
					  r->nr_threads <= UB_MAX_THREADS ?
					  r->nr_threads * 4 : 4);
		}
		memcpy(sp, r, sizeof(*r));
	} else {
		struct ub_info *in = (struct ub_info *)sp;

		in->size = q->usize;
		if (q->size_field_changed)
			in->size = q->usize + 4;
	}
	if (q->tail_nonzero && q->usize > ssize)
		sp[ssize + (idx % (q->usize - ssize))] = 0x01 | (idx & 0xfe);
	if (q->kind == K_OTHER && q->usize >= 4)
		*(uint32_t *)sp = q->usize;

	switch (q->struct_ptr) {
	case P_OK: arg = (uintptr_t)sp; break;
	case P_RO:
		/* A valid struct the module can read but not write back. */
		if (mprotect(m->sro, 4 * PAGE, PROT_READ | PROT_WRITE))
			_exit(3);
		memcpy(m->sro, sp, q->usize < 4 * PAGE ? q->usize : 4 * PAGE);
		if (mprotect(m->sro, 4 * PAGE, PROT_READ))
			_exit(3);
		arg = (uintptr_t)m->sro;
		break;
	default: {
		struct rng g = { idx * 11 + 3 };

		arg = bad_ptr(&g, m, q->struct_ptr, q->usize);
		if (q->struct_ptr == P_STRADDLE) {
			/* Mapped head holds the start of the real struct. */
			memcpy((void *)arg, sp, (m->guard + PAGE) - (uint8_t *)arg);
		}
		break;
	}
	}
	readable_struct = q->struct_ptr == P_OK;

	if (verbose) {
		printf("# worker %d request %" PRIu64 ": %s cmd %#lx size %u: %s\n",
		       worker, idx, kind_name[q->kind], q->cmd, q->usize, q->what);
		fflush(stdout);
	}
	/*
	 * RUNs are serialised (EBUSY, not queued): with several workers most
	 * RUNs would meet another one and never reach the checks behind the
	 * lock, so a busy RUN is retried a while (each retry is counted).
	 */
	for (int attempt = 0;; attempt++) {
		ret = ioctl(fd, q->cmd, arg);
		e = ret ? errno : 0;
		if (ret && ret != -1)
			e = 1000;
		if (e != EBUSY || q->kind != K_RUN || attempt >= 200)
			break;
		__atomic_add_fetch(&sh->busy_retries, 1, __ATOMIC_RELAXED);
		rel_sleep_ms(1);
	}
	__atomic_add_fetch(&sh->tried, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sh->cnt[q->kind][e < NERR ? e : NERR - 1], 1,
			   __ATOMIC_RELAXED);
	if (verbose)
		printf("#   -> %s (%d)\n", rel_errname(e), e);

	if (!documented(e)) {
		__atomic_add_fetch(&sh->undocumented, 1, __ATOMIC_RELAXED);
		msg(worker, idx, q, "returned %s (%d), not a documented errno",
		    rel_errname(e), e);
		return;
	}
	if (q->expect && e != q->expect) {
		/* A RUN that got past copy-in may meet a concurrent one first. */
		/*
		 * Everything but the struct's size rules is checked behind
		 * the RUN lock: a request whose struct was taken in whole
		 * may meet another RUN first.
		 */
		int taken_in = !q->size_field_changed &&
			       q->usize == sizeof(struct ub_run) &&
			       (q->struct_ptr == P_OK || q->struct_ptr == P_RO);
		int busy_ok = e == EBUSY && q->kind == K_RUN && taken_in;

		if (!busy_ok) {
			__atomic_add_fetch(&sh->wrong_errno, 1, __ATOMIC_RELAXED);
			msg(worker, idx, q, "returned %s, the uapi promises %s",
			    rel_errname(e), rel_errname(q->expect));
			return;
		}
	}
	if (q->kind != K_RUN || !readable_struct)
		return;
	rout = (struct ub_run *)sp;
	if (e && wants_reason(e) && q->usize >= UB_RUN_SIZE_VER0 &&
	    !q->size_field_changed && !(q->tail_nonzero && q->usize > ssize)) {
		if (!reason_ok(rout->reason)) {
			__atomic_add_fetch(&sh->no_reason, 1, __ATOMIC_RELAXED);
			msg(worker, idx, q, "refused with %s but no reason",
			    rel_errname(e));
		}
	}
	for (int b = 0; b < 3; b++) {
		if (bufs[b] && !canary_ok(bufs[b], len[b])) {
			__atomic_add_fetch(&sh->canary, 1, __ATOMIC_RELAXED);
			msg(worker, idx, q, "%s buffer: bytes written outside its %" PRIu64
			    " bytes (ret %s)", b == 0 ? "results" : b == 1 ? "samples" : "hist",
			    len[b], rel_errname(e));
		}
	}
	if (q->nmut == 0)
		__atomic_add_fetch(&sh->valid_tried, 1, __ATOMIC_RELAXED);
	if (e == 0) {
		const char *why;

		if (q->nmut == 0)
			__atomic_add_fetch(&sh->valid_ok, 1, __ATOMIC_RELAXED);
		if (!bufs[0]) {
			__atomic_add_fetch(&sh->invariant, 1, __ATOMIC_RELAXED);
			msg(worker, idx, q, "RUN succeeded without a usable results buffer");
			return;
		}
		why = check_run_ok(q, rout, (const struct ub_result *)bufs[0], cbuf,
				   sizeof(cbuf));
		if (why) {
			__atomic_add_fetch(&sh->invariant, 1, __ATOMIC_RELAXED);
			msg(worker, idx, q, "%s", why);
		}
	}
}

static void mem_init(struct mem *m)
{
	m->arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m->guard = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m->sbuf = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m->sro = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->arena == MAP_FAILED || m->guard == MAP_FAILED || m->sbuf == MAP_FAILED ||
	    m->sro == MAP_FAILED) {
		perror("mmap");
		exit(3);
	}
	memset(m->guard, 0, 4 * PAGE);
	if (mprotect(m->guard + PAGE, PAGE, PROT_NONE) ||
	    mprotect(m->guard + 2 * PAGE, PAGE, PROT_READ) ||
	    munmap(m->guard + 3 * PAGE, PAGE)) {
		perror("guard pages");
		exit(3);
	}
}

static unsigned req_timeout = 120;

static void worker_main(int worker, uint64_t seed, uint64_t first, uint64_t count,
			unsigned valid_pct)
{
	struct mem m;
	struct req q;
	int fd = rel_open_ctl();

	if (fd < 0) {
		printf("# worker %d: open %s: %s\n", worker, UB_CTL_PATH, strerror(errno));
		exit(4);
	}
	mem_init(&m);
	for (uint64_t i = first; i < first + count; i++) {
		gen(seed, worker, i, valid_pct, &q);
		alarm(req_timeout);
		exec_req(worker, i, &q, &m, fd);
		alarm(0);
		sh->progress[worker & 63] = rel_now();
		if (i % 97 == 96) {	/* a fresh fd now and then */
			close(fd);
			fd = rel_open_ctl();
			if (fd < 0) {
				printf("# worker %d: reopen: %s\n", worker, strerror(errno));
				exit(4);
			}
		}
	}
	close(fd);
	exit(0);
}

int main(int argc, char **argv)
{
	uint64_t n = 20000, seed = 0, replay_idx = 0;
	int workers = 4, replay_w = -1, opt, fd, ret;
	unsigned valid_pct = 5;
	int dead = 0, hung = 0;
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "n:w:s:V:t:x:v")) != -1) {
		switch (opt) {
		case 'n': n = strtoull(optarg, NULL, 0); break;
		case 'w': workers = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'V': valid_pct = atoi(optarg); break;
		case 't': req_timeout = atoi(optarg); break;
		case 'x':
			if (sscanf(optarg, "%d:%" SCNu64, &replay_w, &replay_idx) != 2) {
				fprintf(stderr, "-x WORKER:INDEX\n");
				return 2;
			}
			break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: fuzz_ioctl [-n N] [-w W] [-s SEED] [-V PCT] "
				"[-t SEC] [-x W:I] [-v]\n");
			return 2;
		}
	}
	if (workers < 1 || workers > 64 || valid_pct > 100) {
		fprintf(stderr, "fuzz_ioctl: -w 1..64, -V 0..100\n");
		return 2;
	}
	if (!seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000003ULL ^ (uint64_t)ts.tv_nsec;
	}
	ncpus_online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 3;
	}
	memset(sh, 0, sizeof(*sh));

	fd = rel_open_ctl();
	if (fd < 0) {
		rel_tap(0, "fuzz_ioctl: open %s: %s", UB_CTL_PATH, strerror(errno));
		return 1;
	}
	ret = rel_info(fd, &info);
	close(fd);
	if (ret) {
		rel_tap(0, "fuzz_ioctl: INFO before fuzzing: %s", rel_errname(-ret));
		return 1;
	}
	mask4k = rel_mask_for(&info, UB_GRANULE_4K);
	mask2m = rel_mask_for(&info, UB_GRANULE_2M);

	if (replay_w >= 0) {
		struct mem m;
		struct req q;

		verbose = 1;
		mem_init(&m);
		fd = rel_open_ctl();
		gen(seed, replay_w, replay_idx, valid_pct, &q);
		exec_req(replay_w, replay_idx, &q, &m, fd);
		printf("# replayed seed %" PRIu64 " worker %d request %" PRIu64 "\n",
		       seed, replay_w, replay_idx);
		return (sh->undocumented || sh->wrong_errno || sh->no_reason ||
			sh->canary || sh->invariant) ? 1 : 0;
	}

	rel_note("fuzz_ioctl: seed %" PRIu64 ", %d workers, %" PRIu64
		 " requests, %u%% of RUNs valid, %u variants, backends %#x "
		 "(replay one request: fuzz_ioctl -s %" PRIu64 " -w %d -n %" PRIu64
		 " -x WORKER:INDEX)", seed, workers, n, valid_pct, info.nr_variants,
		 info.backends, seed, workers, n);
	t0 = rel_now();
	pid_t pids[64];
	uint64_t per = n / workers, extra = n % workers, first = 0;

	for (int w = 0; w < workers; w++) {
		uint64_t cnt = per + (w < (int)extra);

		pids[w] = fork();
		if (pids[w] < 0) {
			perror("fork");
			return 3;
		}
		if (!pids[w]) {
			signal(SIGALRM, SIG_DFL);
			worker_main(w, seed, first, cnt, valid_pct);
		}
		first += cnt;
	}
	/*
	 * Wait with a watchdog: a worker stuck in the kernel (D state) would
	 * not die of its alarm, so the parent gives up on it after the bound
	 * plus a grace period and says where it is stuck.
	 */
	int left = workers, done[64] = { 0 };

	for (int w = 0; w < workers; w++)
		sh->progress[w] = rel_now();
	while (left) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p > 0) {
			for (int w = 0; w < workers; w++) {
				if (pids[w] != p || done[w] > 0)
					continue;
				if (done[w] == -1) {
					hung++;		/* killed by the watchdog */
					done[w] = 1;
					left--;
					continue;
				}
				done[w] = 1;
				left--;
				if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) {
					hung++;
					rel_note("worker %d: a request took longer than %u s "
						 "(hang)", w, req_timeout);
				} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
					dead++;
					rel_note("worker %d ended with status %#x", w, st);
				}
			}
			continue;
		}
		for (int w = 0; w < workers; w++) {
			char path[64], wchan[128] = "?";

			if (done[w] || rel_now() - sh->progress[w] < req_timeout + 30)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/wchan", pids[w]);
			rel_read_file(path, wchan, sizeof(wchan));
			rel_note("worker %d (pid %d) made no progress for %u s, stuck in "
				 "'%s': killing it", w, pids[w], req_timeout + 30, wchan);
			kill(pids[w], SIGKILL);
			sh->progress[w] = rel_now() + 60;	/* give SIGKILL a minute */
			done[w] = -1;
		}
		for (int w = 0; w < workers; w++) {
			if (done[w] == -1 && rel_now() > sh->progress[w]) {
				rel_note("worker %d (pid %d) survives SIGKILL: stuck in the "
					 "kernel; giving up on it", w, pids[w]);
				hung++;
				done[w] = 2;
				left--;
			}
		}
		rel_sleep_ms(200);
	}

	for (int k = 0; k < K_NR; k++) {
		char line[1024];
		int off = 0;

		for (int e = 0; e < NERR; e++)
			if (sh->cnt[k][e])
				off += snprintf(line + off, sizeof(line) - off, " %s:%" PRIu64,
						e == NERR - 1 ? "other" : rel_errname(e),
						sh->cnt[k][e]);
		rel_note("%s:%s", kind_name[k], off ? line : " none");
	}
	rel_note("valid RUNs: %" PRIu64 " tried, %" PRIu64 " succeeded (others EBUSY "
		 "or node memory), %.0f s", sh->valid_tried, sh->valid_ok, rel_now() - t0);
	rel_note("EBUSY retries (not counted as requests): %" PRIu64, sh->busy_retries);
	printf("FUZZ-COUNTS requests=%" PRIu64 " ioctls=%" PRIu64 " seed=%" PRIu64
	       " workers=%d\n", sh->tried, sh->tried + sh->busy_retries, seed, workers);

	rel_tap(sh->tried == n, "fuzz_ioctl: %" PRIu64 " of %" PRIu64
		" requests issued by %d workers (seed %" PRIu64 ")", sh->tried, n,
		workers, seed);
	rel_tap(!hung, "fuzz_ioctl: no request hung (bound %u s)", req_timeout);
	rel_tap(!dead, "fuzz_ioctl: every worker ended normally");
	rel_tap(!sh->undocumented, "fuzz_ioctl: every return is 0 or a documented "
		"errno (%" PRIu64 " were not)", sh->undocumented);
	rel_tap(!sh->wrong_errno, "fuzz_ioctl: directed mutations got the errno "
		"the uapi header promises (%" PRIu64 " did not)", sh->wrong_errno);
	rel_tap(!sh->no_reason, "fuzz_ioctl: every refused RUN said why (%" PRIu64
		" without a reason)", sh->no_reason);
	rel_tap(!sh->canary, "fuzz_ioctl: nothing written outside the result "
		"buffers (%" PRIu64 " overruns)", sh->canary);
	rel_tap(!sh->invariant, "fuzz_ioctl: successful RUNs' outputs hold their "
		"invariants (%" PRIu64 " broken)", sh->invariant);
	rel_tap(sh->valid_ok > 0, "fuzz_ioctl: some valid RUNs ran (%" PRIu64 ")",
		sh->valid_ok);
	return rel_failed;
}
