/* The dd-style operation (1-byte read of /dev/zero, 1-byte write to /dev/null) in a plain C
 * loop on the main thread, pinned to one CPU, timed in batches of 500 operations for about
 * 150 ms; prints the 1st percentile of the batches' ns per operation (the floor).
 *
 *     gcc -O2 -o floor_loop floor_loop.c && ./floor_loop CPU
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define BATCH_OPS 500
#define MAX_BATCHES 4096

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
	static double batch[MAX_BATCHES];
	int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
	cpu_set_t cpus;
	double start;
	int n = 0;
	char byte;

	CPU_ZERO(&cpus);
	CPU_SET(argc > 1 ? atoi(argv[1]) : 1, &cpus);
	if (zero < 0 || null < 0 || sched_setaffinity(0, sizeof cpus, &cpus)) {
		perror("floor_loop");
		return 1;
	}
	start = now_ns();
	while (n < MAX_BATCHES && now_ns() - start < 150e6) {
		double t0 = now_ns();
		for (int i = 0; i < BATCH_OPS; i++) {
			if (read(zero, &byte, 1) != 1 || write(null, &byte, 1) != 1)
				return 1;
		}
		batch[n++] = (now_ns() - t0) / BATCH_OPS;
	}
	qsort(batch, n, sizeof batch[0], by_value);
	printf("%.1f\n", batch[n / 100]);
	return 0;
}
