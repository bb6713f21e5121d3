#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#define BATCH_OPS 500
#define MAX_BATCHES 8192
static double now_ns(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
static int by_value(const void*a,const void*b){double x=*(const double*)a,y=*(const double*)b;return (x>y)-(x<y);}
int main(int argc,char**argv){
 static double batch[MAX_BATCHES];
 int zero=open("/dev/zero",O_RDONLY),null=open("/dev/null",O_WRONLY);
 cpu_set_t cpus; int runs=argc>2?atoi(argv[2]):1; double ms=argc>3?atof(argv[3]):50; char byte;
 CPU_ZERO(&cpus);CPU_SET(argc>1?atoi(argv[1]):1,&cpus);
 if(zero<0||null<0||sched_setaffinity(0,sizeof cpus,&cpus)){perror("x");return 1;}
 for(int r=0;r<runs;r++){int n=0;double start=now_ns();
  while(n<MAX_BATCHES&&now_ns()-start<ms*1e6){double t0=now_ns();
   for(int i=0;i<BATCH_OPS;i++){if(read(zero,&byte,1)!=1||write(null,&byte,1)!=1)return 1;}
   batch[n++]=(now_ns()-t0)/BATCH_OPS;}
  qsort(batch,n,sizeof batch[0],by_value);printf("%.2f\n",batch[n/100]);fflush(stdout);}
 return 0;}
