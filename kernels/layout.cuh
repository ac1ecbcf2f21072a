#pragma once
// The blocks the kernels are written for, which CudaBackend.LAYOUT launches them with (a test checks that
// the two agree): the step kernels' blocks of COLS_PER_BLOCK columns x ROW_GROUPS row groups, and the
// single-block reductions' REDUCE_THREADS threads.
#define COLS_PER_BLOCK 32
#define ROW_GROUPS 32
#define REDUCE_THREADS 1024
