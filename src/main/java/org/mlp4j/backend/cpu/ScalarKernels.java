package org.mlp4j.backend.cpu;

/** Plain Java loops, used when the Vector API module is not enabled ({@code java -jar} without flags). */
final class ScalarKernels implements Kernels {
    @Override
    public void gemmRows(int r0, int r1, int n, int npad, int k, float alpha, float[] a, int ao, int rs, int ks,
                         float[] bp, float beta, float[] c, int co0) {
        float[] acc = new float[npad];
        for (int i = r0; i < r1; i++) {
            java.util.Arrays.fill(acc, 0f);
            for (int p = 0; p < k; p++) {
                float aip = a[ao + i * rs + p * ks];
                int bo = p * npad;
                for (int j = 0; j < npad; j++) {
                    acc[j] += aip * bp[bo + j];
                }
            }
            int co = co0 + i * n;
            for (int j = 0; j < n; j++) {
                c[co + j] = beta == 0f ? alpha * acc[j] : alpha * acc[j] + beta * c[co + j];
            }
        }
    }

    @Override
    public void biasSigmoid(float[] z, int from, int to, float[] bias, int bo, int cols) {
        for (int i = from; i < to; i++) {
            z[i] = FixedExp.sigmoid(z[i] + bias[bo + (i - from) % cols]);
        }
    }

    @Override
    public String name() {
        return "scalar loops (start java with --add-modules jdk.incubator.vector for the Vector API kernels)";
    }
}
