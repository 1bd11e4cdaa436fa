#version 330 core
// blurTOP: one separable pass along uStep (one texel in one direction).
// Gaussian with sigma = radius / 3, or a box of the radius.
in vec2 vUV;
uniform sampler2D uInput;
uniform vec2 uStep;
uniform float uRadius;
uniform int uBox;
out vec4 fragColor;
float weight(float d, float sigma) {
    return uBox != 0 ? (abs(d) <= uRadius ? 1.0 : 0.0)
                     : exp(-0.5 * d * d / (sigma * sigma));
}
// Two neighbouring taps per fetch: linear filtering between texels i and
// i + 1 at the point weighted by their weights gives their weighted sum
// exactly, so a radius r costs r + 1 fetches instead of 2r + 1.
void main() {
    int r = int(ceil(uRadius));
    float sigma = max(uRadius / 3.0, 1e-4);
    vec4 sum = vec4(0.0);
    float wsum = 0.0;
    for (int i = -r; i <= r; i += 2) {
        float d0 = float(i), d1 = float(i + 1);
        float w0 = weight(d0, sigma);
        float w1 = i + 1 <= r ? weight(d1, sigma) : 0.0;
        float w = w0 + w1;
        if (w <= 0.0)
            continue;
        sum += w * texture(uInput, vUV + (d0 * w0 + d1 * w1) / w * uStep);
        wsum += w;
    }
    fragColor = sum / wsum;
}
