/* Does the control workload's level belong to the process or to the moment? Runs the control
 * workload (a 1-byte read of /dev/zero and a 1-byte write to /dev/null per operation, on CPU 1,
 * timed in ~200 µs batches) RUNS times for OPS operations, either all in this process
 * (`same`) or each in a new forked child pinned to CPU 1 while the parent waits on CPU 0
 * (`fork`, as probecost makes its runs), and prints each run's 1st-percentile batch cost.
 *
 *     gcc -O2 -o level_switching level_switching.c
 *     for i in 1 2 3; do ./level_switching same 20 400000; ./level_switching fork 20 400000; done
 *
 * Columns: mode, run, milliseconds since the first run started, the run's floor (ns/op). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int in, out;
static long batch;
static double costs[100000];

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity"), exit(1);
}

/* One run: OPS operations in batches; returns the 1st percentile of the batch costs. */
static double one_run(long ops)
{
	char byte;
	long done = 0, n = 0;
	double batch_start = now_ns();
	while (done < ops) {
		for (long i = 0; i < batch; i++)
			if (read(in, &byte, 1) != 1 || write(out, &byte, 1) != 1)
				exit(1);
		double t = now_ns();
		costs[n++] = (t - batch_start) / batch;
		batch_start = t;
		done += batch;
	}
	qsort(costs, n, sizeof(double), by_value);
	return costs[n / 100];
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return fprintf(stderr, "usage: %s same|fork RUNS OPS\n", argv[0]), 2;
	int forked = !strcmp(argv[1], "fork"), runs = atoi(argv[2]);
	long ops = atol(argv[3]);
	in = open("/dev/zero", O_RDONLY);
	out = open("/dev/null", O_WRONLY);
	pin(1);
	/* Size batches to ~200 µs from a 10 000-operation probe. */
	char byte;
	double start = now_ns();
	for (int i = 0; i < 10000; i++)
		if (read(in, &byte, 1) != 1 || write(out, &byte, 1) != 1)
			return 1;
	batch = (long)(200000.0 / ((now_ns() - start) / 10000));
	if (forked)
		pin(0);
	double first = now_ns();
	for (int run = 0; run < runs; run++) {
		double floor;
		if (forked) {
			int fd[2];
			if (pipe(fd))
				return perror("pipe"), 1;
			pid_t child = fork();
			if (child == 0) {
				pin(1);
				double v = one_run(ops);
				_exit(write(fd[1], &v, sizeof(v)) != sizeof(v));
			}
			if (read(fd[0], &floor, sizeof(floor)) != sizeof(floor))
				return 1;
			waitpid(child, NULL, 0);
			close(fd[0]);
			close(fd[1]);
		} else {
			floor = one_run(ops);
		}
		printf("%s %d %.1f %.1f\n", argv[1], run, (now_ns() - first) / 1e6, floor);
		fflush(stdout);
	}
	return 0;
}
