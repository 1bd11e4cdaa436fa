#version 330 core
// levelTOP, on unpremultiplied colour, in the order of its pages: invert,
// black level, contrast about 0.5, brightness added, gamma (Pre); the
// input range mapped onto the output range (Range); each channel clamped
// (RGBA); posterised (Step); a second gamma and brightness, a clamp and
// opacity (Post). Steps whose parameters leave the colour as it is are
// not compiled in: LEVEL_PRE (invert, black level), LEVEL_GAMMA,
// LEVEL_PAGES (range, RGBA, step and clamp, each still off by its uniform
// where it does nothing: uLevelStep 0, uLevelClamp low above high,
// uLevelLow/High at the float range) and LEVEL_GAMMA2 say which are;
// LEVEL_PLAIN: none is, nor contrast or a brightness, and the
// premultiplied colour is only scaled by the opacity. Few variants, so
// that parameters that move compile few programs. EXACT: the input has
// the output's size. Contrast and brightness 1 come as one gain and
// offset (uLevelContrast, uLevelBias: 0.5 - 0.5 contrast + brightness).
// FOLD: this follows the shader of the pass before it (op_fold), whose
// main() is fold_input() and whose colour is the input (clamped to 0..1
// with FOLD_CLAMP, as an 8-bit image holds it); the names are the
// level's own (uLevel..., LEVEL_...) so that they meet none of its.
uniform float uLevelBias, uLevelContrast, uLevelGamma, uLevelOpacity;
uniform float uLevelInvert, uLevelBlack, uLevelInLow, uLevelInHigh;
uniform float uLevelOutLow, uLevelOutHigh;
uniform vec4 uLevelLow, uLevelHigh;
uniform float uLevelStep, uLevelThreshold;
uniform float uLevelGamma2, uLevelBrightness2;
uniform vec2 uLevelClamp;

vec4 level(vec4 c) {
#ifdef LEVEL_PLAIN
    return vec4(c.a > 0.0 ? max(c.rgb, 0.0) : vec3(0.0), c.a) *
           uLevelOpacity;
#else
    vec3 rgb = c.a > 0.0 ? c.rgb / c.a : vec3(0.0);
    float alpha = c.a;
#ifdef LEVEL_PRE
    rgb = mix(rgb, 1.0 - rgb, uLevelInvert);
    if (uLevelBlack > 0.0)
        rgb = max(rgb - uLevelBlack, 0.0) / max(1.0 - uLevelBlack, 1e-6);
#endif
    rgb = rgb * uLevelContrast + uLevelBias;
#ifdef LEVEL_GAMMA
    rgb = pow(max(rgb, 0.0), vec3(1.0 / uLevelGamma));
#else
    rgb = max(rgb, 0.0);
#endif
#ifdef LEVEL_PAGES
    rgb = (rgb - uLevelInLow) / max(uLevelInHigh - uLevelInLow, 1e-6) *
          (uLevelOutHigh - uLevelOutLow) + uLevelOutLow;
    vec4 v = clamp(vec4(rgb, alpha), uLevelLow, uLevelHigh);
    rgb = v.rgb;
    alpha = v.a;
    if (uLevelStep > 0.0)
        rgb = floor(rgb / uLevelStep + uLevelThreshold) * uLevelStep;
#endif
#ifdef LEVEL_GAMMA2
    rgb = pow(max(rgb, 0.0), vec3(1.0 / uLevelGamma2)) + uLevelBrightness2;
#else
    rgb = max(rgb, 0.0) + uLevelBrightness2;
#endif
#ifdef LEVEL_PAGES
    if (uLevelClamp.x <= uLevelClamp.y)
        rgb = clamp(rgb, uLevelClamp.x, uLevelClamp.y);
#endif
    float a = alpha * uLevelOpacity;
    return vec4(rgb * a, a);
#endif
}

#ifdef FOLD
void main() {
    fold_input();
#ifdef FOLD_CLAMP
    fragColor = level(clamp(fragColor, 0.0, 1.0));
#else
    fragColor = level(fragColor);
#endif
}
#else
in vec2 vUV;
uniform sampler2D uInput;
out vec4 fragColor;
void main() {
#ifdef EXACT
    fragColor = level(TEXEL(uInput));
#else
    fragColor = level(texture(uInput, vUV));
#endif
}
#endif
