/* A task left slow by the kernel, and a new task that is not: the bare sys_enter_read program
 * (`return 0`) is attached and detached every round, and a plain C loop's floor (minimum of
 * 600 batches of 500 dd operations on CPU 1) is taken traced and then untraced; each round
 * prints the traced floor minus the control floor, ns per operation (control in brackets).
 * The rounds run on the main thread, then on a new thread, then in a forked child.
 *
 * With TRIGGER=1 a uprobe.multi link is first attached to this process's libc `read` and
 * closed at once (what probecost's kernel-feature detection did), which on the kernels
 * measured leaves the main thread about 40 ns slower per traced event from the next rounds on.
 *
 *     gcc -O2 -pthread -I<libbpf's include/uapi> -o stuck_task stuck_task.c
 *     TRIGGER=1 ./stuck_task ROUNDS LIBC_READ_FILE_OFFSET
 *
 * The offset of `read` in libc: `readelf -sW --dyn-syms /lib/x86_64-linux-gnu/libc.so.6`.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int zero, null, prog, rounds;
static struct perf_event_attr event = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof event,
					.sample_period = 1 };

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
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

static void *measure_rounds(void *label)
{
	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	CPU_SET(1, &cpus);
	sched_setaffinity(0, sizeof cpus, &cpus);
	printf("%-12s", (char *)label);
	for (int r = 0; r < rounds; r++) {
		int perf = syscall(SYS_perf_event_open, &event, -1, 0, -1, 0);
		double traced, control;
		if (perf < 0 || ioctl(perf, PERF_EVENT_IOC_SET_BPF, prog) ||
		    ioctl(perf, PERF_EVENT_IOC_ENABLE, 0)) {
			perror("attach");
			exit(1);
		}
		traced = floor_ns();
		close(perf);
		control = floor_ns();
		printf(" %.0f (%.0f)", traced - control, control);
		fflush(stdout);
	}
	printf("\n");
	return NULL;
}

static int load(union bpf_attr *attr)
{
	return syscall(SYS_bpf, BPF_PROG_LOAD, attr, sizeof *attr);
}

static void trigger(unsigned long read_offset)
{
	struct bpf_insn insns[] = { { .code = 0xb7 }, { .code = 0x95 } };
	union bpf_attr attr = { 0 }, link = { 0 };
	int uprobe, fd;

	attr.prog_type = BPF_PROG_TYPE_KPROBE;
	attr.expected_attach_type = BPF_TRACE_UPROBE_MULTI;
	attr.insns = (long)insns;
	attr.insn_cnt = 2;
	attr.license = (long)"GPL";
	uprobe = load(&attr);
	link.link_create.prog_fd = uprobe;
	link.link_create.attach_type = BPF_TRACE_UPROBE_MULTI;
	link.link_create.uprobe_multi.path = (long)"/lib/x86_64-linux-gnu/libc.so.6";
	link.link_create.uprobe_multi.offsets = (long)&read_offset;
	link.link_create.uprobe_multi.cnt = 1;
	fd = syscall(SYS_bpf, BPF_LINK_CREATE, &link, sizeof link);
	if (uprobe < 0 || fd < 0) {
		perror("uprobe.multi");
		exit(1);
	}
	close(fd);
	close(uprobe);
}

int main(int argc, char **argv)
{
	struct bpf_insn insns[] = { { .code = 0xb7 /* r0 = 0 */ }, { .code = 0x95 /* exit */ } };
	union bpf_attr attr = { 0 };
	pthread_t thread;
	pid_t child;
	FILE *id;

	rounds = argc > 1 ? atoi(argv[1]) : 4;
	zero = open("/dev/zero", O_RDONLY);
	null = open("/dev/null", O_WRONLY);
	attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	attr.insns = (long)insns;
	attr.insn_cnt = 2;
	attr.license = (long)"GPL";
	prog = load(&attr);
	id = fopen("/sys/kernel/tracing/events/syscalls/sys_enter_read/id", "r");
	if (prog < 0 || !id || fscanf(id, "%llu", (unsigned long long *)&event.config) != 1) {
		perror("stuck_task");
		return 1;
	}
	if (getenv("TRIGGER"))
		trigger(strtoul(argc > 2 ? argv[2] : "0xf82a0", NULL, 0));
	measure_rounds("main thread");
	child = fork();
	if (child == 0) {
		measure_rounds("forked child");
		_exit(0);
	}
	waitpid(child, NULL, 0);
	/* Last: a second thread makes every later read and write of the process slower. */
	pthread_create(&thread, NULL, measure_rounds, "new thread");
	pthread_join(thread, NULL);
	return 0;
}
