#version 330 core
// blurTOP: one separable pass along uStep (one texel in one direction).
// Gaussian with sigma = radius / 3, or a box of the radius.
in vec2 vUV;
uniform sampler2D uInput;
uniform vec2 uStep;
uniform float uRadius;
uniform int uBox;
out vec4 fragColor;
void main() {
    int r = int(ceil(uRadius));
    float sigma = max(uRadius / 3.0, 1e-4);
    vec4 sum = vec4(0.0);
    float wsum = 0.0;
    for (int i = -r; i <= r; i++) {
        float d = float(i);
        float w = uBox != 0 ? (abs(d) <= uRadius ? 1.0 : 0.0)
                            : exp(-0.5 * d * d / (sigma * sigma));
        sum += w * texture(uInput, vUV + d * uStep);
        wsum += w;
    }
    fragColor = sum / wsum;
}
