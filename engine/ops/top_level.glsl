#version 330 core
// levelTOP, on unpremultiplied colour, in the order of its pages: invert,
// black level, contrast about 0.5, brightness added, gamma (Pre); the
// input range mapped onto the output range (Range); each channel clamped
// (RGBA); posterised (Step); a second gamma and brightness, a clamp and
// opacity (Post). Steps whose parameters leave the colour as it is are
// not compiled in: PRE (invert, black level), GAMMA, PAGES (range, RGBA,
// step and clamp, each still off by its uniform where it does nothing:
// uStep 0, uClamp low above high, uLow/uHigh at the float range) and
// GAMMA2 say which are; PLAIN: none is, nor contrast or a brightness,
// and the premultiplied colour is only scaled by the opacity. Few
// variants, so that parameters that move compile few programs. EXACT: the
// input has the output's size. Contrast and brightness 1 come as one
// gain and offset (uContrast, uBias: 0.5 - 0.5 contrast + brightness).
in vec2 vUV;
uniform sampler2D uInput;
uniform float uBias, uContrast, uGamma, uOpacity, uInvert;
uniform float uBlack, uInLow, uInHigh, uOutLow, uOutHigh;
uniform vec4 uLow, uHigh;
uniform float uStep, uThreshold;
uniform float uGamma2, uBrightness2;
uniform vec2 uClamp;
out vec4 fragColor;
#ifdef EXACT
#define INPUT() TEXEL(uInput)
#else
#define INPUT() texture(uInput, vUV)
#endif
void main() {
    vec4 c = INPUT();
#ifdef PLAIN
    fragColor = vec4(c.a > 0.0 ? max(c.rgb, 0.0) : vec3(0.0), c.a) *
                uOpacity;
    return;
#endif
    vec3 rgb = c.a > 0.0 ? c.rgb / c.a : vec3(0.0);
    float alpha = c.a;
#ifdef PRE
    rgb = mix(rgb, 1.0 - rgb, uInvert);
    if (uBlack > 0.0)
        rgb = max(rgb - uBlack, 0.0) / max(1.0 - uBlack, 1e-6);
#endif
    rgb = rgb * uContrast + uBias;
#ifdef GAMMA
    rgb = pow(max(rgb, 0.0), vec3(1.0 / uGamma));
#else
    rgb = max(rgb, 0.0);
#endif
#ifdef PAGES
    rgb = (rgb - uInLow) / max(uInHigh - uInLow, 1e-6) *
          (uOutHigh - uOutLow) + uOutLow;
    vec4 v = clamp(vec4(rgb, alpha), uLow, uHigh);
    rgb = v.rgb;
    alpha = v.a;
    if (uStep > 0.0)
        rgb = floor(rgb / uStep + uThreshold) * uStep;
#endif
#ifdef GAMMA2
    rgb = pow(max(rgb, 0.0), vec3(1.0 / uGamma2)) + uBrightness2;
#else
    rgb = max(rgb, 0.0) + uBrightness2;
#endif
#ifdef PAGES
    if (uClamp.x <= uClamp.y)
        rgb = clamp(rgb, uClamp.x, uClamp.y);
#endif
    float a = alpha * uOpacity;
    fragColor = vec4(rgb * a, a);
}
