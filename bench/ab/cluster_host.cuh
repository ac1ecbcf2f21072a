#pragma once
// What bench/ab's thread block cluster programs (cluster_steps_timeline.cu, deferred_steps_timeline.cu) share, after
// ab_host.cuh and cooperative_groups.h: random data, the error measure of their checks against the book's step in
// doubles and the orders the checks run in, cluster barriers alone, a median of timed runs, and on a GPU the launch of
// one cluster of the program's size.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <vector>

// n cluster barriers: what those of a program's kernel cost by themselves.
extern "C" __global__ void __launch_bounds__(512, 1) cluster_barriers(int n) {
    cooperative_groups::cluster_group cluster = cooperative_groups::this_cluster();
    for (int i = 0; i < n; i++) {
        cluster.sync();
    }
}

static float uniform() {
    return (float)rand() / RAND_MAX * 2 - 1;
}

// The largest of |got - want| over the largest change the steps made from `before` (want - before): an error in the
// updates shows, however small a step is against the weights. NaN where any is.
static double error(const std::vector<float>& got, const std::vector<double>& want, const std::vector<float>& before) {
    double err = 0, change = 0;
    for (size_t i = 0; i < got.size(); i++) {
        double e = std::fabs(got[i] - want[i]);
        if (std::isnan(e)) return NAN;
        err = std::max(err, e);
        change = std::max(change, std::fabs(want[i] - before[i]));
    }
    return err / change;
}

// The orders in which a program's check runs its kernel: on the emulator also with its blocks and threads run last to
// first (check_order), so that a read of what another block or thread writes without a barrier between shows in
// one of the two.
#ifdef __CUDACC__
static const std::vector<const char*> CHECK_ORDERS = {""};
#else
static const std::vector<const char*> CHECK_ORDERS = {"", ", blocks and threads run last to first"};
#endif

// Runs what follows in `order`, one of CHECK_ORDERS.
static void check_order(const char* order) {
#ifndef __CUDACC__
    emulator::reverse = *order != 0;
#endif
}

// The median time in ms of `launches` runs of launch(), after one more run as a warm-up that finish() waits for.
template <class Launch, class Finish>
static double median_ms(int launches, Launch launch, Finish finish) {
    launch();
    finish();
    std::vector<double> ms;
    for (int i = 0; i < launches; i++) ms.push_back(timed([&] { launch(); }));
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

#ifdef __CUDACC__
// One cluster of `blocks` blocks of `threads`, `shared` bytes of dynamic shared memory each, for `kernels` (and
// cluster_barriers, without the shared memory: barriers()). Prints the device; where it cannot hold such a cluster
// (over 8 blocks is not portable), says so and `resident` is false.
struct ClusterLaunch {
    cudaLaunchAttribute attribute = {};
    cudaLaunchConfig_t config = {};
    bool resident = false;

    // config points at attribute: a copy would point at the original's
    ClusterLaunch(const ClusterLaunch&) = delete;
    ClusterLaunch& operator=(const ClusterLaunch&) = delete;

    ClusterLaunch(int blocks, int threads, size_t shared, std::initializer_list<const void*> kernels) {
        cudaDeviceProp prop;
        check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
        for (const void* k : kernels) {
            check(cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)shared), "cudaFuncSetAttribute");
            check(cudaFuncSetAttribute(k, cudaFuncAttributeNonPortableClusterSizeAllowed, 1), "cudaFuncSetAttribute");
        }
        check(cudaFuncSetAttribute(cluster_barriers, cudaFuncAttributeNonPortableClusterSizeAllowed, 1), "cudaFuncSetAttribute");
        attribute.id = cudaLaunchAttributeClusterDimension;
        attribute.val.clusterDim.x = blocks;
        attribute.val.clusterDim.y = 1;
        attribute.val.clusterDim.z = 1;
        config.gridDim = dim3(blocks);
        config.blockDim = dim3(threads);
        config.dynamicSmemBytes = shared;
        config.attrs = &attribute;
        config.numAttrs = 1;
        int clusters = 0;
        cudaError_t e = cudaOccupancyMaxActiveClusters(&clusters, *kernels.begin(), &config);
        printf("device: %s, %d multiprocessors\n", prop.name, prop.multiProcessorCount);
        resident = e == cudaSuccess && clusters > 0;
        if (!resident) {
            printf(AB_PROGRAM ": a cluster of %d blocks of %d threads with %zu bytes of shared memory each cannot be resident here (%s)\n", blocks,
                   threads, shared, e != cudaSuccess ? cudaGetErrorString(e) : "0 such clusters at once");
        }
    }

    // n cluster barriers on the cluster, launched
    void barriers(int n) {
        cudaLaunchConfig_t plain = config;
        plain.dynamicSmemBytes = 0;
        check(cudaLaunchKernelEx(&plain, cluster_barriers, n), "cudaLaunchKernelEx");
    }
};
#endif
