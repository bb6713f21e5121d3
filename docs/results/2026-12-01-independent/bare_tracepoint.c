/* The bare sys_enter_read probe measured outside probecost: a 2-instruction BPF program
 * (`return 0`) attached through perf_event_open each round and detached after, with a plain
 * C loop's floor (minimum of 600 batches of 500 dd operations on CPU 1) traced and then
 * untraced; prints each round's traced floor minus control floor, ns per operation.
 *
 *     gcc -O2 -o bare_tracepoint bare_tracepoint.c && ./bare_tracepoint ROUNDS ATTACH_CPU
 *
 * LINK=1 attaches through a BPF link instead of PERF_EVENT_IOC_SET_BPF; RELOAD=N loads the
 * program again each round after N others (a new JIT placement each round).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int zero, null;

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

static double floor_ns(void)
{
	double best = 1e18;
	char byte;
	for (int k = 0; k < 600; k++) {
		double t0 = now_ns(), d;
		for (int i = 0; i < 500; i++)
			if (read(zero, &byte, 1) != 1 || write(null, &byte, 1) != 1)
				exit(1);
		d = (now_ns() - t0) / 500;
		if (d < best)
			best = d;
	}
	return best;
}

static int load(union bpf_attr *attr)
{
	return syscall(SYS_bpf, BPF_PROG_LOAD, attr, sizeof *attr);
}

int main(int argc, char **argv)
{
	struct bpf_insn insns[] = { { .code = 0xb7 /* r0 = 0 */ }, { .code = 0x95 /* exit */ } };
	int rounds = argc > 1 ? atoi(argv[1]) : 12, attach_cpu = argc > 2 ? atoi(argv[2]) : 1;
	int reload = getenv("RELOAD") ? atoi(getenv("RELOAD")) : -1;
	struct perf_event_attr event = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof event,
					 .sample_period = 1 };
	union bpf_attr prog_attr = { 0 };
	FILE *id;
	int prog;

	zero = open("/dev/zero", O_RDONLY);
	null = open("/dev/null", O_WRONLY);
	prog_attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	prog_attr.insns = (long)insns;
	prog_attr.insn_cnt = 2;
	prog_attr.license = (long)"GPL";
	prog = load(&prog_attr);
	id = fopen("/sys/kernel/tracing/events/syscalls/sys_enter_read/id", "r");
	if (prog < 0 || !id || fscanf(id, "%llu", (unsigned long long *)&event.config) != 1) {
		perror("bare_tracepoint");
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		int perf, link = -1;
		double traced, control;

		pin(attach_cpu);
		if (reload >= 0) {
			int others[64];
			close(prog);
			for (int j = 0; j < reload && j < 64; j++)
				others[j] = load(&prog_attr);
			prog = load(&prog_attr);
			for (int j = 0; j < reload && j < 64; j++)
				close(others[j]);
		}
		perf = syscall(SYS_perf_event_open, &event, -1, 0, -1, 0);
		if (getenv("LINK")) {
			union bpf_attr attr = { 0 };
			attr.link_create.prog_fd = prog;
			attr.link_create.target_fd = perf;
			attr.link_create.attach_type = BPF_PERF_EVENT;
			link = syscall(SYS_bpf, BPF_LINK_CREATE, &attr, sizeof attr);
		} else if (ioctl(perf, PERF_EVENT_IOC_SET_BPF, prog)) {
			perf = -1;
		}
		if (perf < 0 || (getenv("LINK") && link < 0)) {
			perror("attach");
			return 1;
		}
		ioctl(perf, PERF_EVENT_IOC_ENABLE, 0);
		pin(1);
		traced = floor_ns();
		pin(attach_cpu);
		if (link >= 0)
			close(link);
		close(perf);
		pin(1);
		control = floor_ns();
		printf("%.0f ", traced - control);
		fflush(stdout);
	}
	printf("\n");
	return 0;
}
