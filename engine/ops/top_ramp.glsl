#version 330 core
// rampTOP: colour keys along a direction, TYPE: 0 horizontal, 1 vertical,
// 2 radial, 3 circular, with KEYS keys (both fixed by the variant). The op
// folds what is the same for every pixel into the uniforms: uScale and
// uOrigin map vUV to the position (with the aspect, and for horizontal,
// vertical and radial the period: t = along / period + phase), uPhase;
// key i (from 1) mixes in uDelta[i] (its colour less the one before) by
// clamp(t * uA[i] + uB[i], 0, 1), which is 0 before the key before it,
// 1 from the key on and a line between (a step where both are at one
// place).
in vec2 vUV;
uniform vec2 uScale, uOrigin;
uniform float uPhase, uInvPeriod;
uniform float uA[KEYS], uB[KEYS];
uniform vec4 uColor0, uDelta[KEYS];
out vec4 fragColor;
void main() {
    vec2 c = vUV * uScale + uOrigin;
#if TYPE == 0
    float t = c.x + uPhase;
#elif TYPE == 1
    float t = c.y + uPhase;
#elif TYPE == 2
    float t = length(c) + uPhase;
#else
    float t = fract(fract(atan(c.y, c.x) / 6.28318530718 + 1.0) *
                    uInvPeriod + uPhase);
#endif
#if TYPE != 3
    t = clamp(t, 0.0, 1.0);
#endif
    vec4 col = uColor0;
    for (int i = 1; i < KEYS; i++)
        col += uDelta[i] * clamp(t * uA[i] + uB[i], 0.0, 1.0);
    fragColor = vec4(col.rgb * col.a, col.a);
}
