// The CPU's float32 peak, for the peak-fraction table of docs/performance.md: the clock (a chain of dependent
// integer adds retires one add per cycle) and the AVX-512 FMA rate (12 independent vfmadd chains per thread, enough
// to keep both FMA pipes busy through their latency), on one thread and on two. Both are timed in thread CPU time,
// not wall time, so that a shared machine's preemption does not lower them.
//
//   gcc -O2 -mavx512f -fopenmp fma_peak.c -o fma_peak && ./fma_peak
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// Cycles per second: 16 dependent adds per iteration, one per cycle.
static double clock_ghz(long iterations)
{
    long x = 0;
    double t = cpu_seconds();
    for (long i = 0; i < iterations; i++)
        __asm__ volatile("add $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\t"
                         "add $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0\n\tadd $1,%0" : "+r"(x));
    return 16.0 * iterations / (cpu_seconds() - t) / 1e9;
}

// GFLOP/s of 12 independent 16-lane FMA chains (2 FLOP per lane per FMA). Distinct starting values keep the
// compiler from merging the chains.
static double fma_gflops(long iterations)
{
    __m512 a[12];
    for (int k = 0; k < 12; k++) a[k] = _mm512_set1_ps(1.0f + 0.1f * k);
    __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    double t = cpu_seconds();
    for (long i = 0; i < iterations; i++)
    {
        a[0] = _mm512_fmadd_ps(a[0], m, c); a[1] = _mm512_fmadd_ps(a[1], m, c); a[2] = _mm512_fmadd_ps(a[2], m, c);
        a[3] = _mm512_fmadd_ps(a[3], m, c); a[4] = _mm512_fmadd_ps(a[4], m, c); a[5] = _mm512_fmadd_ps(a[5], m, c);
        a[6] = _mm512_fmadd_ps(a[6], m, c); a[7] = _mm512_fmadd_ps(a[7], m, c); a[8] = _mm512_fmadd_ps(a[8], m, c);
        a[9] = _mm512_fmadd_ps(a[9], m, c); a[10] = _mm512_fmadd_ps(a[10], m, c); a[11] = _mm512_fmadd_ps(a[11], m, c);
    }
    t = cpu_seconds() - t;
    __m512 s = a[0];
    for (int k = 1; k < 12; k++) s = _mm512_add_ps(s, a[k]);
    volatile float sink = _mm512_reduce_add_ps(s);
    (void)sink;
    return 12.0 * 16 * 2 * iterations / t / 1e9;
}

int main(void)
{
    for (int trial = 0; trial < 5; trial++)
    {
        double ghz = clock_ghz(200000000L);
        double one = fma_gflops(100000000L);
        double two = 0;
#pragma omp parallel num_threads(2) reduction(+ : two)
        two += fma_gflops(100000000L);
        printf("trial %d: clock %.3f GHz; FMA, 1 thread %.1f GFLOP/s (%.1f FLOP/cycle); 2 threads %.1f GFLOP/s\n",
               trial, ghz, one, one / ghz, two);
    }
    return 0;
}
