#version 330 core
// levelTOP, on unpremultiplied colour, in the order of its pages: invert,
// black level, contrast about 0.5, brightness added, gamma (Pre); the
// input range mapped onto the output range (Range); each channel clamped
// (RGBA); posterised (Step); a second gamma and brightness, a clamp and
// opacity (Post).
in vec2 vUV;
uniform sampler2D uInput;
uniform float uBrightness, uContrast, uGamma, uOpacity, uInvert;
uniform float uBlack, uInLow, uInHigh, uOutLow, uOutHigh;
uniform vec4 uLow, uHigh;
uniform float uStep, uThreshold; // uStep 0: no stepping
uniform float uGamma2, uBrightness2;
uniform vec2 uClamp;             // low > high: no clamp
out vec4 fragColor;
void main() {
    vec4 c = texture(uInput, vUV);
    vec3 rgb = c.a > 0.0 ? c.rgb / c.a : vec3(0.0);
    float alpha = c.a;
    rgb = mix(rgb, 1.0 - rgb, uInvert);
    if (uBlack > 0.0)
        rgb = max(rgb - uBlack, 0.0) / max(1.0 - uBlack, 1e-6);
    rgb = (rgb - 0.5) * uContrast + 0.5 + uBrightness;
    rgb = pow(max(rgb, 0.0), vec3(1.0 / uGamma));
    rgb = (rgb - uInLow) / max(uInHigh - uInLow, 1e-6) *
          (uOutHigh - uOutLow) + uOutLow;
    vec4 v = clamp(vec4(rgb, alpha), uLow, uHigh);
    rgb = v.rgb;
    alpha = v.a;
    if (uStep > 0.0)
        rgb = floor(rgb / uStep + uThreshold) * uStep;
    rgb = pow(max(rgb, 0.0), vec3(1.0 / uGamma2)) + uBrightness2;
    if (uClamp.x <= uClamp.y)
        rgb = clamp(rgb, uClamp.x, uClamp.y);
    float a = alpha * uOpacity;
    fragColor = vec4(rgb * a, a);
}
