// Every kernel of kernels/*.cu, for the programs that run them on the CPU (block_emulator.h first).
#pragma once
#include "add_bias.cu"
#include "argmax.cu"
#include "bias_sigmoid.cu"
#include "gather.cu"
#include "hidden_step.cu"
#include "logistic_cost.cu"
#include "output_step.cu"
#include "sum_squares.cu"
