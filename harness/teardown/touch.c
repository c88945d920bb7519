// SPDX-License-Identifier: GPL-2.0
/*
 * touch.c: --populate touch: a guest that has run. The harness builds a
 * minimal guest itself, the way the KVM selftests' memstress does (long
 * mode entered directly, no firmware), for DEFAULT and SW_PROTECTED VMs:
 *
 *   control pages  a small memslot of the harness's shared anonymous
 *                  memory at TD_CTL_GPA (never private): the guest code,
 *                  a PML4, PDPTs and PDs identity-mapping the control
 *                  pages and the guest memory with 2M pages;
 *   vCPU state     64-bit code segment, CR0.PG|PE, CR4.PAE, EFER.LME|LMA,
 *                  CR3 at the PML4, interrupts off, every vCPU RUNNABLE
 *                  (the in-kernel LAPIC would hold the APs for a SIPI);
 *   guest code     per vCPU: read every control page, OUT to TD_PORT_READY;
 *                  write one qword (GPA ^ seed) into every 4K page of its
 *                  share of the guest memory; read them back and sum;
 *                  OUT to TD_PORT_DONE with RAX = sum, RBX = pages; HLT.
 *                  Between READY and the writes the host maps the guest
 *                  memory with KVM_PRE_FAULT_MEMORY where KVM offers it,
 *                  so the writes take no fault exit (else they fault it
 *                  in themselves).
 *
 * The host checks each vCPU's pages and sum against what it computes
 * itself (private guest_memfd memory cannot be mapped by the host, so
 * the guest reports what it read back), counts the control pages'
 * mappings between READY and the writes (KVM's stats then hold the guest
 * memory's mappings alone, by difference), and waits until every vCPU is
 * blocked in HLT inside KVM_RUN (an in-kernel IRQ chip: KVM's vCPU stat
 * "blocking"). The vCPU threads stay there while convert and punch run,
 * so KVM's zaps find live vCPUs to request TLB flushes from. For destroy,
 * and at release, they are made to leave KVM_RUN first: kvm_run's
 * immediate_exit is set and the thread is sent SIGUSR1 until it returns
 * (KVM_RUN ends with EINTR), then joined and its kvm_run unmapped; only
 * then can the last close run kvm_destroy_vm. The harness's memory for
 * all this does not grow with the guest except for the page tables (4K
 * per GiB of guest).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "record/log.h"
#include "record/rundir.h"
#include "record/util.h"
#include "teardown/guest_state.h"
#include "teardown/populate.h"
#include "teardown/touch.h"
#include "teardown/kvm.h"

#define TD_PORT_READY	0xe0
#define TD_PORT_DONE	0xe1
#define TD_PORT_BEAT	0xe2	/* every 64 MiB: still making progress */
#define TD_STALL_S	300	/* no beat for this long: the vCPU is lost */
#define TD_VCPU_STACK	(256 << 10)
#define UB_STR_(x)	#x
#define UB_STR(x)	UB_STR_(x)

/* Page-table entry bits. Accessed and dirty are set from the start: the
 * vCPUs' page walks then never write the shared tables. */
#define PTE_P		0x1ULL
#define PTE_RW		0x2ULL
#define PTE_A		0x20ULL
#define PTE_D		0x40ULL
#define PTE_PS		0x80ULL
#define PTE_TABLE	(PTE_P | PTE_RW | PTE_A)
#define PTE_2M		(PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS)

/*
 * The guest code, 64-bit, position independent, no stack. In: RCX/R8 the
 * control pages [lo, hi), RDI/RSI the vCPU's share [lo, hi), RDX the
 * seed, R10 bit 0: skip the writes (the test seam UB_TEST_GUEST=nowrite,
 * so a test can see the checksum catch a guest that did not write). An
 * OUT to TD_PORT_BEAT at every 64 MiB boundary tells the host it runs.
 */
