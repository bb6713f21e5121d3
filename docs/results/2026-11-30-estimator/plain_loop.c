/* The control workload without probecost: a 1-byte read of /dev/zero and a 1-byte write to
 * /dev/null per operation, pinned to one CPU, timed in ~200 µs batches; prints, for each of
 * RUNS runs of OPS operations, the mean and the 1st percentile of the batch costs, ns per
 * operation, as probecost's control runs record them.
 *
 *     gcc -O2 -o plain_loop plain_loop.c && ./plain_loop CPU RUNS OPS */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
	int cpu = argc > 1 ? atoi(argv[1]) : 1, runs = argc > 2 ? atoi(argv[2]) : 12;
	long ops = argc > 3 ? atol(argv[3]) : 300000;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return perror("sched_setaffinity"), 1;
	int in = open("/dev/zero", O_RDONLY), out = open("/dev/null", O_WRONLY);
	char byte;
	/* Size batches to ~200 µs from a 10 000-operation probe. */
	double start = now_ns();
	for (int i = 0; i < 10000; i++)
		if (read(in, &byte, 1) != 1 || write(out, &byte, 1) != 1)
			return 1;
	long batch = (long)(200000.0 / ((now_ns() - start) / 10000));
	double *costs = malloc(sizeof(double) * (ops / batch + 1));
	printf("run mean_ns_per_op p1_ns_per_op batches\n");
	for (int run = 0; run < runs; run++) {
		long done = 0, n = 0;
		double run_start = now_ns(), batch_start = run_start;
		while (done < ops) {
			for (long i = 0; i < batch; i++)
				if (read(in, &byte, 1) != 1 || write(out, &byte, 1) != 1)
					return 1;
			double t = now_ns();
			costs[n++] = (t - batch_start) / batch;
			batch_start = t;
			done += batch;
		}
		double mean = (now_ns() - run_start) / done;
		qsort(costs, n, sizeof(double), by_value);
		printf("%d %.1f %.1f %ld\n", run, mean, costs[(long)(0.01 * (n - 1))], n);
	}
	return 0;
}
