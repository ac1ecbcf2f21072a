// One optimizer step of the parameter *p from its gradient (the step's sum), shared by optimize and
// optimize_layer (optimize.cl, optimize.cu), so both step alike. h holds the rates (slots H_*). g = grad * scale
// (+ l2 * p with decay); then SGD p -= eta g; momentum v = mu v + g, p -= eta v; Nesterov v = mu v + g,
// p -= eta (g + mu v); Adam m = b1 m + (1 - b1) g, s = b2 s + (1 - b2) g^2, p -= eta (m / (1 - b1^t)) /
// (sqrt(s / (1 - b2^t)) + eps), b^t from h (advance). *s1 and *s2: the state, as the kind reads it.
// One text for both GPU backends (dialect.cl): optimizer.cuh includes it. CPU twin: CpuBackend.optimize.
HELPER void optimizer_step(GLOBAL float* p, float grad, GLOBAL float* s1, GLOBAL float* s2, GLOBAL const float* h, int kind, int decay) {
    float eta = h[H_ETA], scale = h[H_GRADIENT_SCALE], l2 = decay ? h[H_L2] : 0.0f;
    float g = grad * scale + l2 * *p;
    if (kind == OPT_MOMENTUM || kind == OPT_NESTEROV) {
        float mu = h[H_MOMENTUM];
        float v = mu * *s1 + g;
        *s1 = v;
        *p -= kind == OPT_MOMENTUM ? eta * v : eta * (g + mu * v);
    } else if (kind == OPT_ADAM) {
        float b1 = h[H_BETA1], b2 = h[H_BETA2], c1 = 1.0f - h[H_BETA1_POWER], c2 = 1.0f - h[H_BETA2_POWER];
        float m = b1 * *s1 + (1.0f - b1) * g;
        float s = b2 * *s2 + (1.0f - b2) * g * g;
        *s1 = m;
        *s2 = s;
        *p -= eta * (m / c1) / (sqrt(s / c2) + h[H_EPSILON]);
    } else {
        *p -= eta * g;
    }
}