extern const unsigned char td_guest_code[], td_guest_code_end[];
__asm__(
	".pushsection .rodata\n"
	".balign 16\n"
	"td_guest_code:\n"
	"1:	movq (%rcx), %rax\n"		/* map every control page */
	"	addq $4096, %rcx\n"
	"	cmpq %r8, %rcx\n"
	"	jb 1b\n"
	"	outb %al, $0xe0\n"		/* TD_PORT_READY */
	"	movq %rdi, %r9\n"
	"	testq $1, %r10\n"
	"	jnz 3f\n"
	"	cmpq %rsi, %r9\n"
	"	jae 3f\n"
	"2:	movq %r9, %rax\n"		/* write GPA ^ seed per page */
	"	xorq %rdx, %rax\n"
	"	movq %rax, (%r9)\n"
	"	addq $4096, %r9\n"
	"	testl $0x3ffffff, %r9d\n"
	"	jnz 7f\n"
	"	outb %al, $0xe2\n"		/* TD_PORT_BEAT */
	"7:	cmpq %rsi, %r9\n"
	"	jb 2b\n"
	"3:	xorl %eax, %eax\n"		/* read back: sum and pages */
	"	xorl %ebx, %ebx\n"
	"	movq %rdi, %r9\n"
	"	cmpq %rsi, %r9\n"
	"	jae 5f\n"
	"4:	addq (%r9), %rax\n"
	"	incq %rbx\n"
	"	addq $4096, %r9\n"
	"	testl $0x3ffffff, %r9d\n"
	"	jnz 8f\n"
	"	outb %al, $0xe2\n"		/* TD_PORT_BEAT */
	"8:	cmpq %rsi, %r9\n"
	"	jb 4b\n"
	"5:	outb %al, $0xe1\n"		/* TD_PORT_DONE */
	"6:	hlt\n"
	"	jmp 6b\n"
	"td_guest_code_end:\n"
	".popsection\n");

/* One vCPU of a touch guest. */
struct td_vcpu {
	struct guest *g;
	unsigned idx;
	int fd, stats_fd;
	struct kvm_run *run;
	size_t run_len;
	uint64_t lo, hi;		/* GPAs of its share */
	pthread_t t;
	int started;
	atomic_int stop, exited;
	int ready, reported;		/* under g->lock */
	_Atomic uint64_t beat_ns;	/* last sign of progress */
	uint64_t pages;			/* verified */
};

/* Control-page layout: code, PML4, PDPTs, the control PD, guest PDs. */
struct ctl_layout {
	uint64_t npdpt, npd, pages;
	uint64_t code, pml4, pdpt, pd_ctl, pd;	/* page indices */
};

static void layout(uint64_t size, struct ctl_layout *l)
{
	uint64_t top = TD_GPA_BASE + size - 1;

	l->npdpt = (top >> 39) + 1;
	l->npd = (top >> 30) - (TD_GPA_BASE >> 30) + 1;
	l->code = 0;
	l->pml4 = 1;
	l->pdpt = 2;
	l->pd_ctl = l->pdpt + l->npdpt;
	l->pd = l->pd_ctl + 1;
	l->pages = l->pd + l->npd;
}

static uint64_t ctl_gpa(uint64_t page)
{
	return TD_CTL_GPA + page * UB_PAGE_BYTES;
}

/* Identity map [0, 1G) (control pages) and the guest memory, 2M pages. */
static void build_tables(struct guest *g, const struct ctl_layout *l)
{
	uint64_t *pg = g->ctl;
	uint64_t *pml4 = pg + l->pml4 * 512, *pd_ctl = pg + l->pd_ctl * 512;

	memcpy(g->ctl, td_guest_code, (size_t)(td_guest_code_end - td_guest_code));
	for (uint64_t i = 0; i < l->npdpt; i++)
		pml4[i] = ctl_gpa(l->pdpt + i) | PTE_TABLE;
	/* PDPT 0 entry 0: the control PD; its 2M pages cover the control
	 * pages (TD_CTL_GPA + l->pages * 4K stays below 1 GiB). */
	pg[l->pdpt * 512] = ctl_gpa(l->pd_ctl) | PTE_TABLE;
	for (uint64_t a = 0; a < TD_CTL_GPA + l->pages * UB_PAGE_BYTES; a += UB_BYTES_2M)
		pd_ctl[a / UB_BYTES_2M] = a | PTE_2M;
	for (uint64_t i = 0; i < l->npd; i++) {
		uint64_t gib = (TD_GPA_BASE >> 30) + i, *pd = pg + (l->pd + i) * 512;
		uint64_t *pdpt = pg + (l->pdpt + (gib >> 9)) * 512;

		pdpt[gib & 511] = ctl_gpa(l->pd + i) | PTE_TABLE;
		for (uint64_t k = 0; k < 512; k++)
			pd[k] = ((gib << 30) + k * UB_BYTES_2M) | PTE_2M;
	}
}

