#pragma once
// The constants the kernels share with Java, as CudaBackend launches them (a test checks that the two
// agree): the element-wise kernels' blocks of BLOCK_THREADS threads, train_steps's WHOLE_STEPS_THREADS on a
// multiprocessor (one block of them or two of half as many), the step kernels' blocks of COLS_PER_BLOCK
// columns x ROW_GROUPS row groups, the single-block reductions' REDUCE_THREADS threads, the most outputs
// evaluate_rows takes (EVAL_OUTPUTS), the elements a thread of the gathers copies at once (GATHER_RUN),
// optimize_layer's tiles of UPDATE_TILE x UPDATE_TILE weights (blocks of a quarter as many threads), the
// activations' and outputs' codes (org.mlp4j.Activation and org.mlp4j.Output in declaration order), the leaky
// ReLU's slope, the optimizers' codes and the slots of the hyperparameters optimize reads (org.mlp4j.Optimizer,
// Backend.Hyper).
#define BLOCK_THREADS 256
#define WHOLE_STEPS_THREADS 512
#define COLS_PER_BLOCK 32
#define ROW_GROUPS 32
#define REDUCE_THREADS 1024
#define EVAL_OUTPUTS 16
#define GATHER_RUN 8
#define UPDATE_TILE 16
#define ACT_IDENTITY 0
#define ACT_SIGMOID 1
#define ACT_TANH 2
#define ACT_RELU 3
#define ACT_LEAKY_RELU 4
#define LEAKY_SLOPE 0.01f
#define OUT_SIGMOID 0
#define OUT_SOFTMAX 1
#define OPT_SGD 0
#define OPT_MOMENTUM 1
#define OPT_NESTEROV 2
#define OPT_ADAM 3
#define H_ETA 0
#define H_GRADIENT_SCALE 1
#define H_L2 2
#define H_MOMENTUM 3
#define H_BETA1 4
#define H_BETA2 5
#define H_EPSILON 6
#define H_BETA1_POWER 7
#define H_BETA2_POWER 8
