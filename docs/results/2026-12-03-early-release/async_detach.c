/* Does closing a tracepoint link on another thread unhook the probe before the close's RCU
 * wait, and does a run made during that wait cost more?
 *
 *     clang-22 -O2 -g -target bpf -I../../../tests/objects -c \
 *         ../../../tests/objects/sys_enter_read.bpf.c -o counter.bpf.o
 *     gcc -O2 -pthread -o async_detach async_detach.c -l:libbpf.so.1
 *     ./async_detach counter.bpf.o CYCLES async|sync
 *
 * Each cycle: attach the one-counter program, a 50 ms traced run, then detach. `async`: the
 * link is closed on a thread on CPU 0; once that thread sleeps (state D) a 50 ms run is made
 * ("during"), then the thread is joined and another run made ("after"). `sync`: the close
 * returns first, then the same two runs. Runs: 1-byte read(/dev/zero) + write(/dev/null) on
 * CPU 1, batches of 500, the 1st percentile of batch ns/op ("p1") and the mean. leak_* is what
 * the program counted during each run (0: the program was off). The first async cycle prints
 * the closing thread's kernel stack to stderr. libbpf's declarations are written out, so no
 * -dev package is needed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
struct bpf_object; struct bpf_program; struct bpf_link; struct bpf_map;
struct bpf_object *bpf_object__open_file(const char *path, const void *opts);
int bpf_object__load(struct bpf_object *obj);
struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj, const char *name);
struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name);
int bpf_map__lookup_elem(const struct bpf_map *map, const void *key, size_t key_sz, void *value, size_t value_sz, unsigned long long flags);
struct bpf_link *bpf_program__attach(const struct bpf_program *prog);
int bpf_link__destroy(struct bpf_link *link);
long libbpf_get_error(const void *ptr);
#define BATCH_OPS 500
#define MAXB 8192
static double now_ns(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
static int cmp(const void*a,const void*b){double x=*(const double*)a,y=*(const double*)b;return (x>y)-(x<y);}
static int zero, null;
static void pin(int cpu){cpu_set_t c;CPU_ZERO(&c);CPU_SET(cpu,&c);sched_setaffinity(0,sizeof c,&c);}
static double run(double ms, double *mean){static double b[MAXB];int n=0;char byte;double s=now_ns(),tot=0;
 while(n<MAXB&&now_ns()-s<ms*1e6){double t0=now_ns();for(int i=0;i<BATCH_OPS;i++){read(zero,&byte,1);write(null,&byte,1);}b[n]=(now_ns()-t0)/BATCH_OPS;tot+=b[n++];}
 *mean=tot/n;qsort(b,n,sizeof b[0],cmp);return b[n/100];}
static struct bpf_link *closing; static volatile int closer_tid, closed; static double close_ms;
static void *closer(void *arg){pin(0);closer_tid=syscall(SYS_gettid);double t=now_ns();bpf_link__destroy(closing);close_ms=(now_ns()-t)/1e6;closed=1;return NULL;}
static char state_of(int tid, char *wchan){char p[64],buf[512];snprintf(p,64,"/proc/self/task/%d/stat",tid);FILE*f=fopen(p,"r");if(!f)return '?';fgets(buf,512,f);fclose(f);char*r=strrchr(buf,')');
 snprintf(p,64,"/proc/self/task/%d/wchan",tid);f=fopen(p,"r");if(f){wchan[fread(wchan,1,63,f)]=0;fclose(f);}else strcpy(wchan,"-");return r?r[2]:'?';}
static unsigned long long count(struct bpf_map *m){unsigned k=0;unsigned long long v=0;bpf_map__lookup_elem(m,&k,4,&v,8,0);return v;}
int main(int argc,char**argv){
 int cycles=argc>2?atoi(argv[2]):20; const char *mode=argc>3?argv[3]:"async";
 zero=open("/dev/zero",O_RDONLY);null=open("/dev/null",O_WRONLY);pin(1);
 struct bpf_object*o=bpf_object__open_file(argv[1],NULL);if(libbpf_get_error(o)||bpf_object__load(o)){fprintf(stderr,"load\n");return 1;}
 struct bpf_program*p=bpf_object__find_program_by_name(o,"count_reads");struct bpf_map*m=bpf_object__find_map_by_name(o,"reads");
 printf("cycle traced_p1 traced_mean during_p1 during_mean after_p1 after_mean leak_during leak_after wait_us state wchan close_ms\n");
 for(int c=0;c<cycles;c++){double tm,dm,am;
  struct bpf_link*l=bpf_program__attach(p); double tp=run(50,&tm);
  char st='-',wchan[64]="-";double waited=0;
  if(!strcmp(mode,"async")){closing=l;closed=0;closer_tid=0;pthread_t t;pthread_create(&t,NULL,closer,NULL);
   double w0=now_ns();while(!closer_tid);for(;;){st=state_of(closer_tid,wchan);if(st=='D'||closed)break;}waited=(now_ns()-w0)/1e3;
   if(c==0){char p[64],b[4096];snprintf(p,64,"/proc/self/task/%d/stack",closer_tid);FILE*f=fopen(p,"r");if(f){b[fread(b,1,4095,f)]=0;fclose(f);fprintf(stderr,"%s",b);}}
   unsigned long long c0=count(m);double dp=run(50,&dm);unsigned long long c1=count(m);
   pthread_join(t,NULL);double ap=run(50,&am);unsigned long long c2=count(m);
   printf("%d %.2f %.2f %.2f %.2f %.2f %.2f %llu %llu %.0f %c %s %.1f\n",c,tp,tm,dp,dm,ap,am,c1-c0,c2-c1,waited,st,wchan,close_ms);}
  else {double t=now_ns();bpf_link__destroy(l);close_ms=(now_ns()-t)/1e6;unsigned long long c0=count(m);double dp=run(50,&dm);unsigned long long c1=count(m);double ap=run(50,&am);unsigned long long c2=count(m);
   printf("%d %.2f %.2f %.2f %.2f %.2f %.2f %llu %llu 0 - - %.1f\n",c,tp,tm,dp,dm,ap,am,c1-c0,c2-c1,close_ms);}
  fflush(stdout);}
 return 0;}
