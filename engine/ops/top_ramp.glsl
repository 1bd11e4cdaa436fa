#version 330 core
// rampTOP: colour keys along a direction. uKeys holds uCount keys sorted
// by position.
in vec2 vUV;
uniform int uType;          // 0 horizontal, 1 vertical, 2 radial, 3 circular
uniform float uPhase, uPeriod, uAspect;
uniform int uCount;
uniform float uPos[8];
uniform vec4 uColor[8];
out vec4 fragColor;
void main() {
    vec2 c = (vUV - 0.5) * vec2(uAspect, 1.0);
    float t;
    if (uType == 0) t = vUV.x;
    else if (uType == 1) t = vUV.y;
    else if (uType == 2) t = length(c) * 2.0;
    else t = fract(atan(c.y, c.x) / 6.28318530718 + 1.0);
    t = t / uPeriod + uPhase;
    t = uType == 3 ? fract(t) : clamp(t, 0.0, 1.0);
    vec4 col = uColor[0];
    for (int i = 1; i < uCount; i++) {
        if (t >= uPos[i - 1]) {
            float span = uPos[i] - uPos[i - 1];
            float f = span > 0.0 ? clamp((t - uPos[i - 1]) / span, 0.0, 1.0)
                                 : 1.0;
            col = mix(uColor[i - 1], uColor[i], f);
        }
    }
    fragColor = vec4(col.rgb * col.a, col.a);
}