int touch_setup_vm(struct guest *g, uint32_t slot, struct ubk_err *e)
{
	struct ctl_layout l;

	layout(g->spec->size, &l);
	if (TD_CTL_GPA + l.pages * UB_PAGE_BYTES > (1ULL << 30)) {
		ubk_fail(e, "touch", EINVAL, 0, "(%" PRIu64 " control pages do not "
			 "fit below 1 GiB: guest too large for the touch guest)",
			 l.pages);
		return -1;
	}
	g->ctl_len = l.pages * UB_PAGE_BYTES;
	/* Shared anonymous memory: shmem, no THP by default, so every control
	 * page is one 4K mapping whatever the THP setting. */
	g->ctl = mmap(NULL, g->ctl_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g->ctl == MAP_FAILED) {
		g->ctl = NULL;
		ubk_fail(e, "mmap", errno, 0, "(control pages, %zu bytes)", g->ctl_len);
		return -1;
	}
	build_tables(g, &l);
	g->ctl_pml4 = ctl_gpa(l.pml4);
	g->seed = ub_now_ns() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)g->idx << 32;
	return ubk_set_slot(g->vm_fd, slot, 0, TD_CTL_GPA, g->ctl_len,
			    (uint64_t)(uintptr_t)g->ctl, -1, 0, e);
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;		/* 64-bit code */
	s->db = !code;
}

int touch_setup_vcpu(struct guest *g, unsigned i, int kvm_fd, struct ubk_err *e)
{
	struct td_vcpu *v;
	struct kvm_sregs sr;
	struct kvm_regs r;
	long len;

	if (!g->vc)
		g->vc = ub_xcalloc(g->spec->vcpus, sizeof(*g->vc));
	v = &g->vc[i];
	v->g = g;
	v->idx = i;
	v->fd = g->vcpu_fd[i];
	v->stats_fd = -1;
	guest_share(g, i, &v->lo, &v->hi);
	v->lo += TD_GPA_BASE;
	v->hi += TD_GPA_BASE;
	if (ubk_get_sregs(v->fd, &sr, e))
		return -1;
	seg(&sr.cs, 0x8, 0xb, 1);
	seg(&sr.ds, 0x10, 0x3, 0);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	memset(&sr.tr, 0, sizeof(sr.tr));
	sr.tr.selector = 0x18;
	sr.tr.limit = 0x67;
	sr.tr.type = 0xb;		/* busy 64-bit TSS */
	sr.tr.present = 1;
	memset(&sr.ldt, 0, sizeof(sr.ldt));
	sr.ldt.unusable = 1;
	sr.cr0 = 0x80000021;		/* PG | NE | PE */
	sr.cr4 = 0x20;			/* PAE */
	sr.efer = 0x500;		/* LMA | LME */
	sr.cr3 = g->ctl_pml4;
	if (ubk_set_sregs(v->fd, &sr, e))
		return -1;
	memset(&r, 0, sizeof(r));
	r.rflags = 0x2;			/* interrupts off */
	r.rip = ctl_gpa(0);
	r.rcx = TD_CTL_GPA;
	r.r8 = TD_CTL_GPA + g->ctl_len;
	r.rdi = v->lo;
	r.rsi = v->hi;
	r.rdx = g->seed;
	if (getenv("UB_TEST_GUEST") && !strcmp(getenv("UB_TEST_GUEST"), "nowrite"))
		r.r10 = 1;
	if (ubk_set_regs(v->fd, &r, e) ||
	    ubk_set_mp_state(v->fd, 0 /* KVM_MP_STATE_RUNNABLE */, e))
		return -1;
	len = ubk_vcpu_mmap_size(kvm_fd, e);
	if (len <= 0)
		return -1;
	v->run = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		ubk_fail(e, "mmap", errno, 0, "(kvm_run of vCPU %u)", i);
		return -1;
	}
	v->run_len = (size_t)len;
	/* Opened now: KVM_GET_STATS_FD waits for KVM_RUN to return. */
	v->stats_fd = ubk_stats_open(v->fd, e);
	return v->stats_fd < 0 ? -1 : 0;
}

