// The cost of the outputs from their logits z, added to acc[slot]; one work-group of REDUCE_THREADS items.
// CPU twin: CpuBackend.cost. OUT_SIGMOID: the logistic cost of every unit without overflow, softplus(-z)
// for the true class and softplus(z) for the others. OUT_SOFTMAX: each row's cross-entropy,
// log(sum_j e^z_j) - z_label, its maximum subtracted first.
float softplus(float x) {
    return x > 0.0f ? x + log1p(exp(-x)) : log1p(exp(x));
}

__kernel __attribute__((reqd_work_group_size(REDUCE_THREADS, 1, 1)))
void cost(__global const float* z, int zo, __global const float* labels, int yo, int rows, int cols, int output,
          __global float* acc, int slot) {
    __local float scratch[REDUCE_THREADS];
    float sum = 0.0f;
    if (output == OUT_SOFTMAX) {
        for (int r = get_local_id(0); r < rows; r += REDUCE_THREADS) {
            __global const float* row = z + zo + (long)r * cols;
            float m = row[0];
            for (int j = 1; j < cols; j++) {
                m = fmax(m, row[j]);
            }
            float s = 0.0f;
            for (int j = 0; j < cols; j++) {
                s += exp(row[j] - m);
            }
            sum += m + log(s) - row[(int)labels[yo + r]];
        }
    } else {
        for (int i = get_local_id(0); i < rows * cols; i += REDUCE_THREADS) {
            int r = i / cols;
            float v = z[zo + i];
            sum += (i - r * cols) == (int)labels[yo + r] ? softplus(-v) : softplus(v);
        }
    }
    sum = group_sum(sum, scratch);
    if (get_local_id(0) == 0) {
        acc[slot] += sum;
    }
}

// The end of an evaluation, an item a row, for networks of at most EVAL_OUTPUTS outputs: what the layer ops, cost
// and count_correct do after a layer's product, in one launch (as CUDA's evaluate_rows, in float). z holds that
// product without the bias (rows x s1): with layers 1 it is the output layer's, and a row's logits are z + b0;
// with layers 2 it is the last hidden layer's, and the logits are act(z + b0) * w1 + b1 (s1 x s2; the products
// added in order of the hidden units). The row's cost (none when costSlot is negative) and whether its first
// maximum is its label add up per item, then over the work-group, into acc[at + 2 * group] and acc[at + 2 * group
// + 1] (GpuBackend keeps these past an accumulator's slots), which add_partials adds to the slots in group order.
// CPU twin: DeviceNet.evaluate through the layer ops, CpuBackend.cost and CpuBackend.countCorrect.
#if BLOCK_THREADS != REDUCE_THREADS
#error "evaluate_rows's work-groups (an element-wise kernel's) are summed by group_sum (REDUCE_THREADS items)"
#endif
__kernel __attribute__((reqd_work_group_size(BLOCK_THREADS, 1, 1)))
void evaluate_rows(__global const float* z, int zo, __global const float* labels, int yo, __global const float* b0, int b0o,
                   __global const float* w1, int w1o, __global const float* b1, int b1o, int rows, int layers, int s1, int s2,
                   int act, int output, int costSlot, __global float* acc, int at) {
    __local float scratch[BLOCK_THREADS];
    int n = layers == 1 ? s1 : s2;
    float cost = 0.0f, correct = 0.0f;
    for (int r = get_global_id(0); r < rows; r += get_global_size(0)) {
        __global const float* zr = z + zo + (long)r * s1;
        float o[EVAL_OUTPUTS];
#pragma unroll
        for (int j = 0; j < EVAL_OUTPUTS; j++) {
            o[j] = layers == 1 && j < n ? zr[j] + b0[b0o + j] : 0.0f;
        }
        for (int k = 0; layers == 2 && k < s1; k++) {
            float a = activate(zr[k] + b0[b0o + k], act);
            __global const float* wk = w1 + w1o + (long)k * n;
#pragma unroll
            for (int j = 0; j < EVAL_OUTPUTS; j++) {
                if (j < n) {
                    o[j] += a * wk[j];
                }
            }
        }
        int label = (int)labels[yo + r], best = 0;
#pragma unroll
        for (int j = 0; j < EVAL_OUTPUTS; j++) {
            o[j] += layers == 2 && j < n ? b1[b1o + j] : 0.0f;
        }
        float m = o[0], truth = o[0];
#pragma unroll
        for (int j = 1; j < EVAL_OUTPUTS; j++) {
            if (j < n) {
                best = o[j] > m ? j : best;  // the first maximum, as argmax_row
                m = o[j] > m ? o[j] : m;
                truth = j == label ? o[j] : truth;
            }
        }
        correct += best == label ? 1.0f : 0.0f;
        if (costSlot >= 0 && output == OUT_SOFTMAX) {
            float sum = 0.0f;
#pragma unroll
            for (int j = 0; j < EVAL_OUTPUTS; j++) {
                sum += j < n ? exp(o[j] - m) : 0.0f;
            }
            cost += m + log(sum) - truth;
        } else if (costSlot >= 0) {
#pragma unroll
            for (int j = 0; j < EVAL_OUTPUTS; j++) {
                if (j < n) {
                    cost += j == label ? softplus(-o[j]) : softplus(o[j]);
                }
            }
        }
    }
    cost = group_sum(cost, scratch);
    barrier(CLK_LOCAL_MEM_FENCE);  // every item has read the cost's sum: the next reuses the scratch
    correct = group_sum(correct, scratch);
    if (get_local_id(0) == 0) {
        acc[at + 2 * get_group_id(0)] = cost;
        acc[at + 2 * get_group_id(0) + 1] = correct;
    }
}

// Adds evaluate_rows's work-groups' sums (acc[at + 2 * g] and acc[at + 2 * g + 1], g < groups) to acc[costSlot]
// (unless it is negative) and acc[correctSlot], in a fixed order; one work-group of REDUCE_THREADS items.
__kernel __attribute__((reqd_work_group_size(REDUCE_THREADS, 1, 1)))
void add_partials(__global float* acc, int at, int groups, int costSlot, int correctSlot) {
    __local float scratch[REDUCE_THREADS];
    float cost = 0.0f, correct = 0.0f;
    for (int g = get_local_id(0); g < groups; g += REDUCE_THREADS) {
        cost += acc[at + 2 * g];
        correct += acc[at + 2 * g + 1];
    }
    cost = group_sum(cost, scratch);
    barrier(CLK_LOCAL_MEM_FENCE);  // as in evaluate_rows
    correct = group_sum(correct, scratch);
    if (get_local_id(0) == 0) {
        if (costSlot >= 0) {
            acc[costSlot] += cost;
        }
        acc[correctSlot] += correct;
    }
}
