#pragma once
// The blocks of the thread block cluster kernels' clusters (cluster_steps.cu, deferred_steps.cu): CLUSTER_BLOCKS,
// over 8 a size that is not portable (CudaBackend allows it, and a GPU may still refuse it), and
// PORTABLE_CLUSTER_BLOCKS, 8, the most that CUDA calls portable. Java's twins: CudaBackend.
#define CLUSTER_BLOCKS 16
#define PORTABLE_CLUSTER_BLOCKS 8
