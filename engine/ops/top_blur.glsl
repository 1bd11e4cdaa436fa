#version 330 core
// blurTOP: one separable pass of TAPS fetches (one texel in the pass's
// direction apart), weighted by uWeight, worked out once per size by the
// op.
//
// TEXELS (a CPU renderer, where a filtered fetch costs several plain
// ones): texel by texel, from -(TAPS - 1) to TAPS - 1 along x (DIR 0) or
// y (DIR 1), with EXTEND saying what lies beyond the edges (0 hold, 1 zero,
// 2 repeat, 3 mirror). Else each fetch lies between two texels at the
// point their weights give (uOffset, along uStep) and sums both through
// linear filtering, so a radius r costs r + 1 fetches instead of 2r + 1;
// the sampler's wrap does what EXTEND says.
in vec2 vUV;
uniform sampler2D uInput;
uniform float uWeight[TAPS];
out vec4 fragColor;
#ifdef TEXELS
// One coordinate changes along the pass: x (DIR 0) or y (DIR 1).
int extend(int q, int n) {
#if EXTEND == 0
    return clamp(q, 0, n - 1);
#elif EXTEND == 2
    return (q % n + n) % n;
#elif EXTEND == 3
    q = (q % (2 * n) + 2 * n) % (2 * n);
    return q < n ? q : 2 * n - 1 - q;
#else
    return q;
#endif
}
// The texel k from p along the pass, as EXTEND says.
vec4 at(ivec2 p, int k, int n) {
    ivec2 q = p;
    q[DIR] = extend(p[DIR] + k, n);
#if EXTEND == 1
    if (q[DIR] < 0 || q[DIR] >= n)
        return vec4(0.0);
#endif
    return texelFetch(uInput, q, 0);
}
// The kernel is symmetric: uWeight[k] is the weight of the texels k to
// either side, summed before it is applied.
void main() {
    ivec2 p = PIXEL(uInput);
    int n = textureSize(uInput, 0)[DIR];
    vec4 sum = uWeight[0] * texelFetch(uInput, p, 0);
    for (int k = 1; k < TAPS; k++)
        sum += uWeight[k] * (at(p, -k, n) + at(p, k, n));
    fragColor = sum;
}
#else
uniform vec2 uStep;
uniform float uOffset[TAPS];
void main() {
    vec4 sum = vec4(0.0);
    for (int i = 0; i < TAPS; i++)
        sum += uWeight[i] * texture(uInput, vUV + uOffset[i] * uStep);
    fragColor = sum;
}
#endif