/* What the guest must report for [lo, hi) and SEED. */
static uint64_t expected_sum(uint64_t lo, uint64_t hi, uint64_t seed)
{
	uint64_t sum = 0;

	for (uint64_t p = lo; p < hi; p += UB_PAGE_BYTES)
		sum += p ^ seed;
	return sum;
}

static void vcpu_fail(struct td_vcpu *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vcpu_fail(struct td_vcpu *v, const char *fmt, ...)
{
	char m[280];
	va_list ap;
	int n = snprintf(m, sizeof(m), "touch guest, vCPU %u: ", v->idx);

	va_start(ap, fmt);
	vsnprintf(m + n, sizeof(m) - (size_t)n, fmt, ap);
	va_end(ap);
	guest_fail(v->g, m);
	pthread_mutex_lock(&v->g->lock);
	pthread_cond_broadcast(&v->g->cond);
	pthread_mutex_unlock(&v->g->lock);
}

/* TD_PORT_DONE: check what the guest read back. */
static void reported(struct td_vcpu *v)
{
	struct guest *g = v->g;
	uint64_t want = (v->hi - v->lo) / UB_PAGE_BYTES;
	uint64_t sum = expected_sum(v->lo, v->hi, g->seed);
	struct kvm_regs r;
	struct ubk_err e;

	if (ubk_get_regs(v->fd, &r, &e)) {
		vcpu_fail(v, "%s", e.msg);
		return;
	}
	if (r.rbx != want || r.rax != sum) {
		vcpu_fail(v, "checksum mismatch: the guest read back %llu pages "
			  "summing to 0x%llx, expected %" PRIu64 " pages summing to "
			  "0x%" PRIx64 ": it did not write its memory",
			  (unsigned long long)r.rbx, (unsigned long long)r.rax,
			  want, sum);
		return;
	}
	pthread_mutex_lock(&g->lock);
	v->pages = want;
	v->reported = 1;
	g->reported++;
	g->pop_t1 = ub_now_ns();
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* TD_PORT_READY: the control pages are mapped; wait for the go. */
static void ready(struct td_vcpu *v)
{
	struct guest *g = v->g;

	pthread_mutex_lock(&g->lock);
	v->ready = 1;
	g->ready++;
	pthread_cond_broadcast(&g->cond);
	while (!g->go && !atomic_load(&v->stop))
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

/* An exit the guest code never causes: say what it was. */
static void unexpected(struct td_vcpu *v)
{
	struct kvm_run *run = v->run;
	const uint64_t *u = (const uint64_t *)&run->hw;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_fail(v, "unexpected port I/O (port 0x%x)", run->io.port);
		break;
	case KVM_EXIT_MMIO:
		vcpu_fail(v, "access to GPA 0x%llx outside its memory (MMIO exit)",
			  (unsigned long long)run->mmio.phys_addr);
		break;
	case KVM_EXIT_SHUTDOWN: {
		struct kvm_regs r;
		struct kvm_sregs sr;
		struct ubk_err e;

		if (ubk_get_regs(v->fd, &r, &e) || ubk_get_sregs(v->fd, &sr, &e))
			vcpu_fail(v, "shutdown (triple fault): the guest took an exception");
		else
			vcpu_fail(v, "shutdown (triple fault): the guest took an "
				  "exception at RIP 0x%llx (R9 0x%llx, CR2 0x%llx, CR3 "
				  "0x%llx, EFER 0x%llx)", (unsigned long long)r.rip,
				  (unsigned long long)r.r9, (unsigned long long)sr.cr2,
				  (unsigned long long)sr.cr3, (unsigned long long)sr.efer);
		break;
	}
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_fail(v, "VM entry failed (hardware reason 0x%llx)",
			  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_fail(v, "KVM internal error (suberror %u)", run->internal.suberror);
		break;
	case KVM_EXIT_MEMORY_FAULT:
		/* struct { flags, gpa, size } in the exit union (6.8+). */
		vcpu_fail(v, "memory fault exit (flags 0x%" PRIx64 ", GPA 0x%" PRIx64
			  ", size %" PRIu64 ")", u[0], u[1], u[2]);
		break;
	default:
		vcpu_fail(v, "unexpected exit reason %u", run->exit_reason);
		break;
	}
}

static void *vcpu_thread(void *p)
{
	struct td_vcpu *v = p;
	sigset_t s;

	/* SIGINT/SIGTERM are the main thread's; SIGUSR1 kicks this one. */
	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	while (!atomic_load(&v->stop)) {
		if (ubk_ioctl(v->fd, KVM_RUN, NULL) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vcpu_fail(v, "KVM_RUN: errno %d (%s)", errno, strerror(errno));
			break;
		}
		if (v->run->exit_reason == KVM_EXIT_IO &&
		    v->run->io.direction == KVM_EXIT_IO_OUT &&
		    v->run->io.port == TD_PORT_READY && !v->ready) {
			ready(v);
		} else if (v->run->exit_reason == KVM_EXIT_IO &&
			   v->run->io.direction == KVM_EXIT_IO_OUT &&
			   v->run->io.port == TD_PORT_BEAT) {
			atomic_store(&v->beat_ns, ub_now_ns());
		} else if (v->run->exit_reason == KVM_EXIT_IO &&
			   v->run->io.direction == KVM_EXIT_IO_OUT &&
			   v->run->io.port == TD_PORT_DONE && !v->reported) {
			reported(v);
			if (atomic_load(&v->g->failed))
				break;
		} else {
			unexpected(v);
			break;
		}
	}
	atomic_store(&v->exited, 1);
	pthread_mutex_lock(&v->g->lock);
	pthread_cond_broadcast(&v->g->cond);
	pthread_mutex_unlock(&v->g->lock);
	return NULL;
}

static void on_kick(int sig)
{
	(void)sig;
}

/* Start every vCPU of G (phase READY). 0 or -1 (guest_fail). */
static int start(struct guest *g)
{
	static int installed;
	struct sigaction sa;

	if (!installed) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_kick;	/* no SA_RESTART: KVM_RUN ends */
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
		installed = 1;
	}
	for (unsigned i = 0; i < g->nvcpu; i++) {
		struct td_vcpu *v = &g->vc[i];
		pthread_attr_t at;
		int rc;

		pthread_attr_init(&at);
		pthread_attr_setstacksize(&at, TD_VCPU_STACK);
		rc = pthread_create(&v->t, &at, vcpu_thread, v);
		pthread_attr_destroy(&at);
		if (rc) {
			vcpu_fail(v, "pthread_create: %s", strerror(rc));
			return -1;
		}
		v->started = 1;
	}
	return 0;
}

int touch_beat_stale(uint64_t beat, uint64_t now, uint64_t limit_ns)
{
	/* A beat stored after NOW was read is newer than NOW: fresh. */
	return beat && now > beat && now - beat > limit_ns;
}

/* A vCPU of G that has not reported and showed no progress for
 * TD_STALL_S seconds (under g->lock). */
static int stalled(struct guest *g)
{
	uint64_t now = ub_now_ns();

	for (unsigned i = 0; i < g->nvcpu; i++) {
		uint64_t b = atomic_load(&g->vc[i].beat_ns);

		if (!g->vc[i].reported &&
		    touch_beat_stale(b, now, TD_STALL_S * 1000000000ULL))
			return 1;
	}
	return 0;
}

/* Wait until COND(g) holds for every guest, a guest failed, a signal
 * came or (LIMIT_S > 0) that many seconds passed, or (STALL) a vCPU
 * stopped making progress. 0, -1, 130, or 1 on the limit or a stall. */
static int wait_all(struct guest *gs, unsigned n, int (*cond)(struct guest *),
		    unsigned limit_s, int stall)
{
	uint64_t t0 = ub_now_ns();

	for (unsigned k = 0; k < n; k++) {
		struct guest *g = &gs[k];

		pthread_mutex_lock(&g->lock);
		while (!cond(g) && !atomic_load(&g->failed) && !ub_signal_pending()) {
			if ((limit_s && ub_now_ns() - t0 > limit_s * 1000000000ULL) ||
			    (stall && stalled(g))) {
				pthread_mutex_unlock(&g->lock);
				return 1;
			}
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 50 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&g->cond, &g->lock, &ts);
		}
		pthread_mutex_unlock(&g->lock);
		if (ub_signal_pending())
			return 130;
		if (atomic_load(&g->failed))
			return -1;
	}
	return 0;
}

static int all_ready(struct guest *g)
{
	return g->ready == g->nvcpu;
}

static int all_reported(struct guest *g)
{
	return g->reported == g->nvcpu;
}

/* Every vCPU blocked in HLT inside KVM_RUN (KVM's "blocking" stat);
 * the stats fds are closed afterwards (they hold the VM). 0, or -1 when
 * some vCPU was not seen blocked (the note says so). */
static int wait_halted(struct guest *g)
{
	int ret = 0;

	static const char *const name[] = { "blocking" };
	uint64_t t0 = ub_now_ns();

	for (unsigned i = 0; i < g->nvcpu; i++) {
		struct td_vcpu *v = &g->vc[i];
		struct ubk_err e;
		uint64_t b = 0;

		while (v->stats_fd >= 0 && !ub_signal_pending()) {
			struct timespec ts = { 0, 2 * 1000 * 1000 };

			if (ubk_stats_read(v->stats_fd, name, &b, 1, &e) || b == 1 ||
			    b == UINT64_MAX)
				break;
			if (ub_now_ns() - t0 > 120ULL * 1000000000ULL) {
				size_t l = strlen(g->xnote);

				snprintf(g->xnote + l, sizeof(g->xnote) - l, "%svCPU %u "
					 "was not yet blocked in HLT when teardown began",
					 l ? "; " : "", i);
				ret = -1;
				break;
			}
			nanosleep(&ts, NULL);
		}
		if (b != 1)
			ret = -1;
		if (v->stats_fd >= 0)
			close(v->stats_fd);
		v->stats_fd = -1;
	}
	return ret;
}

/*
 * vCPUs that never reached TD_PORT_READY (a few instructions) within the
 * limit, or stopped making progress: stop every vCPU, then say where the
 * late ones are (their fds are free once they left KVM_RUN). A RIP
 * outside the guest code means the vCPU's state was lost underneath the
 * guest (seen in the QEMU/TCG testbed's nested SVM: the L1 kernel's RIP
 * and CR3 in the L2 state).
 */
static void late(struct guest *gs, unsigned n, int phase_ready)
{
	uint64_t now = ub_now_ns();

	for (unsigned k = 0; k < n; k++)
		touch_stop(&gs[k]);
	for (unsigned k = 0; k < n; k++) {
		for (unsigned i = 0; i < gs[k].nvcpu; i++) {
			struct td_vcpu *v = &gs[k].vc[i];
			struct kvm_mp_state mp = { .mp_state = 99 };
			struct kvm_regs r = { 0 };
			struct kvm_sregs sr = { 0 };
			uint64_t b = atomic_load(&v->beat_ns);
			int lost;

			if (phase_ready ? v->ready :
			    v->reported || !touch_beat_stale(b, now, TD_STALL_S * 1000000000ULL))
				continue;
			ubk_ioctl(v->fd, KVM_GET_MP_STATE, &mp);
			ubk_ioctl(v->fd, KVM_GET_REGS, &r);
			ubk_ioctl(v->fd, KVM_GET_SREGS, &sr);
			lost = r.rip < ctl_gpa(0) || r.rip >= ctl_gpa(1);
			vcpu_fail(v, "%s (mp_state %u, RIP 0x%llx, R9 0x%llx, CR0 "
				  "0x%llx, CR3 0x%llx)%s", phase_ready ?
				  "never reached the guest code's first port I/O" :
				  "made no progress for " UB_STR(TD_STALL_S) " s",
				  mp.mp_state, (unsigned long long)r.rip,
				  (unsigned long long)r.r9, (unsigned long long)sr.cr0,
				  (unsigned long long)sr.cr3, lost ? ": its state was "
				  "lost (RIP outside the guest code), as a nested "
				  "emulator can lose it" : "");
		}
	}
}

int touch_populate(struct guest *gs, unsigned n, struct ub_progress *pr,
		   const char *note)
{
	double done = 0;
	int r = 0;

	for (unsigned k = 0; k < n && !r; k++)
		r = start(&gs[k]);
	/* A few instructions per vCPU: minutes mean it is not running. */
	if (!r)
		r = wait_all(gs, n, all_ready, 300, 0);
	if (r == 1) {
		late(gs, n, 1);
		r = -1;
	}
	/* The control pages are mapped, the guest memory not yet touched. */
	for (unsigned k = 0; k < n && !r; k++) {
		struct ubk_err e;

		if (guest_mappings(&gs[k], gs[k].base, &e)) {
			guest_fail(&gs[k], e.msg);
			r = -1;
		}
	}
	/*
	 * Map the guest memory with KVM_PRE_FAULT_MEMORY from the host while
	 * the vCPUs wait (not in KVM_RUN: their fds are free), where KVM
	 * offers it; the guest then writes every page without a fault exit.
	 * The state teardown finds is the same as after the guest's own
	 * faults (4K mappings, written pages, live vCPUs); a QEMU/TCG testbed
	 * loses a nested vCPU's state about once in a million fault exits.
	 */
	for (unsigned k = 0; k < n && !r; k++)
		gs[k].pop_t0 = ub_now_ns();
	if (!r && gs[0].spec->can_prefault) {
		populate_reset();
		populate_wave(gs, 0, n, populate_thread, pr, note);
		for (unsigned k = 0; k < n && !r; k++)
			if (atomic_load(&gs[k].failed))
				r = -1;
	}
	for (unsigned k = 0; k < n && !r; k++) {
		pthread_mutex_lock(&gs[k].lock);
		for (unsigned i = 0; i < gs[k].nvcpu; i++)
			atomic_store(&gs[k].vc[i].beat_ns, ub_now_ns());
		gs[k].go = 1;
		pthread_cond_broadcast(&gs[k].cond);
		pthread_mutex_unlock(&gs[k].lock);
	}
	if (!r)
		r = wait_all(gs, n, all_reported, 0, 1);
	if (r == 1) {
		late(gs, n, 0);
		r = -1;
	}
	for (unsigned k = 0; k < n && !r; k++) {
		struct guest *g = &gs[k];

		for (unsigned i = 0; i < g->nvcpu; i++)
			g->touched += g->vc[i].pages;
		done += (double)g->touched * UB_PAGE_BYTES;
		if (!wait_halted(g))
			ub_logfile("teardown: guest %u: %u vCPU(s) wrote and verified %"
				   PRIu64 " pages and are blocked in HLT inside KVM_RUN",
				   k, g->nvcpu, g->touched);
		progress_update(pr, done, note);
	}
	return r;
}

void touch_stop(struct guest *g)
{
	for (unsigned i = 0; g->vc && i < g->nvcpu; i++) {
		struct td_vcpu *v = &g->vc[i];

		atomic_store(&v->stop, 1);
		if (v->run)
			v->run->immediate_exit = 1;
	}
	if (g->vc) {
		pthread_mutex_lock(&g->lock);
		pthread_cond_broadcast(&g->cond);	/* one waiting for go */
		pthread_mutex_unlock(&g->lock);
	}
	for (unsigned i = 0; g->vc && i < g->nvcpu; i++) {
		struct td_vcpu *v = &g->vc[i];

		while (v->started && !atomic_load(&v->exited)) {
			struct timespec ts = { 0, 5 * 1000 * 1000 };

			pthread_kill(v->t, SIGUSR1);
			nanosleep(&ts, NULL);
		}
		if (v->started)
			pthread_join(v->t, NULL);
		v->started = 0;
		if (v->stats_fd >= 0)
			close(v->stats_fd);
		v->stats_fd = -1;
		/* The mapping holds the vCPU file: unmap before the close. */
		if (v->run)
			munmap(v->run, v->run_len);
		v->run = NULL;
	}
}

void touch_free(struct guest *g)
{
	touch_stop(g);
	free(g->vc);
	g->vc = NULL;
	if (g->ctl)
		munmap(g->ctl, g->ctl_len);
	g->ctl = NULL;
}
